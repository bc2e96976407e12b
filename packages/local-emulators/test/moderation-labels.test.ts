import { describe, expect, it } from "vitest";
import type { RgbImage } from "../src/rekognition/decode-image";
import type { BodyPose } from "../src/rekognition/face-detector";
import { contentTypes, moderationLabels, type NsfwScores } from "../src/rekognition/moderation";
import { torsoSkin } from "../src/rekognition/torso-skin";

const neutral: NsfwScores = { Drawing: 0.01, Hentai: 0.01, Neutral: 0.95, Porn: 0.02, Sexy: 0.01 };
const clothed = 0.1;
const bare = 0.7;

describe("nsfwjs classes mapped to Rekognition's moderation taxonomy 7", () => {
  it("reports nothing for a neutral photo at the default 50", () => {
    expect(moderationLabels(neutral, 50, undefined)).toEqual([]);
    expect(moderationLabels(neutral, 50, bare)).toEqual([]);
  });

  it("maps Porn on a bare person to Explicit and its child Explicit Nudity, at the class confidence", () => {
    const labels = moderationLabels({ ...neutral, Neutral: 0.1, Porn: 0.87 }, 60, bare);
    expect(labels).toEqual([
      { Name: "Explicit", ParentName: "", TaxonomyLevel: 1, Confidence: expect.closeTo(87, 5) },
      {
        Name: "Explicit Nudity",
        ParentName: "Explicit",
        TaxonomyLevel: 2,
        Confidence: expect.closeTo(87, 5),
      },
    ]);
  });

  it("still flags a confident Porn score with no person found (close-ups), at three quarters", () => {
    const labels = moderationLabels({ ...neutral, Neutral: 0.02, Porn: 0.96 }, 60, undefined);
    expect(labels.map((l) => [l.Name, l.Confidence])).toEqual([
      ["Explicit", expect.closeTo(72, 5)],
      ["Explicit Nudity", expect.closeTo(72, 5)],
    ]);
  });

  it("does not flag a skin-toned object that nsfwjs reads as Porn 0.74 (an apple) at the processor's 60", () => {
    expect(moderationLabels({ ...neutral, Neutral: 0.19, Porn: 0.742 }, 60, undefined)).toEqual([]);
  });

  it("halves Porn on a clothed person", () => {
    const [explicit] = moderationLabels({ ...neutral, Neutral: 0.1, Porn: 0.9 }, 0, clothed);
    expect(explicit?.Confidence).toBeCloseTo(45, 5);
  });

  it("reports a label once, at the higher of Porn and Hentai", () => {
    const labels = moderationLabels({ ...neutral, Neutral: 0, Porn: 0.55, Hentai: 0.7 }, 50, bare);
    expect(labels.filter((l) => l.Name === "Explicit")).toHaveLength(1);
    expect(labels.find((l) => l.Name === "Explicit")?.Confidence).toBeCloseTo(70, 5);
  });

  it("does not flag a clothed athlete nsfwjs reads as Sexy 0.89, nor Sexy without a person", () => {
    expect(moderationLabels({ ...neutral, Neutral: 0.1, Sexy: 0.89 }, 60, 0.12)).toEqual([]);
    expect(moderationLabels({ ...neutral, Neutral: 0.1, Sexy: 0.89 }, 60, undefined)).toEqual([]);
  });

  it("reads Sexy on a bare torso as Swimwear or Underwear, and as non-explicit nudity only when barer", () => {
    const swimwear = moderationLabels({ ...neutral, Neutral: 0.1, Sexy: 0.89 }, 60, 0.4);
    expect(swimwear.map((l) => [l.Name, l.ParentName, l.TaxonomyLevel])).toEqual([
      ["Swimwear or Underwear", "", 1],
    ]);
    expect(swimwear[0]?.Confidence).toBeCloseTo(89, 5);
    const nude = moderationLabels({ ...neutral, Neutral: 0.1, Sexy: 0.89 }, 60, bare);
    expect(nude.map((l) => l.Name).sort()).toEqual([
      "Non-Explicit Nudity of Intimate parts and Kissing",
      "Swimwear or Underwear",
    ]);
  });

  it("says drawn content is Animated (Hentai) or Illustrated (Drawing) above the threshold", () => {
    expect(contentTypes({ ...neutral, Drawing: 0.8 }, 50)).toEqual([
      { Name: "Illustrated", Confidence: expect.closeTo(80, 5) },
    ]);
    expect(contentTypes(neutral, 50)).toEqual([]);
  });
});

describe("torsoSkin", () => {
  // A 100×100 image: background grey, the torso box (shoulders at y 20, hips at y 80, x 30–70) filled.
  const image = (torso: [number, number, number]): RgbImage => {
    const data = Buffer.alloc(100 * 100 * 3, 128);
    for (let y = 20; y < 80; y++) for (let x = 30; x < 70; x++) data.set(torso, (y * 100 + x) * 3);
    return { data, width: 100, height: 100 };
  };
  const pose: BodyPose = {
    leftShoulder: { x: 70, y: 20, score: 0.9 },
    rightShoulder: { x: 30, y: 20, score: 0.9 },
    leftHip: { x: 68, y: 80, score: 0.8 },
    rightHip: { x: 32, y: 80, score: 0.8 },
  };

  it("reads a bare (skin-coloured) torso as all skin and a blue shirt as none", () => {
    expect(torsoSkin(image([224, 172, 140]), pose)).toBeCloseTo(1, 5);
    expect(torsoSkin(image([40, 70, 180]), pose)).toBe(0);
  });

  it("is undefined without a person, or when a shoulder is not trusted", () => {
    expect(torsoSkin(image([224, 172, 140]), undefined)).toBeUndefined();
    expect(
      torsoSkin(image([224, 172, 140]), { ...pose, leftShoulder: { x: 70, y: 20, score: 0.1 } }),
    ).toBeUndefined();
  });
});
