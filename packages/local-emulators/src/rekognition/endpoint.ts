import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type {
  Attribute,
  DetectFacesResponse,
  DetectModerationLabelsResponse,
} from "@aws-sdk/client-rekognition";
import { startAwsJsonServer } from "../aws-json-server";
import type { CredentialStore } from "../credentials";
import type { JsonAuthorizer } from "../iam/json-authorizer";
import { verifyJsonSignature } from "../iam/json-sigv4";
import { decodeImage, MAX_IMAGE_BYTES } from "./decode-image";
import { RekognitionError } from "./errors";
import { toFaceDetail } from "./face-details";
import { createFaceDetector, humanPackageDir } from "./face-detector";
import {
  contentTypes,
  createModerationClassifier,
  MODERATION_MODEL_NAME,
  MODERATION_MODEL_VERSION,
  moderationLabels,
} from "./moderation";
import { torsoSkin } from "./torso-skin";

export interface RekognitionEndpointOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Loopback only. */
  host?: "127.0.0.1";
  /**
   * SigV4 and IAM as on AWS: calls must be signed for `rekognition` by a key the store knows and
   * are held to the caller's policy (`rekognition:DetectFaces` on `*`, …). Without it (model tests,
   * benchmarks) the endpoint does not authenticate.
   */
  auth?: { credentials: CredentialStore; authorizer: JsonAuthorizer; region: string };
}

export interface RekognitionEndpoint {
  /** Base URL to give the AWS SDK as `endpoint`. */
  url: string;
  /** Every model file URL read at start-up (all `file://`). */
  modelUrls: readonly string[];
  /** Milliseconds spent loading and warming up the models. */
  loadMs: number;
  close(): Promise<void>;
}

const TARGET_PREFIX = "RekognitionService.";
/**
 * Base64 of a 5 MB image plus the JSON around it; larger bodies are drained, not buffered (their
 * image is over 5 MB whatever the JSON around it). The 5 MB limit itself is checked on the decoded bytes.
 */
const MAX_BODY_BYTES = Math.ceil((MAX_IMAGE_BYTES * 4) / 3) + 64 * 1024;
/** Past this much draining the connection is cut: no client of a 5 MB API sends that much. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

const ATTRIBUTES = new Set<Attribute>([
  "AGE_RANGE",
  "ALL",
  "BEARD",
  "DEFAULT",
  "EMOTIONS",
  "EYEGLASSES",
  "EYES_OPEN",
  "EYE_DIRECTION",
  "FACE_OCCLUDED",
  "GENDER",
  "MOUTH_OPEN",
  "MUSTACHE",
  "SMILE",
  "SUNGLASSES",
]);

/**
 * A Rekognition-compatible endpoint for local runs: `DetectFaces` and `DetectModerationLabels`
 * over Rekognition's JSON 1.1 protocol, answered by on-device models (Human's face mesh and
 * nsfwjs). With `auth`, requests are SigV4-checked and authorised as on AWS. Models load once
 * here, and detections run one at a time so memory stays flat.
 */
