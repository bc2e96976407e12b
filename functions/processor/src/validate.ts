import type { FaceDetail } from "@aws-sdk/client-rekognition";
import type { FaceSummary, ModerationLabel, Reason, ValidationThresholds } from "@photogate/core";
import type { FaceAnalysis } from "./faces";

export interface FaceJudgement {
  reasons: Reason[];
  face?: FaceSummary;
  moderationLabels: ModerationLabel[];
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Applies the configured thresholds to Rekognition's answers. Every reason names the value
 * measured and the limit it crossed, so support can tell a near miss from a clear failure.
 */
export function judgeFaces(analysis: FaceAnalysis, t: ValidationThresholds): FaceJudgement {
  const reasons: Reason[] = [];
  const moderationLabels = analysis.moderationLabels.map(
    (l): ModerationLabel => ({
      name: l.Name ?? "Unknown",
      ...(l.ParentName ? { parentName: l.ParentName } : {}),
      confidence: round(l.Confidence ?? 0),
    }),
  );

  const counted = analysis.faces
    .filter((f) => (f.Confidence ?? 0) >= t.minFaceConfidence)
    .sort((a, b) => (b.Confidence ?? 0) - (a.Confidence ?? 0));
  const main = counted[0];
  if (!main) {
    reasons.push({
      code: "NO_FACE",
      message: `No face found with at least ${t.minFaceConfidence}% confidence`,
      measured: 0,
      threshold: 1,
    });
  } else if (counted.length > 1) {
    reasons.push({
      code: "MULTIPLE_FACES",
      message: `${counted.length} faces found; the photo must show exactly one person`,
      measured: counted.length,
      threshold: 1,
    });
  } else {
    reasons.push(...judgeFace(main, t));
  }

  const flagged = moderationLabels.filter((l) => l.confidence >= t.moderationMinConfidence);
  if (flagged.length > 0) {
    const worst = Math.max(...flagged.map((l) => l.confidence));
    reasons.push({
      code: "MODERATION",
      message: `Content flagged: ${flagged.map((l) => `${l.name} (${l.confidence}%)`).join(", ")}`,
      measured: worst,
      threshold: t.moderationMinConfidence,
    });
  }

  return { reasons, ...(main ? { face: summarise(main, counted.length) } : {}), moderationLabels };
}

function judgeFace(face: FaceDetail, t: ValidationThresholds): Reason[] {
  const reasons: Reason[] = [];
  const sunglasses = face.Sunglasses;
  if (sunglasses?.Value === true && (sunglasses.Confidence ?? 0) >= t.sunglassesConfidence) {
    reasons.push({
      code: "SUNGLASSES",
      message: "The person appears to wear sunglasses",
      measured: round(sunglasses.Confidence ?? 0),
      threshold: t.sunglassesConfidence,
    });
  }
  const eyes = face.EyesOpen;
  if (eyes?.Value === false && (eyes.Confidence ?? 0) >= t.eyesClosedConfidence) {
    reasons.push({
      code: "EYES_CLOSED",
      message: "The person's eyes appear closed",
      measured: round(eyes.Confidence ?? 0),
      threshold: t.eyesClosedConfidence,
    });
  }
  const pose = face.Pose ?? {};
  const axes = [
    ["yaw", pose.Yaw, t.maxYawDegrees, "turned sideways"],
    ["pitch", pose.Pitch, t.maxPitchDegrees, "tilted up or down"],
    ["roll", pose.Roll, t.maxRollDegrees, "tilted to one side"],
  ] as const;
  for (const [axis, value, max, what] of axes) {
    if (value !== undefined && Math.abs(value) > max) {
      reasons.push({
        code: "POSE",
        message: `The head is ${what} (${axis} ${round(value, 1)}°, at most ±${max}° allowed)`,
        measured: round(value, 1),
        threshold: max,
      });
    }
  }
  const sharpness = face.Quality?.Sharpness;
  if (sharpness !== undefined && sharpness < t.minSharpness) {
    reasons.push({
      code: "BLURRY",
      message: `The face is blurry (sharpness ${round(sharpness, 1)}, at least ${t.minSharpness} needed)`,
      measured: round(sharpness, 1),
      threshold: t.minSharpness,
    });
  }
  const area = (face.BoundingBox?.Width ?? 0) * (face.BoundingBox?.Height ?? 0);
  if (area < t.minFaceAreaRatio) {
    reasons.push({
      code: "FACE_TOO_SMALL",
      message: `The face covers ${round(area * 100, 1)}% of the photo; at least ${round(t.minFaceAreaRatio * 100, 1)}% is needed`,
      measured: round(area, 4),
      threshold: t.minFaceAreaRatio,
    });
  }
  return reasons;
}

function summarise(face: FaceDetail, count: number): FaceSummary {
  const box = face.BoundingBox ?? {};
  const judged = (v: { Value?: boolean; Confidence?: number } | undefined) =>
    v?.Value === undefined ? undefined : { value: v.Value, confidence: round(v.Confidence ?? 0) };
  const eyesOpen = judged(face.EyesOpen);
  const sunglasses = judged(face.Sunglasses);
  return {
    count,
    confidence: round(face.Confidence ?? 0),
    boundingBox: {
      left: box.Left ?? 0,
      top: box.Top ?? 0,
      width: box.Width ?? 0,
      height: box.Height ?? 0,
    },
    areaRatio: round((box.Width ?? 0) * (box.Height ?? 0), 4),
    pose: {
      yaw: round(face.Pose?.Yaw ?? 0, 1),
      pitch: round(face.Pose?.Pitch ?? 0, 1),
      roll: round(face.Pose?.Roll ?? 0, 1),
    },
    sharpness: round(face.Quality?.Sharpness ?? 0, 1),
    brightness: round(face.Quality?.Brightness ?? 0, 1),
    ...(eyesOpen ? { eyesOpen } : {}),
    ...(sunglasses ? { sunglasses } : {}),
  };
}
