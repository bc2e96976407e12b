import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type * as tf from "@tensorflow/tfjs-core";
import type { BodyResult, Config, FaceResult, Human } from "@vladmandic/human";
import { decodeImage, type RgbImage } from "./decode-image";
import { ModelLoadError } from "./errors";
import { type DetectedFace, type MeshPoint, meshBox } from "./face-details";
import { ModelFileReader, routeFileModels } from "./model-files";

const require = createRequire(import.meta.url);

/** The package's `exports` map hides its node-wasm build, so it is found from the main file. */
export const humanPackageDir = dirname(dirname(require.resolve("@vladmandic/human")));

/** 468 face points plus the iris model's 10: Rekognition's pupils come from the iris centres. */
const MESH_POINTS = 478;

/** Human's models in the order it loads them; each must be loaded or the endpoint does not start. */
const REQUIRED_MODELS = ["blazeface", "facemesh", "iris", "emotion", "movenet"] as const;

const config: Partial<Config> = {
  backend: "wasm",
  wasmPath: `${dirname(require.resolve("@tensorflow/tfjs-backend-wasm"))}/`,
  modelBasePath: `${pathToFileURL(join(humanPackageDir, "models")).href}/`,
  debug: false,
  warmup: "none",
  // Human reuses the last result when frames look alike; every request here is a new photo.
  cacheSensitivity: 0,
  cacheModels: false,
  filter: { enabled: false },
  face: {
    enabled: true,
    // Rekognition reports up to 100 faces; rotation correction keeps tilted faces' meshes accurate.
    detector: { rotation: true, maxDetected: 100, minConfidence: 0.5, return: false },
    mesh: { enabled: true },
    iris: { enabled: true },
    emotion: { enabled: true, minConfidence: 0 },
    // Age/gender (faceres) costs ~350 ms a face and Rekognition's AgeRange is optional: left off.
    description: { enabled: false },
    antispoof: { enabled: false },
    liveness: { enabled: false },
    attention: { enabled: false },
  } as Config["face"],
  // MoveNet Lightning (one person, 17 keypoints) tells moderation whether a person's torso is
  // bare; loaded at start, run only for DetectModerationLabels.
  body: { enabled: true, modelPath: "movenet-lightning.json", maxDetected: 1, minConfidence: 0.2 },
  hand: { enabled: false },
  object: { enabled: false },
  gesture: { enabled: false },
  segmentation: { enabled: false },
};

/** A person's body keypoints in pixels (MoveNet's 17: shoulders, hips, …), with their scores. */
export type BodyPose = Record<string, { x: number; y: number; score: number }>;

export interface FaceDetector {
  /** The faces in `image`, largest first. */
  detect(image: RgbImage): Promise<DetectedFace[]>;
  /** The most prominent person's keypoints, or undefined when no person is found. */
  body(image: RgbImage): Promise<BodyPose | undefined>;
  /** Every model URL read while loading: all `file://`. */
  readonly modelUrls: readonly string[];
  /** The tfjs instance the models run on, shared with the moderation classifier. */
  readonly tf: typeof tf;
}

/**
 * Loads Human's face detector, mesh, iris and emotion models from the files inside the
 * `@vladmandic/human` package onto tfjs's WASM backend, and checks that every one loaded.
 */
export async function createFaceDetector(): Promise<FaceDetector> {
  const { Human: HumanClass } = require(join(humanPackageDir, "dist", "human.node-wasm.js")) as {
    Human: new (config: Partial<Config>) => Human;
  };
  const human = new HumanClass(config);
  const tfjs = human.tf as typeof tf;
  const reader = new ModelFileReader();
  routeFileModels(tfjs.io, reader);
  const handlersBefore = new Set([
    ...process.listeners("uncaughtException"),
    ...process.listeners("unhandledRejection"),
  ]);
  await human.init();
  // The WASM runtime adds process-wide handlers that rethrow every uncaught error after printing
  // its whole minified source; they are not ours to add to a dev runner's process.
  for (const listener of process.listeners("uncaughtException")) {
    if (!handlersBefore.has(listener)) process.off("uncaughtException", listener);
  }
  for (const listener of process.listeners("unhandledRejection")) {
    if (!handlersBefore.has(listener)) process.off("unhandledRejection", listener);
  }
  if (tfjs.getBackend() !== "wasm") {
    throw new ModelLoadError(`tfjs WASM backend did not start (backend is ${tfjs.getBackend()})`);
  }
  await human.load();
  const loaded = new Set(human.models.loaded());
  const missing = REQUIRED_MODELS.filter((name) => !loaded.has(name));
  if (missing.length > 0) {
    throw new ModelLoadError(
      `Face models did not load: ${missing.join(", ")} (from ${join(humanPackageDir, "models")}). Reinstall @vladmandic/human.`,
    );
  }

  // Human keeps each call's config: every call says which of its two jobs it does.
  const facesOnly = { face: { enabled: true }, body: { enabled: false } } as Partial<Config>;
  const bodyOnly = { face: { enabled: false }, body: { enabled: true } } as Partial<Config>;
  const run = async (image: RgbImage, only: Partial<Config>) => {
    const input = tfjs.tensor(new Int32Array(image.data), [1, image.height, image.width, 3], "int32");
    try {
      const result = await human.detect(input as never, only);
      if (result.error) throw new Error(`Detection failed: ${result.error}`);
      return result;
    } finally {
      input.dispose();
    }
  };

  const detect = async (image: RgbImage): Promise<DetectedFace[]> => {
    const result = await run(image, facesOnly);
    return result.face
      .filter((face: FaceResult) => face.mesh.length >= MESH_POINTS)
      .map((face: FaceResult) => ({
        score: face.score,
        mesh: face.mesh,
        rotation: face.rotation?.angle,
        emotions: face.emotion,
      }))
      .sort((a, b) => area(b.mesh) - area(a.mesh));
  };

  const body = async (image: RgbImage): Promise<BodyPose | undefined> => {
    const [person] = (await run(image, bodyOnly)).body as BodyResult[];
    if (!person) return undefined;
    return Object.fromEntries(
      person.keypoints.map((k) => [k.part, { x: k.position[0], y: k.position[1], score: k.score }]),
    );
  };

  // The first detection compiles kernels (~0.3–0.9 s): pay it at start-up on a photo with faces
  // that ships inside Human itself, so every model runs once.
  const sample = await decodeImage(
    await readFile(join(humanPackageDir, "assets", "screenshot-facedetect.jpg")),
  );
  await detect(sample);
  await body(sample);

  return { detect, body, modelUrls: reader.urls, tf: tfjs };
}

function area(mesh: readonly MeshPoint[]): number {
  const box = meshBox(mesh);
  return box.width * box.height;
}
