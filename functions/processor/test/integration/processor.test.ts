import {
  DetectFacesCommand,
  DetectModerationLabelsCommand,
  RekognitionClient,
} from "@aws-sdk/client-rekognition";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import {
  PhotoRecord,
  photoPrefix,
  photoTable,
  sharedPrefix,
  statusKey,
  VerdictDocument,
} from "@photogate/core";
import { mockClient } from "aws-sdk-client-mock";
import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ProcessorDeps, processS3Event, reprocessPhoto } from "../../src/process-upload";
import { moderation, OWNER, oneFace, photoJpeg, putEvent } from "../helpers";
import { type Backend, integrationDeps, startBackend } from "./emulators";

// Nothing emulates Rekognition here; its answers are the captured real-shaped responses.
const rekognition = mockClient(RekognitionClient);

let backend: Backend;
let deps: ProcessorDeps;
let sequence = 0x66f2a3d20a1b2c00n;

beforeAll(async () => {
  backend = await startBackend();
}, 60_000);

afterAll(async () => {
  await backend?.stop();
});

beforeEach(() => {
  deps = integrationDeps(backend, rekognition);
});

/** Uploads `body` and returns the notification S3 would send for it (ETag and size from S3 itself). */
async function upload(photoId: string, body: Buffer) {
  const key = `uploads/${OWNER}/${photoId}.jpg`;
  await backend.clients.s3.send(
    new PutObjectCommand({ Bucket: backend.bucket, Key: key, Body: body, ContentType: "image/jpeg" }),
  );
  const head = await backend.clients.s3.send(new HeadObjectCommand({ Bucket: backend.bucket, Key: key }));
  sequence += 16n;
  return putEvent({
    bucket: backend.bucket,
    key,
    size: head.ContentLength!,
    eTag: head.ETag!.replaceAll('"', ""),
    sequencer: sequence.toString(16).toUpperCase(),
  });
}

async function record(photoId: string) {
  const result = await backend.clients.dynamo.send(
    new GetCommand({ TableName: backend.table, Key: { owner: OWNER, photoId }, ConsistentRead: true }),
  );
  return result.Item;
}

