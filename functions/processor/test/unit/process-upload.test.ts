import { DynamoDBServiceException } from "@aws-sdk/client-dynamodb";
import {
  AccessDeniedException,
  DetectFacesCommand,
  DetectModerationLabelsCommand,
  RekognitionClient,
  ThrottlingException,
} from "@aws-sdk/client-rekognition";
import {
  GetObjectCommand,
  type GetObjectCommandInput,
  NoSuchKey,
  PutObjectCommand,
  type PutObjectCommandInput,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { PhotoRecord } from "@photogate/core";
import { mockClient } from "aws-sdk-client-mock";
import sharp from "sharp";
import { beforeEach, describe, expect, it } from "vitest";
import { createClients } from "../../src/clients";
import { RekognitionError } from "../../src/errors";
import { type ProcessorDeps, processS3Event } from "../../src/process-upload";
import {
  BUCKET,
  captureLogs,
  FakePhotoTable,
  fixture,
  moderation,
  noSleep,
  OWNER,
  oneFace,
  PHOTO_ID,
  photoJpeg,
  putEvent,
  testConfig,
} from "../helpers";

const s3 = mockClient(S3Client);
const dynamo = mockClient(DynamoDBDocumentClient);
const rekognition = mockClient(RekognitionClient);

const KEY = `uploads/${OWNER}/${PHOTO_ID}.jpg`;
const ETAG = "9b2cf535f27731c974343645a3985328";
const SEQ = "0066F2A3D20A1B2C3D";

let table: FakePhotoTable;
let objects: Map<string, { body: Buffer; eTag: string }>;
let puts: PutObjectCommandInput[];
let logs: ReturnType<typeof captureLogs>;
let deps: ProcessorDeps;
let portrait: Buffer;

/** GetObject as S3 answers it: 404 NoSuchKey, 412 when IfMatch no longer holds. */
function getObject(input: GetObjectCommandInput) {
  const object = objects.get(input.Key!);
  if (!object) {
    throw new NoSuchKey({ message: "The specified key does not exist.", $metadata: { httpStatusCode: 404 } });
  }
  if (input.IfMatch && input.IfMatch !== `"${object.eTag}"`) {
    throw new S3ServiceException({
      name: "PreconditionFailed",
      $fault: "client",
      message: "At least one of the pre-conditions you specified did not hold",
      $metadata: { httpStatusCode: 412 },
    });
  }
  return {
    ETag: `"${object.eTag}"`,
    ContentLength: object.body.length,
    Body: { transformToByteArray: async () => new Uint8Array(object.body) },
  } as never;
}

function upload(body: Buffer, eTag = ETAG, key = KEY) {
  objects.set(key, { body, eTag });
  return putEvent({ key, size: body.length, eTag, sequencer: SEQ });
}

const record = () => table.items.get(`${OWNER}/${PHOTO_ID}`);

beforeEach(async () => {
  s3.reset();
  dynamo.reset();
  rekognition.reset();
  table = new FakePhotoTable();
  objects = new Map();
  puts = [];
  logs = captureLogs();
  portrait ??= await photoJpeg(900, 1200);
  dynamo.on(UpdateCommand).callsFake((input) => table.update(input));
  dynamo.on(GetCommand).callsFake((input) => table.get(input));
  s3.on(GetObjectCommand).callsFake(getObject);
  s3.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => {
    puts.push(input);
    return { ETag: '"derived"' };
  });
  rekognition
    .on(DetectFacesCommand)
    .resolves(oneFace())
    .on(DetectModerationLabelsCommand)
    .resolves(moderation());
  deps = {
    ...createClients(),
    config: testConfig(),
    log: logs.log,
    now: () => new Date("2025-03-14T09:27:11.000Z"),
    rekognitionRetry: noSleep,
  };
});

