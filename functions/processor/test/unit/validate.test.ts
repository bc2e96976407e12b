import type { FaceDetail } from "@aws-sdk/client-rekognition";
import { defaultProcessing, FaceSummary } from "@photogate/core";
import { describe, expect, it } from "vitest";
import type { FaceAnalysis } from "../../src/faces";
import { judgeFaces } from "../../src/validate";
import { moderation, oneFace } from "../helpers";

const t = defaultProcessing.validation;

function analysis(
  change: (face: FaceDetail) => void = () => {},
  labels: "none" | "flagged" = "none",
): FaceAnalysis {
  return { faces: oneFace(change).FaceDetails!, moderationLabels: moderation(labels).ModerationLabels! };
}

function face(change: (face: FaceDetail) => void = () => {}): FaceDetail {
  return oneFace(change).FaceDetails![0]!;
}

describe("judgeFaces", () => {
  it("approves one clear, frontal, open-eyed face and summarises it", () => {
    const verdict = judgeFaces(analysis(), t);
    expect(verdict.reasons).toEqual([]);
    expect(verdict.moderationLabels).toEqual([]);
    expect(FaceSummary.parse(verdict.face)).toEqual({
      count: 1,
      confidence: 99.99,
      boundingBox: { left: 0.31, top: 0.18, width: 0.38, height: 0.52 },
      areaRatio: 0.1976,
      pose: { yaw: 4.9, pitch: 6.1, roll: -2.3 },
      sharpness: 86.9,
      brightness: 78.4,
      eyesOpen: { value: true, confidence: 98.77 },
      sunglasses: { value: false, confidence: 99.87 },
    });
  });

  it("NO_FACE when there are no faces", () => {
    const verdict = judgeFaces({ faces: [], moderationLabels: [] }, t);
    expect(verdict.reasons).toMatchObject([{ code: "NO_FACE", measured: 0, threshold: 1 }]);
    expect(verdict.face).toBeUndefined();
  });

  it("NO_FACE when the only face is below minFaceConfidence", () => {
    const verdict = judgeFaces({ faces: [face((f) => (f.Confidence = 71.5))], moderationLabels: [] }, t);
    expect(verdict.reasons.map((r) => r.code)).toEqual(["NO_FACE"]);
  });

  it("MULTIPLE_FACES counts only confident faces", () => {
    const faces = [face(), face((f) => (f.Confidence = 97.2)), face((f) => (f.Confidence = 42))];
    const verdict = judgeFaces({ faces, moderationLabels: [] }, t);
    expect(verdict.reasons).toMatchObject([{ code: "MULTIPLE_FACES", measured: 2, threshold: 1 }]);
    expect(verdict.face?.count).toBe(2);
  });

  it("SUNGLASSES with the reported confidence", () => {
    const verdict = judgeFaces(
      analysis((f) => (f.Sunglasses = { Value: true, Confidence: 93.4 })),
      t,
    );
    expect(verdict.reasons).toMatchObject([{ code: "SUNGLASSES", measured: 93.4, threshold: 80 }]);
  });

  it("no SUNGLASSES when Rekognition is unsure", () => {
    const verdict = judgeFaces(
      analysis((f) => (f.Sunglasses = { Value: true, Confidence: 62 })),
      t,
    );
    expect(verdict.reasons).toEqual([]);
  });

  it("EYES_CLOSED with the reported confidence", () => {
    const verdict = judgeFaces(
      analysis((f) => (f.EyesOpen = { Value: false, Confidence: 97.05 })),
      t,
    );
    expect(verdict.reasons).toMatchObject([{ code: "EYES_CLOSED", measured: 97.05, threshold: 80 }]);
  });

  it.each([
    ["Yaw", -38.2, 25, /yaw -38.2°/],
    ["Pitch", 31, 25, /pitch 31°/],
    ["Roll", 44.6, 30, /roll 44.6°/],
  ] as const)("POSE when %s is %d°", (axis, value, threshold, message) => {
    const verdict = judgeFaces(
      analysis((f) => (f.Pose = { Yaw: 0, Pitch: 0, Roll: 0, [axis]: value })),
      t,
    );
    expect(verdict.reasons).toMatchObject([{ code: "POSE", measured: value, threshold }]);
    expect(verdict.reasons[0]!.message).toMatch(message);
  });

  it("BLURRY with the measured sharpness", () => {
    const verdict = judgeFaces(
      analysis((f) => (f.Quality = { Brightness: 70, Sharpness: 12.3 })),
      t,
    );
    expect(verdict.reasons).toMatchObject([{ code: "BLURRY", measured: 12.3, threshold: 20 }]);
  });

  it("FACE_TOO_SMALL with the measured area ratio", () => {
    const verdict = judgeFaces(
      analysis((f) => (f.BoundingBox = { Width: 0.1, Height: 0.15, Left: 0.45, Top: 0.4 })),
      t,
    );
    expect(verdict.reasons).toMatchObject([{ code: "FACE_TOO_SMALL", measured: 0.015, threshold: 0.04 }]);
  });

  it("MODERATION at or above the threshold, keeping every label in the record", () => {
    const verdict = judgeFaces(analysis(undefined, "flagged"), t);
    expect(verdict.reasons).toMatchObject([{ code: "MODERATION", measured: 91.7, threshold: 60 }]);
    expect(verdict.reasons[0]!.message).toMatch(/Explicit Nudity/);
    expect(verdict.reasons[0]!.message).not.toMatch(/Suggestive/);
    expect(verdict.moderationLabels).toEqual([
      { name: "Explicit Nudity", confidence: 91.7 },
      { name: "Exposed Male Genitalia", parentName: "Explicit Nudity", confidence: 91.7 },
      { name: "Suggestive", confidence: 55.2 },
    ]);
  });

  it("reports every problem of one face, not just the first", () => {
    const verdict = judgeFaces(
      analysis((f) => {
        f.Sunglasses = { Value: true, Confidence: 99 };
        f.Pose = { Yaw: 50, Pitch: -40, Roll: 0 };
        f.Quality = { Brightness: 50, Sharpness: 5 };
      }, "flagged"),
      t,
    );
    expect(verdict.reasons.map((r) => r.code)).toEqual([
      "SUNGLASSES",
      "POSE",
      "POSE",
      "BLURRY",
      "MODERATION",
    ]);
  });
});
