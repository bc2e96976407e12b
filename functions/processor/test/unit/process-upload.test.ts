import {
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  UserNotFoundException,
} from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBServiceException } from "@aws-sdk/client-dynamodb";
import {
  AccessDeniedException,
  DetectFacesCommand,
  DetectModerationLabelsCommand,
  ThrottlingException,
} from "@aws-sdk/client-rekognition";
import {
  GetObjectCommand,
  type GetObjectCommandInput,
  PutObjectCommand,
  type PutObjectCommandInput,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { PhotoRecord, VerdictDocument } from "@photogate/core";
import { deletePhotoDerivatives, unpublishPhoto } from "@photogate/publishing";
import { mockClient } from "aws-sdk-client-mock";
import sharp from "sharp";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RekognitionError } from "../../src/errors";
import { type ProcessorDeps, processS3Event, reprocessPhoto } from "../../src/process-upload";
import { type FakeBucket, type ProcessorHarness, processorHarness } from "../harness";
import {
  BUCKET,
  type FakePhotoTable,
  faces,
  fixture,
  moderation,
  OWNER,
  oneFace,
  PHOTO_ID,
  photoJpeg,
  putEvent,
  testConfig,
} from "../helpers";

const cognito = mockClient(CognitoIdentityProviderClient);

const KEY = `uploads/${OWNER}/${PHOTO_ID}.jpg`;
const ETAG = "9b2cf535f27731c974343645a3985328";
const SEQ = "0066F2A3D20A1B2C3D";

let harness: ProcessorHarness;
let s3: ProcessorHarness["s3"];
let dynamo: ProcessorHarness["dynamo"];
let rekognition: ProcessorHarness["rekognition"];
let table: FakePhotoTable;
let bucket: FakeBucket;
let objects: FakeBucket["objects"];
let logs: ProcessorHarness["logs"];
let deps: ProcessorDeps;
let portrait: Buffer;

const accessDenied = () =>
  new S3ServiceException({
    name: "AccessDenied",
    $fault: "client",
    message: "Access Denied",
    $metadata: { httpStatusCode: 403 },
  });
const throttled = () =>
  new ThrottlingException({ message: "Rate exceeded", $metadata: { httpStatusCode: 400 } });

function upload(body: Buffer, eTag = ETAG, key = KEY, metadata?: Record<string, string>) {
  objects.set(key, { body, eTag, ...(metadata ? { metadata } : {}) });
  return putEvent({ key, size: body.length, eTag, sequencer: SEQ });
}

const record = () => table.items.get(`${OWNER}/${PHOTO_ID}`);
/** The record a run leaves when it dies after claiming this upload, before any verdict. */
const claimedAndDied = (fields: Record<string, unknown> = {}) =>
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
    ...fields,
  });
const STATUS_KEY = `photos/${OWNER}/${PHOTO_ID}/status.json`;
const puts = () => s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
/** PutObject calls of derived images (status.json is the verdict, not an image). */
const imagePuts = () => puts().filter((p) => !p.Key!.endsWith("/status.json"));
const verdict = () => {
  const stored = objects.get(STATUS_KEY);
  return stored ? VerdictDocument.parse(JSON.parse(stored.body.toString("utf8"))) : undefined;
};
const sharedKeys = () => [...objects.keys()].filter((k) => k.startsWith("shared/")).sort();

