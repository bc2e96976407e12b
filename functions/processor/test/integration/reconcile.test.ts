import { DetectFacesCommand, RekognitionClient } from "@aws-sdk/client-rekognition";
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ProcessorDeps, processS3Event } from "../../src/process-upload";
import { reconcile } from "../../src/reconcile";
import { photoJpeg, putEvent } from "../helpers";
import { type Backend, integrationDeps, startBackend } from "./emulators";

// Its own bucket and table: the reconciler walks all of uploads/, so no other test's objects.
const rekognition = mockClient(RekognitionClient);
const OWNER = "5d0c1b2a-3e4f-4a5b-9c6d-7e8f9a0b1c2d";
const ids = {
  orphan: "0a000000-0000-4000-8000-000000000001",
  stale: "0a000000-0000-4000-8000-000000000002",
  healthy: "0a000000-0000-4000-8000-000000000003",
  leased: "0a000000-0000-4000-8000-000000000004",
  replaced: "0a000000-0000-4000-8000-000000000005",
  young: "0a000000-0000-4000-8000-000000000006",
};
const key = (photoId: string) => `uploads/${OWNER}/${photoId}.jpg`;

let backend: Backend;
let deps: ProcessorDeps;
let jpeg: Buffer;
/** The reconciler's clock: ten minutes after the uploads, so they count as old. */
const later = () => new Date(Date.now() + 10 * 60_000);

beforeAll(async () => {
  backend = await startBackend();
  jpeg = await photoJpeg(640, 800);
}, 60_000);

afterAll(async () => {
  await backend?.stop();
});

beforeEach(() => {
  deps = integrationDeps(backend, rekognition);
  deps.config = { ...deps.config, bucket: backend.bucket, leaseSeconds: 90 };
});

async function put(photoId: string, body: Buffer = jpeg) {
  await backend.clients.s3.send(
    new PutObjectCommand({
      Bucket: backend.bucket,
      Key: key(photoId),
      Body: body,
      ContentType: "image/jpeg",
    }),
  );
  const head = await backend.clients.s3.send(
    new HeadObjectCommand({ Bucket: backend.bucket, Key: key(photoId) }),
  );
  return { eTag: head.ETag!.replaceAll('"', ""), size: head.ContentLength! };
}

async function record(photoId: string) {
  const result = await backend.clients.dynamo.send(
    new GetCommand({ TableName: backend.table, Key: { owner: OWNER, photoId }, ConsistentRead: true }),
  );
  return result.Item;
}

/** A record as a run leaves it when it dies after claiming: `processing`, with a lease ending at `leaseEnds`. */
async function claimedAndDied(photoId: string, object: { eTag: string; size: number }, leaseEnds: Date) {
  await backend.clients.dynamo.send(
    new PutCommand({
      TableName: backend.table,
      Item: {
        owner: OWNER,
        photoId,
        uploadKey: key(photoId),
        status: "processing",
        reasons: [],
        bytes: object.size,
        thumbnails: [],
        moderationLabels: [],
        attempts: 1,
        sourceETag: object.eTag,
        sourceSequencer: "0066F2A3D20A1B2C3D".padStart(32, "0"),
        createdAt: new Date().toISOString(),
        claimId: "the-dead-run",
        claimedBy: "s3-event",
        claimedAt: new Date().toISOString(),
        leaseExpiresAt: leaseEnds.toISOString(),
      },
    }),
  );
}

describe("reconciler against S3 and DynamoDB", () => {
  it("re-drives orphans, expired claims and lost newer uploads, leaves the rest, and is idempotent", async () => {
    // Healthy: uploaded and processed through its notification.
    const healthy = await put(ids.healthy);
    await processS3Event(
      putEvent({ bucket: backend.bucket, key: key(ids.healthy), ...healthy, sequencer: "10" }),
      deps,
    );
    // Orphan: in the bucket, its notification never arrived.
    await put(ids.orphan);
    // Stale: a run claimed it and died; its lease has ended by the reconciler's clock.
    await claimedAndDied(ids.stale, await put(ids.stale), new Date());
    // Leased: a run holds it and its lease is live even by the reconciler's clock.
    await claimedAndDied(ids.leased, await put(ids.leased), new Date(Date.now() + 3600_000));
    // Replaced: processed once, then overwritten by a newer upload whose notification was lost.
    const first = await put(ids.replaced, await photoJpeg(700, 900));
    await processS3Event(
      putEvent({ bucket: backend.bucket, key: key(ids.replaced), ...first, sequencer: "20" }),
      deps,
    );
    const second = await put(ids.replaced, await photoJpeg(900, 700));
    expect(second.eTag).not.toBe(first.eTag);
    const detections = rekognition.commandCalls(DetectFacesCommand).length;

    const report = await reconcile(
      { ...deps, now: later },
      { startAfter: `uploads/${OWNER}/0a000000-0000-4000-8000-000000000003` },
    );

    expect(report.coveredAll).toBe(true);
    expect(report.listed).toBe(5);
    expect(report.found.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: key(ids.orphan), cause: "no-record" },
      { key: key(ids.stale), cause: "lease-expired" },
      { key: key(ids.replaced), cause: "replaced" },
    ]);
    expect(report.failed).toEqual([]);
    expect(report.redriven.map((r) => r.outcome)).toEqual(["approved", "approved", "approved"]);
    expect(await record(ids.orphan)).toMatchObject({
      status: "approved",
      claimedBy: "reconciler",
      attempts: 1,
    });
    expect(await record(ids.stale)).toMatchObject({
      status: "approved",
      claimedBy: "reconciler",
      attempts: 2,
    });
    expect(await record(ids.replaced)).toMatchObject({
      status: "approved",
      sourceETag: second.eTag,
      width: 900,
    });
    expect(await record(ids.leased)).toMatchObject({ status: "processing", claimId: "the-dead-run" });
    expect(await record(ids.healthy)).toMatchObject({ status: "approved", claimedBy: "s3-event" });
    expect(rekognition.commandCalls(DetectFacesCommand).length).toBe(detections + 3);

    const again = await reconcile({ ...deps, now: later });
    expect(again.found).toEqual([]);
    expect(rekognition.commandCalls(DetectFacesCommand).length).toBe(detections + 3);
  });

  it("leaves uploads younger than olderThanSeconds to their notification, and bounds each run", async () => {
    await put(ids.young);
    const fresh = await reconcile(deps, {
      limits: { olderThanSeconds: 300, maxKeysPerRun: 100, maxRedrivesPerRun: 10 },
    });
    expect(fresh.found).toEqual([]);
    expect(await record(ids.young)).toBeUndefined();

    const bounded = await reconcile(
      { ...deps, now: later },
      { limits: { olderThanSeconds: 300, maxKeysPerRun: 2, maxRedrivesPerRun: 1 }, startAfter: "uploads/" },
    );
    expect(bounded.listed).toBe(2);
    expect(bounded.coveredAll).toBe(false);

    const all = await reconcile(
      { ...deps, now: later },
      { limits: { olderThanSeconds: 300, maxKeysPerRun: 100, maxRedrivesPerRun: 1 }, startAfter: "uploads/" },
    );
    expect(all.found.map((f) => f.key)).toEqual([key(ids.young)]);
    expect(all.redriven).toHaveLength(1);
    expect(await record(ids.young)).toMatchObject({ status: "approved", claimedBy: "reconciler" });
  });
});