export async function startRekognitionEndpoint(
  options: RekognitionEndpointOptions = {},
): Promise<RekognitionEndpoint> {
  const started = performance.now();
  const faces = await createFaceDetector();
  const moderation = await createModerationClassifier(faces.tf);
  // Warm the classifier as the face detector warmed itself, so the first request is not slow.
  await moderation.classify(
    await decodeImage(await readFile(join(humanPackageDir, "assets", "screenshot-facedetect.jpg"))),
  );
  const loadMs = performance.now() - started;

  let queue: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  const operations: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
    async DetectFaces(body): Promise<DetectFacesResponse> {
      const attributes = parseAttributes(body.Attributes);
      const bytes = imageBytes(body.Image);
      return oneAtATime(async () => {
        const image = await decodeImage(bytes);
        const detected = await faces.detect(image);
        const details = [];
        for (const face of detected) details.push(await toFaceDetail(face, image, attributes));
        return { FaceDetails: details };
      });
    },
    async DetectModerationLabels(body): Promise<DetectModerationLabelsResponse> {
      const minConfidence = parseMinConfidence(body.MinConfidence);
      const bytes = imageBytes(body.Image);
      if (body.HumanLoopConfig !== undefined || body.ProjectVersion !== undefined) {
        throw new RekognitionError(
          "InvalidParameterException",
          "HumanLoopConfig and ProjectVersion (custom adapters) are not supported by the local Rekognition endpoint.",
        );
      }
      return oneAtATime(async () => {
        const image = await decodeImage(bytes);
        const scores = await moderation.classify(image);
        const torso = torsoSkin(image, await faces.body(image));
        const types = contentTypes(scores, minConfidence);
        return {
          ModerationLabels: moderationLabels(scores, minConfidence, torso),
          ModerationModelVersion: MODERATION_MODEL_VERSION,
          ...(types.length > 0 ? { ContentTypes: types } : {}),
        };
      });
    },
  };

  const server = await startAwsJsonServer({
    service: "Rekognition",
    targetPrefix: TARGET_PREFIX,
    operations,
    port: options.port,
    host: options.host ?? "127.0.0.1",
    maxBodyBytes: MAX_BODY_BYTES,
    maxDrainBytes: MAX_DRAIN_BYTES,
    tooLarge: (bytes) =>
      new RekognitionError(
        "ImageTooLargeException",
        `Request body is ${bytes} bytes, so its image is over the ${MAX_IMAGE_BYTES} bytes Rekognition accepts inline.`,
      ),
    internalErrorType: "InternalServerError",
    responseHeaders: { "x-photogate-moderation-model": MODERATION_MODEL_NAME },
    ...(options.auth ? { authorize: authorizeWith(options.auth) } : {}),
  });
  return { url: server.url, modelUrls: faces.modelUrls, loadMs, close: server.close };
}

function imageBytes(image: unknown): Buffer {
  if (typeof image !== "object" || image === null) {
    throw new RekognitionError(
      "ValidationException",
      "1 validation error detected: Value null at 'image' failed to satisfy constraint: Member must not be null",
    );
  }
  const { Bytes, S3Object } = image as { Bytes?: unknown; S3Object?: unknown };
  if (S3Object !== undefined) {
    throw new RekognitionError(
      "InvalidParameterException",
      "Image.S3Object is not supported by the local Rekognition endpoint: read the object yourself and send Image.Bytes.",
    );
  }
  if (typeof Bytes !== "string" || Bytes.length === 0) {
    throw new RekognitionError(
      "InvalidParameterException",
      "Image.Bytes must hold the base64-encoded image.",
    );
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(Bytes)) {
    throw new RekognitionError("SerializationException", "Image.Bytes is not valid base64.");
  }
  // decodeImage refuses more than 5 MB of decoded bytes
  // (https://docs.aws.amazon.com/rekognition/latest/APIReference/API_Image.html).
  return Buffer.from(Bytes, "base64");
}

function authorizeWith(auth: NonNullable<RekognitionEndpointOptions["auth"]>) {
  return async (request: Parameters<typeof verifyJsonSignature>[0], operation: string) => {
    const caller = await verifyJsonSignature(request, { ...auth, service: "rekognition" });
    // DetectFaces and DetectModerationLabels on image bytes have no resource but "*".
    await auth.authorizer.authorize(caller, [{ action: `rekognition:${operation}`, resource: "*" }]);
  };
}

function parseAttributes(value: unknown): Attribute[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((a) => !ATTRIBUTES.has(a as Attribute))) {
    throw new RekognitionError(
      "ValidationException",
      `1 validation error detected: Value ${JSON.stringify(value)} at 'attributes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [${[...ATTRIBUTES].join(", ")}]]`,
    );
  }
  return value as Attribute[];
}

function parseMinConfidence(value: unknown): number {
  if (value === undefined) return 50;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 100) {
    throw new RekognitionError(
      "ValidationException",
      `1 validation error detected: Value ${JSON.stringify(value)} at 'minConfidence' failed to satisfy constraint: Member must have value between 0 and 100`,
    );
  }
  return value;
}