beforeEach(async () => {
  harness = processorHarness();
  ({ s3, dynamo, rekognition, photos: table, bucket, logs } = harness);
  objects = bucket.objects;
  cognito.reset();
  portrait ??= await photoJpeg(900, 1200);
  deps = { ...harness.deps, now: () => new Date("2025-03-14T09:27:11.000Z") };
});
afterEach(() => harness.restore());

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
    expect(
      imagePuts()
        .map((p) => p.Key)
        .sort(),
    ).toEqual([stored.display!.key, ...stored.thumbnails.map((t) => t.key)].sort());
    for (const put of imagePuts()) {
      expect(put.Bucket).toBe(BUCKET);
      expect(put.ContentType).toBe("image/webp");
      expect((await sharp(put.Body as Buffer).metadata()).format).toBe("webp");
    }
    // Nothing but the processor's own outputs is written directly; shared/ copies are copies.
    expect(puts().every((p) => p.Key!.startsWith(`photos/${OWNER}/${PHOTO_ID}/`))).toBe(true);
  });

  it("processes a duplicate delivery once: one record, one set of thumbnails", async () => {
    const event = upload(portrait);
    await processS3Event(event, deps);
    const putsAfterFirst = imagePuts().length;
    const outcomes = await processS3Event(structuredClone(event), deps);
    expect(outcomes).toEqual([{ outcome: "skipped", why: "duplicate" }]);
    expect(imagePuts()).toHaveLength(putsAfterFirst);
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
    // A record from before leases: no lease counts as ended.
    claimedAndDied();
    const [outcome] = await processS3Event(upload(portrait), deps);
    expect(outcome?.outcome).toBe("approved");
    expect(record()).toMatchObject({ attempts: 2, createdAt: "2025-03-14T09:27:10.500Z" });
  });

  describe("claim leases", () => {
    const t0 = new Date("2026-11-27T10:00:00.000Z");
    const at = (ms: number) => () => new Date(t0.getTime() + ms);
    const lease = 90; // seconds

    it("a redelivery under a live lease is skipped; once the lease ends it takes the photo over", async () => {
      const event = upload(portrait);
      deps.config = { ...deps.config, leaseSeconds: lease };
      // A run claimed the photo at t0 and died (a crash, or Lambda's timeout) before any verdict.
      rekognition.on(DetectFacesCommand).rejectsOnce(new Error("process killed")).resolves(oneFace());
      deps.now = at(0);
      await expect(processS3Event(event, deps)).rejects.toThrow("process killed");
      table.items.set(`${OWNER}/${PHOTO_ID}`, {
        ...record(),
        status: "processing",
        claimId: "the-dead-run",
        leaseExpiresAt: new Date(t0.getTime() + lease * 1000).toISOString(),
      });

      deps.now = at((lease - 1) * 1000);
      const [early] = await processS3Event(structuredClone(event), deps);
      expect(early).toEqual({ outcome: "skipped", why: "leased" });
      expect(record()).toMatchObject({ status: "processing", claimId: "the-dead-run" });
      expect(logs.entries.find((e) => e.event === "upload.skipped")).toMatchObject({
        why: "leased",
        lease: { secondsLeft: 1, claimedBy: "s3-event" },
      });

      deps.now = at(lease * 1000);
      const [late] = await processS3Event(structuredClone(event), deps);
      expect(late?.outcome).toBe("approved");
      const stored = record()!;
      expect(stored).toMatchObject({ status: "approved", attempts: 2, claimedBy: "s3-event" });
      expect(stored.claimedAt).toBe(new Date(t0.getTime() + lease * 1000).toISOString());
      // A final record holds no lease and no fencing token.
      expect(stored.leaseExpiresAt).toBeUndefined();
      expect(stored.claimId).toBeUndefined();
    });

    it("a run whose lease was taken over cannot overwrite the verdict of the run that took it", async () => {
      const event = upload(portrait);
      deps.config = { ...deps.config, leaseSeconds: lease };
      let calls = 0;
      let takeover: Promise<unknown> | undefined;
      rekognition.on(DetectFacesCommand).callsFake(async () => {
        calls++;
        if (calls === 1) {
          // The first run stalls past its lease; a redelivery takes the photo over and finishes.
          takeover = processS3Event(structuredClone(event), { ...deps, now: at((lease + 5) * 1000) });
          await takeover;
          return oneFace((f) => (f.EyesOpen = { Value: false, Confidence: 99 }));
        }
        return oneFace();
      });
      const [stale] = await processS3Event(event, { ...deps, now: at(0) });
      expect(stale).toEqual({ outcome: "superseded" });
      expect(await takeover).toMatchObject([{ outcome: "approved" }]);
      expect(record()).toMatchObject({ status: "approved", attempts: 2, verdictVersion: 1 });
      expect(verdict()).toMatchObject({ version: 1, status: "approved" });
    });

    it("support's reprocess takes over an expired lease", async () => {
      deps.config = { ...deps.config, leaseSeconds: lease, bucket: BUCKET };
      objects.set(KEY, { body: portrait, eTag: ETAG });
      claimedAndDied({
        createdAt: t0.toISOString(),
        claimId: "the-dead-run",
        claimedBy: "s3-event",
        claimedAt: t0.toISOString(),
        leaseExpiresAt: new Date(t0.getTime() + lease * 1000).toISOString(),
      });
      await expect(reprocessPhoto({ ...deps, now: at(10_000) }, OWNER, PHOTO_ID)).rejects.toThrow(
        /lease ends in 80 s/,
      );
      const outcome = await reprocessPhoto({ ...deps, now: at((lease + 1) * 1000) }, OWNER, PHOTO_ID);
      expect(outcome.outcome).toBe("approved");
      expect(record()).toMatchObject({ status: "approved", claimedBy: "reprocess" });
    });
  });

  it("marks the record failed without throwing when the upload was deleted first", async () => {
    const event = putEvent({ key: KEY, size: 1234, eTag: ETAG, sequencer: SEQ });
    const outcomes = await processS3Event(event, deps);
    expect(outcomes).toMatchObject([{ outcome: "failed", failure: { code: "UPLOAD_NOT_FOUND" } }]);
    expect(PhotoRecord.parse(record())).toMatchObject({
      status: "failed",
      failure: { code: "UPLOAD_NOT_FOUND" },
    });
    expect(imagePuts()).toEqual([]);
    // Nothing will retry a vanished upload, so the failed verdict is final.
    expect(verdict()).toMatchObject({ status: "failed", final: true, failure: { code: "UPLOAD_NOT_FOUND" } });
  });

  it("tells a deleted upload answered 403 (S3 without ListBucket) from a real refusal by listing the key", async () => {
    s3.on(GetObjectCommand).callsFake(() => {
      throw accessDenied();
    });
    // Gone: the key is not listed, so the 403 meant "no such key".
    const [gone] = await processS3Event(putEvent({ key: KEY, size: 1234, eTag: ETAG, sequencer: SEQ }), deps);
    expect(gone).toMatchObject({ outcome: "failed", failure: { code: "UPLOAD_NOT_FOUND" } });

    // Present but unreadable: a real refusal, retried and then dead-lettered.
    const other = "0c7e5a1b-2d3f-4a5b-8c6d-7e8f9a0b1c2d";
    const key = `uploads/${OWNER}/${other}.jpg`;
    objects.set(key, { body: portrait, eTag: ETAG });
    await expect(
      processS3Event(putEvent({ key, size: portrait.length, eTag: ETAG, sequencer: SEQ }), deps),
    ).rejects.toMatchObject({ code: "UPLOAD_READ_FAILED" });
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
      bucket.getObject({ ...input, IfMatch: undefined }),
    );
    objects.set(KEY, { body: portrait, eTag: "overwritten00000000000000000000" });
    expect(await processS3Event(event, deps)).toMatchObject([
      { outcome: "failed", failure: { code: "UPLOAD_REPLACED" } },
    ]);
    expect(imagePuts()).toEqual([]);
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
    expect(imagePuts()).toEqual([]);
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
    expect(imagePuts()).toHaveLength(4);
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
    expect(imagePuts()).toHaveLength(4);
  });

  it("retries Rekognition throttling and then approves", async () => {
    rekognition.on(DetectFacesCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves(oneFace());
    const [outcome] = await processS3Event(upload(portrait), deps);
    expect(outcome?.outcome).toBe("approved");
    expect(rekognition.commandCalls(DetectFacesCommand)).toHaveLength(3);
  });

  it("marks the record failed and throws on a permanent Rekognition failure (Lambda retries, then the DLQ)", async () => {
    rekognition.on(DetectModerationLabelsCommand).rejects(throttled());
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
    s3.on(PutObjectCommand).rejects(accessDenied());
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

describe("the verdict document and shared/ copies", () => {
  const sharedOf = (key: string) => key.replace(/^photos\//, "shared/");
  const withBucket = () => ({ ...deps, config: { ...deps.config, bucket: BUCKET } });

  it("is written last: when status.json is put, every image it names (and its shared copy) exists", async () => {
    const missingAtPublish: string[] = [];
    s3.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => {
      if (input.Key === STATUS_KEY) {
        const doc = VerdictDocument.parse(JSON.parse(String(input.Body)));
        const named = [
          doc.images.display!,
          ...doc.images.thumbnails,
          doc.shared!.display!,
          ...doc.shared!.thumbnails,
        ];
        missingAtPublish.push(...named.map((i) => i.key).filter((k) => !objects.has(k)));
      }
      return bucket.putObject(input);
    });

    await processS3Event(upload(portrait), deps);

    expect(missingAtPublish).toEqual([]);
    expect(bucket.writes.at(-1)).toEqual(["put", STATUS_KEY]);
    expect(bucket.writes.filter(([, k]) => k === STATUS_KEY)).toHaveLength(1);
    const stored = PhotoRecord.parse(record());
    const doc = verdict()!;
    expect(doc).toMatchObject({
      version: 1,
      owner: OWNER,
      photoId: PHOTO_ID,
      status: "approved",
      final: true,
      reasons: [],
      width: 900,
      height: 1200,
      bytes: portrait.length,
      uploadedAt: "2025-03-14T09:27:11.000Z",
      processedAt: "2025-03-14T09:27:11.000Z",
    });
    expect(doc.images.thumbnails.map((t) => t.key)).toEqual(stored.thumbnails.map((t) => t.key));
    expect(doc.shared?.thumbnails.map((t) => t.key)).toEqual(stored.thumbnails.map((t) => sharedOf(t.key)));
    expect(objects.get(STATUS_KEY)).toMatchObject({
      contentType: "application/json",
      cacheControl: "no-store",
    });
    for (const image of [stored.display!, ...stored.thumbnails]) {
      const copy = objects.get(sharedOf(image.key));
      expect(copy?.body.equals(objects.get(image.key)!.body)).toBe(true);
      expect(copy).toMatchObject({ contentType: "image/webp", cacheControl: "max-age=60" });
    }
    expect(record()).toMatchObject({ verdictVersion: 1 });
  });

  it("a rejection names each reason with its measured value and threshold, and shares nothing", async () => {
    rekognition
      .on(DetectFacesCommand)
      .resolves(oneFace((f) => (f.EyesOpen = { Value: false, Confidence: 96 })));
    await processS3Event(upload(portrait), deps);
    expect(verdict()).toMatchObject({
      version: 1,
      status: "rejected",
      final: true,
      reasons: [{ code: "EYES_CLOSED", measured: 96, threshold: 80 }],
    });
    expect(verdict()?.images.thumbnails).toHaveLength(3);
    expect(verdict()?.shared).toBeUndefined();
    expect(sharedKeys()).toEqual([]);
  });

  it("shared copies vanish when a newer upload to the key is rejected; the version grows", async () => {
    await processS3Event(upload(portrait), deps);
    expect(sharedKeys()).toHaveLength(4);
    rekognition.on(DetectFacesCommand).resolves(faces());
    const newer = upload(portrait, "newer0000000000000000000000000000");
    newer.Records[0]!.s3.object.sequencer = "0066F2A3D20A1B2C3E";
    await processS3Event(newer, deps);
    expect(sharedKeys()).toEqual([]);
    expect(verdict()).toMatchObject({ version: 2, status: "rejected", reasons: [{ code: "NO_FACE" }] });
  });

  it("a duplicate event neither adds a version nor lowers one, and restores a verdict lost in a crash", async () => {
    const event = upload(portrait);
    await processS3Event(event, deps);
    const first = objects.get(STATUS_KEY)!.body.toString();

    await processS3Event(structuredClone(event), deps);
    expect(objects.get(STATUS_KEY)!.body.toString()).toBe(first);
    expect(record()).toMatchObject({ verdictVersion: 1 });

    // Crash between the final record write and status.json: the retry is a duplicate.
    objects.delete(STATUS_KEY);
    for (const key of sharedKeys()) objects.delete(key);
    await processS3Event(structuredClone(event), deps);
    expect(verdict()).toMatchObject({ version: 1, status: "approved" });
    expect(sharedKeys()).toHaveLength(4);
    expect(rekognition.commandCalls(DetectFacesCommand)).toHaveLength(1);

    // After a reprocess (version 2), a late duplicate of the original event republishes version 2.
    await reprocessPhoto(withBucket(), OWNER, PHOTO_ID);
    await processS3Event(structuredClone(event), deps);
    expect(verdict()).toMatchObject({ version: 2 });
    expect(record()).toMatchObject({ verdictVersion: 2 });
  });

  it("a failure before the last attempt publishes a verdict that is not final; the retry finishes it", async () => {
    rekognition.on(DetectModerationLabelsCommand).rejects(throttled());
    await expect(processS3Event(upload(portrait), deps)).rejects.toBeInstanceOf(RekognitionError);
    expect(verdict()).toMatchObject({
      version: 1,
      status: "failed",
      final: false,
      failure: { code: "REKOGNITION_FAILED" },
    });
    expect(sharedKeys()).toEqual([]);

    rekognition.on(DetectModerationLabelsCommand).resolves(moderation());
    await processS3Event(upload(portrait), deps);
    expect(verdict()).toMatchObject({ version: 2, status: "approved", final: true });
    expect(verdict()?.failure).toBeUndefined();
  });

  it("the last attempt's failure is final", async () => {
    deps.config = { ...deps.config, maxAttempts: 1 };
    rekognition.on(DetectModerationLabelsCommand).rejects(throttled());
    await expect(processS3Event(upload(portrait), deps)).rejects.toBeInstanceOf(RekognitionError);
    expect(verdict()).toMatchObject({ status: "failed", final: true });
  });

  it("reprocessPhoto re-runs a finished photo: new verdict, higher version, shared copies follow it", async () => {
    await processS3Event(upload(portrait), deps);
    expect(verdict()).toMatchObject({ version: 1, status: "approved" });
    rekognition
      .on(DetectFacesCommand)
      .resolves(oneFace((f) => (f.Sunglasses = { Value: true, Confidence: 99 })));

    const outcome = await reprocessPhoto(withBucket(), OWNER, PHOTO_ID);

    expect(outcome.outcome).toBe("rejected");
    expect(verdict()).toMatchObject({ version: 2, status: "rejected", reasons: [{ code: "SUNGLASSES" }] });
    expect(sharedKeys()).toEqual([]);
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).toEqual([KEY, KEY]);
    expect(record()).toMatchObject({ status: "rejected", attempts: 1, verdictVersion: 2 });
  });

  it("reprocessPhoto refuses a photo with no record, or one under a live lease, without touching S3", async () => {
    await expect(reprocessPhoto(withBucket(), OWNER, PHOTO_ID)).rejects.toMatchObject({
      code: "REPROCESS_NO_RECORD",
    });
    const inAMinute = "2025-03-14T09:28:11.000Z"; // deps.now + 60 s
    claimedAndDied({ bytes: 10, claimId: "another-run", claimedBy: "s3-event", leaseExpiresAt: inAMinute });
    const refusal = reprocessPhoto(withBucket(), OWNER, PHOTO_ID);
    await expect(refusal).rejects.toMatchObject({ code: "REPROCESS_IN_PROGRESS" });
    await expect(refusal).rejects.toThrow(/lease ends in 60 s/);
    expect(s3.calls()).toEqual([]);
  });

  it("unpublishPhoto removes only shared/ copies; deletePhotoDerivatives removes photos/ as well", async () => {
    await processS3Event(upload(portrait), deps);
    const other = "0c7e5a1b-2d3f-4a5b-8c6d-7e8f9a0b1c2d";
    objects.set(`shared/${OWNER}/${other}/display.webp`, { body: Buffer.from("x"), eTag: "x" });
    const publish = { s3: deps.s3, bucket: BUCKET };

    const unshared = await unpublishPhoto(publish, OWNER, PHOTO_ID);
    expect(unshared.sort()).toEqual(
      ["display.webp", "thumb-128.webp", "thumb-256.webp", "thumb-512.webp"].map(
        (f) => `shared/${OWNER}/${PHOTO_ID}/${f}`,
      ),
    );
    expect(sharedKeys()).toEqual([`shared/${OWNER}/${other}/display.webp`]);
    expect(objects.has(STATUS_KEY)).toBe(true);

    await processS3Event(structuredClone(upload(portrait)), deps); // duplicate: re-shares
    await deletePhotoDerivatives(publish, OWNER, PHOTO_ID);
    expect([...objects.keys()].filter((k) => k.includes(PHOTO_ID))).toEqual([KEY]);
  });
});

describe("uploads with the profile-picture intent (issue 13)", () => {
  const POOL = "eu-west-1_Pool1";
  const BASE = "https://d111111abcdef8.cloudfront.net";
  const PICTURE = `${BASE}/shared/${OWNER}/${PHOTO_ID}/display.webp`;
  const intent = { "photogate-intent": "profile-picture" };
  const pictureDeps = () => ({
    ...deps,
    cognito: new CognitoIdentityProviderClient({ region: "eu-west-1" }),
    config: { ...testConfig(), userPoolId: POOL, pictureBaseUrl: BASE },
  });

  it("approved: sets `picture` to the shared display image, and the record and status.json say so", async () => {
    await processS3Event(upload(portrait, ETAG, KEY, intent), pictureDeps());
    expect(cognito.commandCalls(AdminUpdateUserAttributesCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: POOL, Username: OWNER, UserAttributes: [{ Name: "picture", Value: PICTURE }] },
    ]);
    const expected = { requested: true, set: true, picture: PICTURE };
    expect(PhotoRecord.parse(record()).profilePicture).toEqual(expected);
    expect(verdict()?.profilePicture).toEqual(expected);
    // The picture names a copy that exists once the verdict is out.
    expect(sharedKeys()).toContain(`shared/${OWNER}/${PHOTO_ID}/display.webp`);
  });

  it("rejected: `picture` is not touched and the verdict says why it was not set", async () => {
    rekognition.on(DetectFacesCommand).resolves(faces());
    await processS3Event(upload(portrait, ETAG, KEY, intent), pictureDeps());
    expect(cognito.calls()).toEqual([]);
    expect(verdict()).toMatchObject({
      status: "rejected",
      profilePicture: { requested: true, set: false, code: "PHOTO_REJECTED" },
    });
    expect(verdict()?.profilePicture?.message).toContain("NO_FACE");
  });

  it("an upload without the intent, or with an unknown one, never touches `picture`", async () => {
    await processS3Event(upload(portrait, ETAG, KEY, { "photogate-intent": "avatar" }), pictureDeps());
    expect(cognito.calls()).toEqual([]);
    expect(verdict()?.status).toBe("approved");
    expect(verdict()).not.toHaveProperty("profilePicture");
    expect(logs.entries.some((e) => e.event === "upload.intent-unknown")).toBe(true);
  });

  it("a user deleted meanwhile: the photo is approved, the verdict says USER_NOT_FOUND", async () => {
    cognito
      .on(AdminUpdateUserAttributesCommand)
      .rejects(new UserNotFoundException({ message: "User does not exist.", $metadata: {} }));
    await processS3Event(upload(portrait, ETAG, KEY, intent), pictureDeps());
    expect(verdict()).toMatchObject({
      status: "approved",
      profilePicture: { requested: true, set: false, code: "USER_NOT_FOUND" },
    });
  });

  it("without a user pool (LocalStack) the verdict says NOT_CONFIGURED and nothing is called", async () => {
    await processS3Event(upload(portrait, ETAG, KEY, intent), {
      ...deps,
      cognito: new CognitoIdentityProviderClient({ region: "eu-west-1" }),
    });
    expect(cognito.calls()).toEqual([]);
    expect(verdict()?.profilePicture).toMatchObject({ set: false, code: "NOT_CONFIGURED" });
  });

  it("a reprocess does not set `picture` again (the user may have chosen another since)", async () => {
    await processS3Event(upload(portrait, ETAG, KEY, intent), pictureDeps());
    cognito.resetHistory();
    await reprocessPhoto(
      { ...pictureDeps(), config: { ...pictureDeps().config, bucket: BUCKET } },
      OWNER,
      PHOTO_ID,
    );
    expect(cognito.calls()).toEqual([]);
    expect(verdict()?.status).toBe("approved");
    expect(verdict()).not.toHaveProperty("profilePicture");
  });
});
