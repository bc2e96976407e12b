import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { ContentType, ModerationLabel } from "@aws-sdk/client-rekognition";
import type * as tf from "@tensorflow/tfjs-core";
import type { NSFWJS } from "nsfwjs/core";
import sharp from "sharp";
import type { RgbImage } from "./decode-image";
import { ModelLoadError } from "./errors";

const require = createRequire(import.meta.url);

/** nsfwjs's class probabilities, 0–1. */
export type NsfwScores = Record<"Drawing" | "Hentai" | "Neutral" | "Porn" | "Sexy", number>;

/** The label taxonomy the answers follow (Rekognition's moderation model 7). */
export const MODERATION_MODEL_VERSION = "7.0";
export const MODERATION_MODEL_NAME = "nsfwjs 4.4.0 MobileNetV2 (224 px)";

const INPUT_SIZE = 224;

/** 0 at or below `from`, 1 at or above `to`, linear in between. */
function ramp(value: number, [from, to]: readonly [number, number]): number {
  return Math.min(1, Math.max(0, (value - from) / (to - from)));
}

/**
 * How nsfwjs's class scores become Rekognition confidences, calibrated on the photo set in
 * packages/local-emulators/README.md ("DetectModerationLabels: calibration"). nsfwjs alone reads a clothed
 * footballer as Sexy (0.73) and an apple as Porn (0.74), so the photographic classes are weighed
 * by what a person's torso shows (`torsoSkin`, the share of skin between shoulders and hips):
 *
 * - Sexy needs a person: "Swimwear or Underwear" at Sexy × the torso evidence (none at ≤ 15 %
 *   skin, full at ≥ 35 %), and "Non-Explicit Nudity of Intimate parts and Kissing" only for a
 *   barer torso (none at ≤ 35 %, full at ≥ 55 %).
 * - Porn stays explicit: with a person, at Porn × (½ + ½ × the torso evidence), so a clothed
 *   person is halved; with no person found (close-ups), at Porn × ¾.
 * - Hentai (drawn) is not weighed: the pose model and the skin rule do not read drawings.
 */
const MODERATION_CALIBRATION = {
  swimwearTorsoSkin: [0.15, 0.35],
  nudityTorsoSkin: [0.35, 0.55],
  explicitWithoutPerson: 0.75,
  explicitClothedFloor: 0.5,
} as const;

interface Label {
  name: string;
  parent: string;
  level: number;
}
const EXPLICIT: Label[] = [
  { name: "Explicit", parent: "", level: 1 },
  { name: "Explicit Nudity", parent: "Explicit", level: 2 },
];
const SWIMWEAR: Label = { name: "Swimwear or Underwear", parent: "", level: 1 };
const NON_EXPLICIT_NUDITY: Label = {
  name: "Non-Explicit Nudity of Intimate parts and Kissing",
  parent: "",
  level: 1,
};

/**
 * Maps class scores to Rekognition's ModerationLabels at or above `minConfidence` (0–100).
 * `torso` is `torsoSkin` of the photo's most prominent person, undefined when there is none.
 */
export function moderationLabels(
  scores: NsfwScores,
  minConfidence: number,
  torso: number | undefined,
): ModerationLabel[] {
  const c = MODERATION_CALIBRATION;
  const porn =
    torso === undefined
      ? c.explicitWithoutPerson
      : c.explicitClothedFloor + (1 - c.explicitClothedFloor) * ramp(torso, c.swimwearTorsoSkin);
  const weighed: [Label[], number][] = [
    [EXPLICIT, scores.Porn * porn],
    [EXPLICIT, scores.Hentai],
    [[SWIMWEAR], torso === undefined ? 0 : scores.Sexy * ramp(torso, c.swimwearTorsoSkin)],
    [[NON_EXPLICIT_NUDITY], torso === undefined ? 0 : scores.Sexy * ramp(torso, c.nudityTorsoSkin)],
  ];
  const best = new Map<string, ModerationLabel>();
  for (const [labels, score] of weighed) {
    const confidence = score * 100;
    if (confidence < minConfidence) continue;
    for (const label of labels) {
      const key = `${label.parent}/${label.name}`;
      if ((best.get(key)?.Confidence ?? -1) >= confidence) continue;
      best.set(key, {
        Name: label.name,
        ParentName: label.parent,
        TaxonomyLevel: label.level,
        Confidence: confidence,
      });
    }
  }
  return [...best.values()].sort((a, b) => (b.Confidence ?? 0) - (a.Confidence ?? 0));
}

/** Rekognition 7 also says whether content is drawn: Hentai is animated, Drawing illustrated. */
export function contentTypes(scores: NsfwScores, minConfidence: number): ContentType[] {
  const types: ContentType[] = [
    { Name: "Animated", Confidence: scores.Hentai * 100 },
    { Name: "Illustrated", Confidence: scores.Drawing * 100 },
  ];
  return types.filter((t) => (t.Confidence ?? 0) >= minConfidence);
}

export interface ModerationClassifier {
  classify(image: RgbImage): Promise<NsfwScores>;
}

/**
 * Loads nsfwjs's bundled MobileNetV2 from its own files. The package wraps the model JSON and
 * the base64 weights in CommonJS modules; reading them directly and handing tfjs the decoded
 * weights takes under a second, where `load("MobileNetV2")` takes 10–12 s.
 */
export async function createModerationClassifier(tfjs: typeof tf): Promise<ModerationClassifier> {
  const modelDir = join(dirname(require.resolve("nsfwjs")), "..", "models", "mobilenet_v2");
  let modelJson: {
    modelTopology: unknown;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  let weightsBase64: string;
  try {
    modelJson = require(join(modelDir, "model.min.js"));
    weightsBase64 = require(join(modelDir, "group1-shard1of1.min.js"));
  } catch (cause) {
    throw new ModelLoadError(
      `nsfwjs MobileNetV2 files could not be read from ${modelDir}: ${(cause as Error).message}`,
    );
  }
  const weights = Buffer.from(weightsBase64, "base64");
  const handler: tf.io.IOHandler = {
    load: async () => ({
      modelTopology: modelJson.modelTopology as tf.io.ModelArtifacts["modelTopology"],
      weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
      weightData: weights.buffer.slice(
        weights.byteOffset,
        weights.byteOffset + weights.byteLength,
      ) as ArrayBuffer,
    }),
  };
  let model: NSFWJS;
  try {
    // Imported here, not at the top: nsfwjs pulls in all of tfjs, which only the endpoint needs.
    const { load } = await import("nsfwjs/core");
    model = await load(handler as unknown as string, { size: INPUT_SIZE });
  } catch (cause) {
    throw new ModelLoadError(`nsfwjs MobileNetV2 did not load: ${(cause as Error).message}`);
  }

  return {
    async classify(image) {
      // sharp's area resampling to the model's 224 px beats a bilinear resize of a full photo.
      const small = await sharp(image.data, {
        raw: { width: image.width, height: image.height, channels: 3 },
      })
        .resize(INPUT_SIZE, INPUT_SIZE, { fit: "fill" })
        .raw()
        .toBuffer();
      const input = tfjs.tensor3d(new Int32Array(small), [INPUT_SIZE, INPUT_SIZE, 3], "int32");
      try {
        const predictions = await model.classify(input as never, 5);
        const scores: NsfwScores = { Drawing: 0, Hentai: 0, Neutral: 0, Porn: 0, Sexy: 0 };
        for (const p of predictions) scores[p.className as keyof NsfwScores] = p.probability;
        return scores;
      } finally {
        input.dispose();
      }
    },
  };
}
