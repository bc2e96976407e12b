import { describe, expect, it } from "vitest";
import { contentTypes, moderationLabels, type NsfwScores } from "../src/rekognition/moderation";

const neutral: NsfwScores = { Drawing: 0.01, Hentai: 0.01, Neutral: 0.95, Porn: 0.02, Sexy: 0.01 };

describe("nsfwjs classes mapped to Rekognition's moderation taxonomy 7", () => {
  it("reports nothing for a neutral photo at the default 50", () => {
    expect(moderationLabels(neutral, 50)).toEqual([]);
  });

  it("maps Porn to Explicit and its child Explicit Nudity, with the class confidence in percent", () => {
    const labels = moderationLabels({ ...neutral, Neutral: 0.1, Porn: 0.87 }, 50);
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

  it("reports a label once, at the higher of Porn and Hentai", () => {
    const labels = moderationLabels({ ...neutral, Neutral: 0, Porn: 0.55, Hentai: 0.7 }, 50);
    expect(labels.filter((l) => l.Name === "Explicit")).toHaveLength(1);
    expect(labels.find((l) => l.Name === "Explicit")?.Confidence).toBeCloseTo(70, 5);
  });

  it("maps Sexy to both top-level categories version 7 split Suggestive into", () => {
    const labels = moderationLabels({ ...neutral, Neutral: 0.3, Sexy: 0.66 }, 60);
    expect(labels.map((l) => [l.Name, l.ParentName, l.TaxonomyLevel])).toEqual([
      ["Non-Explicit Nudity of Intimate parts and Kissing", "", 1],
      ["Swimwear or Underwear", "", 1],
    ]);
    expect(moderationLabels({ ...neutral, Neutral: 0.3, Sexy: 0.66 }, 67)).toEqual([]);
  });

  it("says drawn content is Animated (Hentai) or Illustrated (Drawing) above the threshold", () => {
    expect(contentTypes({ ...neutral, Drawing: 0.8 }, 50)).toEqual([
      { Name: "Illustrated", Confidence: expect.closeTo(80, 5) },
    ]);
    expect(contentTypes(neutral, 50)).toEqual([]);
  });
});
