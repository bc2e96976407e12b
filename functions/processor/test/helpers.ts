import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import type {
  DetectFacesCommandOutput,
  DetectModerationLabelsCommandOutput,
  FaceDetail,
} from "@aws-sdk/client-rekognition";
import type { GetCommandInput, UpdateCommandInput } from "@aws-sdk/lib-dynamodb";
import {
  createLogger,
  defaultProcessing,
  FINAL_STATUSES,
  type LogEntry,
  type Logger,
  type ProcessingConfig,
} from "@photogate/core";
import sharp from "sharp";
import type { ProcessorConfig } from "../src/config";

export const OWNER = "3f1c9a52-7d4e-4b8a-9c2f-5e6d7a8b9c0d";
export const PHOTO_ID = "a1b2c3d4-e5f6-4789-8abc-def012345678";
export const BUCKET = "photogate-dev-photos";

const fixtures = join(import.meta.dirname, "fixtures");

export function fixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(fixtures, name), "utf8")) as T;
}

export interface UploadFields {
  key?: string;
  size?: number;
  eTag?: string;
  sequencer?: string;
  bucket?: string;
  eventName?: string;
}

/** The put-upload fixture with its object fields replaced; the key is encoded the way S3 encodes it. */
export interface S3EventFixture {
  Records: Array<{
    eventName: string;
    s3: {
      bucket: { name: string; arn: string };
      object: { key: string; size?: number; eTag?: string; sequencer?: string };
    };
  }>;
}

export function putEvent(fields: UploadFields = {}): S3EventFixture {
  const event = fixture<S3EventFixture>("put-upload.json");
  const record = event.Records[0]!;
  const object = record.s3.object;
  if (fields.key !== undefined) object.key = encodeS3Key(fields.key);
  if (fields.size !== undefined) object.size = fields.size;
  if (fields.eTag !== undefined) object.eTag = fields.eTag;
  if (fields.sequencer !== undefined) object.sequencer = fields.sequencer;
  if (fields.eventName !== undefined) record.eventName = fields.eventName;
  if (fields.bucket !== undefined) {
    record.s3.bucket.name = fields.bucket;
    record.s3.bucket.arn = `arn:aws:s3:::${fields.bucket}`;
  }
  return event;
}

/** How S3 writes keys into notifications: form encoding, `/` kept, space as `+`. */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, "/").replace(/%20/g, "+");
}

export function captureLogs(): { log: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return { log: createLogger((e) => entries.push(e)), entries };
}

export function testConfig(processing: Partial<ProcessingConfig> = {}): ProcessorConfig {
  return {
    photoTable: "photogate-test-photos",
    processing: { ...defaultProcessing, ...processing },
    endpointOverride: false,
  };
}

export const noSleep = { attempts: 5, baseDelayMs: 200, maxDelayMs: 5_000, sleep: async () => {} };

/** A photo-like JPEG: noisy (so it does not compress to nothing) with a few shapes on it. */
export async function photoJpeg(width: number, height: number, quality = 85): Promise<Buffer> {
  return sharp({
    create: {
      width,
      height,
      channels: 3,
      background: "#000",
      noise: { type: "gaussian", mean: 120, sigma: 40 },
    },
  })
    .composite([
      {
        input: Buffer.from(
          `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><ellipse cx="${width / 2}" cy="${height / 2}" rx="${width / 5}" ry="${height / 4}" fill="#d9a27a"/></svg>`,
        ),
      },
    ])
    .jpeg({ quality })
    .toBuffer();
}

// --- Rekognition answers, built from the captured real-shaped responses in fixtures/rekognition.

export function oneFace(change: (face: FaceDetail) => void = () => {}): DetectFacesCommandOutput {
  const response = fixture<DetectFacesCommandOutput>("rekognition/detect-faces-one.json");
  change(response.FaceDetails![0]!);
  return { ...response, $metadata: { httpStatusCode: 200 } };
}

export function faces(...details: FaceDetail[]): DetectFacesCommandOutput {
  return { FaceDetails: details, $metadata: { httpStatusCode: 200 } };
}