describe("processS3Event", () => {
  it("approves a good portrait: derived images under photos/, a valid record", async () => {
    const [outcome] = await processS3Event(upload(portrait), deps);
    expect(outcome?.outcome).toBe("approved");

    const stored = PhotoRecord.parse(record());
    expect(stored).toMatchObject({
      owner: OWNER,
      photoId: PHOTO_ID,
      uploadKey: KEY,
      status: "approved",
      reasons: [],
      width: 900,
      height: 1200,
      format: "jpeg",
      bytes: portrait.length,
      attempts: 1,
      sourceETag: ETAG,
      sourceSequencer: SEQ.padStart(32, "0"),
      createdAt: "2025-03-14T09:27:11.000Z",
      processedAt: "2025-03-14T09:27:11.000Z",
      display: { key: `photos/${OWNER}/${PHOTO_ID}/display.webp`, width: 900, height: 1200 },
    });
    expect(stored.face?.count).toBe(1);
    expect(stored.thumbnails.map((t) => [t.key, t.width, t.height])).toEqual([
      [`photos/${OWNER}/${PHOTO_ID}/thumb-128.webp`, 128, 128],
      [`photos/${OWNER}/${PHOTO_ID}/thumb-256.webp`, 256, 256],
      [`photos/${OWNER}/${PHOTO_ID}/thumb-512.webp`, 512, 512],
    ]);

    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: BUCKET, Key: KEY, IfMatch: `"${ETAG}"` },
    ]);
    expect(puts.map((p) => p.Key).sort()).toEqual(
      [stored.display!.key, ...stored.thumbnails.map((t) => t.key)].sort(),
    );
    for (const put of puts) {
      expect(put.Bucket).toBe(BUCKET);
      expect(put.ContentType).toBe("image/webp");
      expect((await sharp(put.Body as Buffer).metadata()).format).toBe("webp");
    }
    expect(puts.some((p) => p.Key!.endsWith("status.json") || p.Key!.startsWith("shared/"))).toBe(false);
  });

  it("processes a duplicate delivery once: one record, one set of thumbnails", async () => {
    const event = upload(portrait);
    await processS3Event(event, deps);
    const putsAfterFirst = puts.length;
    const outcomes = await processS3Event(structuredClone(event), deps);
    expect(outcomes).toEqual([{ outcome: "skipped", why: "duplicate" }]);
    expect(puts).toHaveLength(putsAfterFirst);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);
    expect(rekognition.commandCalls(DetectFacesCommand)).toHaveLength(1);
    expect(table.items.size).toBe(1);
    expect(record()).toMatchObject({ status: "approved", attempts: 1 });
    expect(logs.entries.filter((e) => e.event === "upload.skipped")).toMatchObject([{ why: "duplicate" }]);
  });

  it("skips an older event that arrives after a newer one for the same key", async () => {
    const newer = upload(portrait, "newer0000000000000000000000000000");
    newer.Records[0]!.s3.object.sequencer = "0066F2A3D20A1B2C3E";
    await processS3Event(newer, deps);
    const older = putEvent({
      key: KEY,
      size: 1000,
      eTag: "older000000000000000000000000000",
      sequencer: "66F2A3D20A1B2C3D",
    });
    expect(await processS3Event(older, deps)).toEqual([{ outcome: "skipped", why: "superseded" }]);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);
    expect(record()).toMatchObject({ sourceETag: "newer0000000000000000000000000000", status: "approved" });
  });

  it("reprocesses a newer upload to the same key, replacing the old verdict", async () => {
    rekognition
      .on(DetectFacesCommand)
      .resolvesOnce(oneFace((f) => (f.Sunglasses = { Value: true, Confidence: 99 })))
      .resolves(oneFace());
    await processS3Event(upload(portrait), deps);
    expect(record()).toMatchObject({ status: "rejected" });
    const replaced = upload(portrait, "replaced000000000000000000000000");
    replaced.Records[0]!.s3.object.sequencer = "0066F2A3D20A1B2C3F";
    await processS3Event(replaced, deps);
    expect(PhotoRecord.parse(record())).toMatchObject({
      status: "approved",
      reasons: [],
      attempts: 1,
      sourceETag: "replaced000000000000000000000000",
    });
  });

  it("resumes this event after a crash mid-processing (Lambda retry), counting the attempt", async () => {
    table.items.set(`${OWNER}/${PHOTO_ID}`, {
      owner: OWNER,
      photoId: PHOTO_ID,
      uploadKey: KEY,
      status: "processing",
      reasons: [],
      bytes: portrait.length,
      thumbnails: [],
      moderationLabels: [],
      attempts: 1,
      sourceETag: ETAG,
      sourceSequencer: SEQ.padStart(32, "0"),
      createdAt: "2025-03-14T09:27:10.500Z",
    });
    const [outcome] = await processS3Event(upload(portrait), deps);
    expect(outcome?.outcome).toBe("approved");
    expect(record()).toMatchObject({ attempts: 2, createdAt: "2025-03-14T09:27:10.500Z" });
  });

  it("marks the record failed without throwing when the upload was deleted first", async () => {
    const event = putEvent({ key: KEY, size: 1234, eTag: ETAG, sequencer: SEQ });
    const outcomes = await processS3Event(event, deps);
    expect(outcomes).toMatchObject([{ outcome: "failed", failure: { code: "UPLOAD_NOT_FOUND" } }]);
    expect(PhotoRecord.parse(record())).toMatchObject({
      status: "failed",
      failure: { code: "UPLOAD_NOT_FOUND" },
    });
    expect(puts).toEqual([]);
  });

  it("treats an overwritten object (IfMatch fails) as replaced, not as an error", async () => {
    const event = upload(portrait);
    objects.set(KEY, { body: portrait, eTag: "overwritten00000000000000000000" });
    expect(await processS3Event(event, deps)).toMatchObject([
      { outcome: "failed", failure: { code: "UPLOAD_REPLACED" } },
    ]);
  });

  it("detects an overwritten object even where the server ignores IfMatch", async () => {
    const event = upload(portrait);
    s3.on(GetObjectCommand).callsFake((input: GetObjectCommandInput) =>
      getObject({ ...input, IfMatch: undefined }),
    );
    objects.set(KEY, { body: portrait, eTag: "overwritten00000000000000000000" });
    expect(await processS3Event(event, deps)).toMatchObject([
      { outcome: "failed", failure: { code: "UPLOAD_REPLACED" } },
    ]);
    expect(puts).toEqual([]);
  });

  it("rejects an upload over maxUploadBytes as TOO_LARGE without reading it", async () => {
    const event = putEvent({ key: KEY, size: 26 * 1024 * 1024, eTag: ETAG, sequencer: SEQ });
    await processS3Event(event, deps);
    expect(s3.commandCalls(GetObjectCommand)).toEqual([]);
    expect(PhotoRecord.parse(record())).toMatchObject({
      status: "rejected",
      reasons: [{ code: "TOO_LARGE", measured: 26 * 1024 * 1024, threshold: 25 * 1024 * 1024 }],
      thumbnails: [],
    });
  });

  it("rejects a file that is not an image without writing or calling Rekognition", async () => {
    await processS3Event(upload(Buffer.from("<html><body>not a photo</body></html>")), deps);
    expect(record()).toMatchObject({ status: "rejected", reasons: [{ code: "UNSUPPORTED_FORMAT" }] });
    expect(puts).toEqual([]);
    expect(rekognition.calls()).toEqual([]);
  });

  it("rejects a tiny image as TOO_SMALL without calling Rekognition, keeping its derived images", async () => {
    await processS3Event(upload(await photoJpeg(64, 64)), deps);
    expect(PhotoRecord.parse(record())).toMatchObject({
      status: "rejected",
      reasons: [{ code: "TOO_SMALL", measured: 64, threshold: 200 }],
      width: 64,
    });
    expect(rekognition.calls()).toEqual([]);
    expect(puts).toHaveLength(4);
  });

  it("keeps derived images of a photo rejected on its content, for support to review", async () => {
    rekognition
      .on(DetectFacesCommand)
      .resolves(oneFace((f) => (f.EyesOpen = { Value: false, Confidence: 96 })));
    await processS3Event(upload(portrait), deps);
    expect(PhotoRecord.parse(record())).toMatchObject({
      status: "rejected",
      reasons: [{ code: "EYES_CLOSED", measured: 96, threshold: 80 }],
      face: { eyesOpen: { value: false, confidence: 96 } },
    });
    expect(puts).toHaveLength(4);
  });

  it("retries Rekognition throttling and then approves", async () => {
    const throttled = new ThrottlingException({
      message: "Rate exceeded",
      $metadata: { httpStatusCode: 400 },
    });
    rekognition.on(DetectFacesCommand).rejectsOnce(throttled).rejectsOnce(throttled).resolves(oneFace());
    const [outcome] = await processS3Event(upload(portrait), deps);
    expect(outcome?.outcome).toBe("approved");
    expect(rekognition.commandCalls(DetectFacesCommand)).toHaveLength(3);
  });

  it("marks the record failed and throws on a permanent Rekognition failure (Lambda retries, then the DLQ)", async () => {
    rekognition
      .on(DetectModerationLabelsCommand)
      .rejects(new ThrottlingException({ message: "Rate exceeded", $metadata: { httpStatusCode: 400 } }));
    await expect(processS3Event(upload(portrait), deps)).rejects.toBeInstanceOf(RekognitionError);
    expect(PhotoRecord.parse(record())).toMatchObject({
      status: "failed",
      failure: { code: "REKOGNITION_FAILED" },
    });
    expect(logs.entries.find((e) => e.event === "upload.failed")).toMatchObject({ level: "error" });

    // Lambda's retry of the same event, once Rekognition is back, finishes the job.
    rekognition.on(DetectModerationLabelsCommand).resolves(moderation());
    const [outcome] = await processS3Event(upload(portrait), deps);
    expect(outcome?.outcome).toBe("approved");
    expect(PhotoRecord.parse(record())).toMatchObject({ attempts: 2, status: "approved" });
    expect(record()?.failure).toBeUndefined();
  });

  it("marks the record failed and throws when a derived image cannot be written", async () => {
    s3.on(PutObjectCommand).rejects(
      new S3ServiceException({
        name: "AccessDenied",
        $fault: "client",
        message: "Access Denied",
        $metadata: { httpStatusCode: 403 },
      }),
    );
    await expect(processS3Event(upload(portrait), deps)).rejects.toMatchObject({
      code: "DERIVED_WRITE_FAILED",
    });
    expect(record()).toMatchObject({ status: "failed", failure: { code: "DERIVED_WRITE_FAILED" } });
  });

  it("throws without touching S3 when the record cannot be claimed", async () => {
    dynamo.on(UpdateCommand).rejects(
      new DynamoDBServiceException({
        name: "ResourceNotFoundException",
        $fault: "client",
        message: "Requested resource not found",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    await expect(processS3Event(upload(portrait), deps)).rejects.toMatchObject({
      code: "RECORD_WRITE_FAILED",
    });
    expect(s3.calls()).toEqual([]);
  });

  it("leaves the record to a newer upload that took it over mid-processing", async () => {
    rekognition.on(DetectFacesCommand).callsFake(() => {
      const item = record()!;
      table.items.set(`${OWNER}/${PHOTO_ID}`, {
        ...item,
        sourceSequencer: "F".padStart(32, "F"),
        status: "processing",
      });
      return oneFace();
    });
    expect(await processS3Event(upload(portrait), deps)).toEqual([{ outcome: "superseded" }]);
    expect(record()).toMatchObject({ status: "processing" });
  });

  it("ignores keys outside uploads/ with no read and no write anywhere", async () => {
    expect(await processS3Event(fixture("outside-uploads.json"), deps)).toEqual([]);
    expect(s3.calls()).toEqual([]);
    expect(dynamo.calls()).toEqual([]);
    expect(rekognition.calls()).toEqual([]);
    expect(logs.entries).toMatchObject([{ event: "record.outside-uploads" }]);
  });

  it("accepts the s3:TestEvent with no calls", async () => {
    expect(await processS3Event(fixture("test-event.json"), deps)).toEqual([]);
    expect([...s3.calls(), ...dynamo.calls(), ...rekognition.calls()]).toEqual([]);
  });

  it("finishes the other records of an event before rethrowing one record's failure", async () => {
    const other = "0c7e5a1b-2d3f-4a5b-8c6d-7e8f9a0b1c2d";
    const first = upload(portrait);
    const second = upload(portrait, ETAG, `uploads/${OWNER}/${other}.jpg`);
    const event = { Records: [...first.Records, ...second.Records] };
    rekognition
      .on(DetectFacesCommand)
      .rejectsOnce(
        new AccessDeniedException({ message: "not authorised", $metadata: { httpStatusCode: 403 } }),
      )
      .resolves(oneFace());
    await expect(processS3Event(event, deps)).rejects.toBeInstanceOf(RekognitionError);
    expect(record()).toMatchObject({ status: "failed" });
    expect(table.items.get(`${OWNER}/${other}`)).toMatchObject({ status: "approved" });
  });
});
