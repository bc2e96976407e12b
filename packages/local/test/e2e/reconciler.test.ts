import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { portraitScene } from "@photogate/local-emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANY_FREE_PORTS, type DevStackEndpoints, type DevStackUser } from "../../src/endpoints";
import { findUser, signInLocalUser } from "../../src/seed";
import { type DevStack, startDevStack } from "../../src/stack";
import { type PhotoUpload, uploadThroughEdge, waitForVerdict } from "../../src/upload";

/** Photo ids whose notification is lost: delivered to nobody, yet counted as delivered. */
const lost = new Set<string>();

let stack: DevStack;
let endpoints: DevStackEndpoints;
let dataDir: string;
let demo: DevStackUser;
let accessToken: string;
let portrait: Buffer;
let records: DynamoDBDocumentClient;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "photogate-reconcile-"));
  stack = await startDevStack({
    dataDir,
    ports: ANY_FREE_PORTS,
    async deliver(event, processor) {
      const key = decodeURIComponent(event.Records[0]!.s3.object.key.replace(/\+/g, " "));
      if (lost.has(key.slice(key.lastIndexOf("/") + 1, key.lastIndexOf(".")))) return [];
      return processor.process(event);
    },
  });
  endpoints = stack.endpoints;
  demo = findUser(endpoints, "demo");
  accessToken = (await signInLocalUser(endpoints, demo)).accessToken;
  portrait = (await portraitScene()).jpeg;
  records = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: endpoints.urls.dynamodb,
      region: endpoints.region,
      credentials: endpoints.serviceCredentials,
    }),
  );
}, 90_000);

afterAll(async () => {
  records?.destroy();
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function upload(options: { notificationLost?: boolean } = {}): Promise<PhotoUpload> {
  const photo: PhotoUpload = { owner: demo.sub, photoId: randomUUID(), extension: "jpg", body: portrait };
  if (options.notificationLost) lost.add(photo.photoId);
  await uploadThroughEdge(endpoints.urls.edge, accessToken, photo);
  await stack.notifications.idle();
  return photo;
}

async function record(photo: PhotoUpload) {
  const result = await records.send(
    new GetCommand({
      TableName: endpoints.photoTable,
      Key: { owner: photo.owner, photoId: photo.photoId },
      ConsistentRead: true,
    }),
  );
  return result.Item;
}

/** Leaves the record as a run does that died after claiming: `processing`, lease ending at `leaseEnds`. */
async function crashMidRun(photo: PhotoUpload, leaseEnds: Date) {
  await records.send(
    new UpdateCommand({
      TableName: endpoints.photoTable,
      Key: { owner: photo.owner, photoId: photo.photoId },
      UpdateExpression: "SET #s = :processing, claimId = :id, leaseExpiresAt = :lease",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: {
        ":processing": "processing",
        ":id": "the-dead-run",
        ":lease": leaseEnds.toISOString(),
      },
    }),
  );
}

describe("the reconciler in the local stack", () => {
  it("finishes an upload whose notification was lost and a claim whose lease ended; leaves live leases", async () => {
    const orphaned = await upload({ notificationLost: true });
    expect(await record(orphaned)).toBeUndefined();
    const stuck = await upload();
    await crashMidRun(stuck, new Date(Date.now() - 1000));
    const held = await upload();
    await crashMidRun(held, new Date(Date.now() + 3600_000));
    lost.clear();

    const report = await stack.reconcile({ olderThanSeconds: 0 });

    expect(report.found).toEqual(
      expect.arrayContaining([
        { key: `uploads/${demo.sub}/${orphaned.photoId}.jpg`, cause: "no-record" },
        { key: `uploads/${demo.sub}/${stuck.photoId}.jpg`, cause: "lease-expired" },
      ]),
    );
    expect(report.found.map((f) => f.key)).not.toContain(`uploads/${demo.sub}/${held.photoId}.jpg`);
    expect(report.failed).toEqual([]);
    expect(await record(orphaned)).toMatchObject({ status: "approved", claimedBy: "reconciler" });
    expect(await record(stuck)).toMatchObject({ status: "approved", claimedBy: "reconciler", attempts: 2 });
    expect(await record(held)).toMatchObject({ status: "processing", claimId: "the-dead-run" });
    // The owner's client sees the verdict the reconciler published.
    const verdict = await waitForVerdict(
      orphaned.owner,
      orphaned.photoId,
      { edgeUrl: endpoints.urls.edge, accessToken },
      { timeoutMs: 30_000 },
    );
    expect(verdict.status).toBe("approved");

    // Twice-run is harmless: nothing is left to find.
    const again = await stack.reconcile({ olderThanSeconds: 0 });
    expect(again.found).toEqual([]);
  }, 120_000);
});