export function moderation(name: "none" | "flagged" = "none"): DetectModerationLabelsCommandOutput {
  return { ...fixture(`rekognition/detect-moderation-${name}.json`), $metadata: { httpStatusCode: 200 } };
}

// --- A stand-in for the photo table that applies the processor's conditional updates the
// way DynamoDB would (same predicates, same ConditionalCheckFailedException), so the mock
// cannot pass a duplicate that the real table would refuse. The integration test runs the
// real expressions against dynalite.

export type Item = Record<string, unknown>;

export class FakePhotoTable {
  readonly items = new Map<string, Item>();

  private static id(key: Record<string, unknown>): string {
    return `${key.owner}/${key.photoId}`;
  }

  async get(input: GetCommandInput) {
    const item = this.items.get(FakePhotoTable.id(input.Key!));
    return { Item: item ? structuredClone(item) : undefined, $metadata: {} };
  }

  async update(input: UpdateCommandInput) {
    const id = FakePhotoTable.id(input.Key!);
    const existing = this.items.get(id);
    const names = input.ExpressionAttributeNames ?? {};
    const values = input.ExpressionAttributeValues ?? {};
    const condition = input.ConditionExpression ?? "";
    const expr = input.UpdateExpression ?? "";
    // The lease clause: no run holds the record (not processing, no lease, or the lease ended).
    const leaseEnded = () =>
      existing?.status !== "processing" ||
      !existing?.leaseExpiresAt ||
      (existing.leaseExpiresAt as string) <= (values[":now"] as string);
    let ok: boolean;
    if (condition.startsWith("#sourceSequencer = :sourceSequencer")) {
      // reprocess: the same upload, whatever its verdict, unless a live lease holds it
      ok = existing?.sourceSequencer === values[":sourceSequencer"] && leaseEnded();
    } else if (condition.includes("attribute_not_exists(#photoId)")) {
      const seq = values[":sourceSequencer"] as string;
      ok = !existing?.sourceSequencer || (existing.sourceSequencer as string) < seq;
    } else if (condition.includes("NOT (")) {
      ok =
        existing?.sourceSequencer === values[":seq"] &&
        !FINAL_STATUSES.includes(existing?.status as never) &&
        leaseEnded();
    } else {
      // a run's final write: still this upload and still this run's claim
      ok =
        existing?.sourceSequencer === values[":seq"] &&
        (!condition.includes(":claimId") || existing?.claimId === values[":claimId"]);
    }
    if (!ok) {
      throw new ConditionalCheckFailedException({
        message: "The conditional request failed",
        $metadata: { httpStatusCode: 400 },
      });
    }
    const item: Item = existing ? structuredClone(existing) : { ...input.Key };
    // Clauses: SET a, b [REMOVE c, d] [ADD #x :v]; an ADD may also trail the SET part.
    const [beforeAdd, addPart] = expr.split(" ADD ");
    const [setPart, removePart] = (beforeAdd ?? "").split(" REMOVE ");
    for (const [alias, field] of Object.entries(names)) {
      if (removePart?.split(", ").includes(alias)) delete item[field];
    }
    for (const assignment of (setPart ?? "").replace(/^SET /, "").split(/, (?=#)/)) {
      const m = /^(#\w+) = (.+?)$/.exec(assignment.trim());
      if (!m) continue;
      const field = names[m[1]!]!;
      const rhs = m[2]!;
      const ifNotExists = /^if_not_exists\(#\w+, (:\w+)\)$/.exec(rhs);
      if (ifNotExists) item[field] = item[field] ?? values[ifNotExists[1]!];
      else item[field] = structuredClone(values[rhs]);
    }
    for (const addition of (addPart ?? "").split(", ")) {
      const m = /^(#\w+) (:\w+)$/.exec(addition.trim());
      if (!m) continue;
      const field = names[m[1]!]!;
      item[field] = Number(item[field] ?? 0) + Number(values[m[2]!]);
    }
    this.items.set(id, item);
    const returned = input.ReturnValues === "ALL_OLD" ? existing : item;
    return { Attributes: returned ? structuredClone(returned) : undefined, $metadata: {} };
  }
}