async function derivedKeys(photoId: string) {
  const listed = await backend.clients.s3.send(
    new ListObjectsV2Command({ Bucket: backend.bucket, Prefix: photoPrefix(OWNER, photoId) }),
  );
  return (listed.Contents ?? [])
    .filter((o) => !o.Key!.endsWith("/status.json"))
    .map((o) => ({ key: o.Key!, eTag: o.ETag! }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

async function sharedFiles(photoId: string) {
  const listed = await backend.clients.s3.send(
    new ListObjectsV2Command({ Bucket: backend.bucket, Prefix: sharedPrefix(OWNER, photoId) }),
  );
  return (listed.Contents ?? []).map((o) => o.Key!.split("/").at(-1)).sort();
}

async function verdict(photoId: string) {
  const { body, contentType } = await read(statusKey(OWNER, photoId));
  expect(contentType).toBe("application/json");
  return VerdictDocument.parse(JSON.parse(body.toString("utf8")));
}

async function read(key: string) {
  const object = await backend.clients.s3.send(new GetObjectCommand({ Bucket: backend.bucket, Key: key }));
  return { contentType: object.ContentType, body: Buffer.from(await object.Body!.transformToByteArray()) };
}

describe("processor against S3 and DynamoDB", () => {
  it("derives the images into S3 and writes a valid record, once even when delivered twice", async () => {
    const photoId = "7a1e2b3c-4d5e-4f60-8a7b-8c9d0e1f2a3b";
    // Stored sideways with EXIF orientation 6: the outputs must come out portrait.
    const sideways = await sharp(await photoJpeg(1200, 900))
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const event = await upload(photoId, sideways);

    const [first] = await processS3Event(event, deps);
    expect(first?.outcome).toBe("approved");

    const stored = PhotoRecord.parse(await record(photoId));
    expect(stored).toMatchObject({
      owner: OWNER,
      photoId,
      status: "approved",
      width: 900,
      height: 1200,
      format: "jpeg",
      bytes: sideways.length,
      attempts: 1,
    });
    expect(stored.thumbnails.map((t) => t.size)).toEqual([128, 256, 512]);

    const display = await read(`${photoPrefix(OWNER, photoId)}display.webp`);
    expect(display.contentType).toBe("image/webp");
    expect(await sharp(display.body).metadata()).toMatchObject({ format: "webp", width: 900, height: 1200 });
    for (const size of [128, 256, 512]) {
      const thumb = await read(`${photoPrefix(OWNER, photoId)}thumb-${size}.webp`);
      const meta = await sharp(thumb.body).metadata();
      expect(meta).toMatchObject({ format: "webp", width: size, height: size });
      expect(meta.exif).toBeUndefined();
    }

    // The moderation queue index sees it under its status.
    const queue = await backend.clients.dynamo.send(
      new QueryCommand({
        TableName: backend.table,
        IndexName: "byStatus",
        KeyConditionExpression: "#s = :s",
        ExpressionAttributeNames: { "#s": photoTable.indexes.byStatus.partitionKey },
        ExpressionAttributeValues: { ":s": "approved" },
      }),
    );
    expect(queue.Items?.map((i) => i.photoId)).toContain(photoId);

    const before = await derivedKeys(photoId);
    expect(before.map((o) => o.key.split("/").at(-1))).toEqual([
      "display.webp",
      "thumb-128.webp",
      "thumb-256.webp",
      "thumb-512.webp",
    ]);
    const [second] = await processS3Event(structuredClone(event), deps);
    expect(second).toEqual({ outcome: "skipped", why: "duplicate" });
    expect(await derivedKeys(photoId)).toEqual(before);
    expect(await record(photoId)).toEqual(await record(photoId));
    expect(PhotoRecord.parse(await record(photoId))).toMatchObject({
      attempts: 1,
      processedAt: stored.processedAt,
    });
    expect(rekognition.commandCalls(DetectFacesCommand)).toHaveLength(1);
  });

  it("skips an older event that arrives after a newer upload was processed", async () => {
    const photoId = "1b2c3d4e-5f60-4718-9a0b-1c2d3e4f5a6b";
    const older = await upload(photoId, await photoJpeg(640, 800));
    const newer = await upload(photoId, await photoJpeg(800, 640));
    expect((await processS3Event(newer, deps))[0]?.outcome).toBe("approved");
    expect(await processS3Event(older, deps)).toEqual([{ outcome: "skipped", why: "superseded" }]);
    expect(await record(photoId)).toMatchObject({ width: 800, height: 640, attempts: 1 });
  });

  it("sees through a stale event for an overwritten object, then processes the newer one", async () => {
    const photoId = "2c3d4e5f-6071-4829-8b1c-2d3e4f5a6b7c";
    const stale = await upload(photoId, await photoJpeg(640, 800));
    const current = await upload(photoId, await photoJpeg(700, 900));
    expect(await processS3Event(stale, deps)).toMatchObject([
      { outcome: "failed", failure: { code: "UPLOAD_REPLACED" } },
    ]);
    expect(await derivedKeys(photoId)).toEqual([]);
    expect((await processS3Event(current, deps))[0]?.outcome).toBe("approved");
    expect(PhotoRecord.parse(await record(photoId))).toMatchObject({ width: 700, height: 900, attempts: 1 });
  });

  it("marks an upload deleted before processing as failed, without throwing", async () => {
    const photoId = "3d4e5f60-7182-4930-9c2d-3e4f5a6b7c8d";
    const event = await upload(photoId, await photoJpeg(640, 800));
    await backend.clients.s3.send(
      new DeleteObjectCommand({ Bucket: backend.bucket, Key: `uploads/${OWNER}/${photoId}.jpg` }),
    );
    expect(await processS3Event(event, deps)).toMatchObject([
      { outcome: "failed", failure: { code: "UPLOAD_NOT_FOUND" } },
    ]);
    expect(PhotoRecord.parse(await record(photoId))).toMatchObject({ status: "failed", attempts: 1 });
  });

  it("records a Rekognition outage as failed, then completes on Lambda's retry of the same event", async () => {
    const photoId = "4e5f6071-8293-4a41-8d3e-4f5a6b7c8d9e";
    const event = await upload(photoId, await photoJpeg(640, 800));
    rekognition.on(DetectModerationLabelsCommand).rejects(
      Object.assign(new Error("Service unavailable"), {
        name: "ServiceUnavailableException",
        $metadata: { httpStatusCode: 503 },
      }),
    );
    await expect(processS3Event(event, deps)).rejects.toMatchObject({ code: "REKOGNITION_FAILED" });
    expect(PhotoRecord.parse(await record(photoId))).toMatchObject({
      status: "failed",
      failure: { code: "REKOGNITION_FAILED" },
    });

    rekognition.on(DetectModerationLabelsCommand).resolves(moderation());
    expect((await processS3Event(event, deps))[0]?.outcome).toBe("approved");
    const done = PhotoRecord.parse(await record(photoId));
    expect(done).toMatchObject({ status: "approved", attempts: 2 });
    expect(done.failure).toBeUndefined();
    expect(await derivedKeys(photoId)).toHaveLength(4);
  });

  it("publishes the verdict and shared/ copies in S3; a reprocess against DynamoDB raises the version", async () => {
    const photoId = "5f607182-93a4-4b52-8e4f-5a6b7c8d9e0f";
    const event = await upload(photoId, await photoJpeg(640, 800));
    await processS3Event(event, deps);
    const first = await verdict(photoId);
    expect(first).toMatchObject({ version: 1, status: "approved", final: true });
    expect(await sharedFiles(photoId)).toEqual([
      "display.webp",
      "thumb-128.webp",
      "thumb-256.webp",
      "thumb-512.webp",
    ]);
    const copy = await read(`${sharedPrefix(OWNER, photoId)}thumb-128.webp`);
    expect(copy.body.equals((await read(`${photoPrefix(OWNER, photoId)}thumb-128.webp`)).body)).toBe(true);

    // The duplicate republishes the same version; the real conditional writes agree.
    await processS3Event(structuredClone(event), deps);
    expect(await verdict(photoId)).toEqual(first);

    // A user reported it: the reports are about this image, and go with the verdict a reprocess replaces.
    await backend.clients.dynamo.send(
      new UpdateCommand({
        TableName: backend.table,
        Key: { owner: OWNER, photoId },
        UpdateExpression: "SET reportedBy = :by, openReports = :reports, reviewQueue = :open",
        ExpressionAttributeValues: {
          ":by": ["99999999-8888-4777-8666-555555555555"],
          ":reports": [{ reason: "SPAM", at: "2026-03-01T00:00:00.000Z" }],
          ":open": "open",
        },
      }),
    );
    rekognition
      .on(DetectFacesCommand)
      .resolves(oneFace((f) => (f.EyesOpen = { Value: false, Confidence: 97 })));
    const outcome = await reprocessPhoto(
      { ...deps, config: { ...deps.config, bucket: backend.bucket } },
      OWNER,
      photoId,
    );
    expect(outcome.outcome).toBe("rejected");
    expect(await verdict(photoId)).toMatchObject({
      version: 2,
      status: "rejected",
      reasons: [{ code: "EYES_CLOSED" }],
    });
    expect(await sharedFiles(photoId)).toEqual([]);
    const after = await record(photoId);
    expect(after).toMatchObject({ verdictVersion: 2, status: "rejected", reviewQueue: "open" });
    expect(after).not.toHaveProperty("openReports");
    expect(after).not.toHaveProperty("reportedBy");
  });
});
