import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { identityPoolCredentialProvider, PhotoUploadError, VerdictTimeoutError } from "@photogate/client";
import { photoPrefix, statusKey, type VerdictDocument } from "@photogate/core";
import { portraitScene, scene } from "@photogate/local-emulators";
import { createClients } from "@photogate/processor";
import type { S3Event } from "aws-lambda";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANY_FREE_PORTS, type DevStackEndpoints, type DevStackUser } from "../../src/endpoints";
import { findUser, signInLocalUser } from "../../src/seed";
import { type DevStack, startDevStack } from "../../src/stack";
import {
  localS3Client,
  type PhotoUpload,
  uploadDirect,
  uploadThroughEdge,
  waitForVerdict,
} from "../../src/upload";

/** Photo ids whose first delivery fails midway, and whose delivery is repeated. */
const failFirstAttempt = new Set<string>();
const deliverTwice = new Set<string>();
const deliveries = new Map<string, number>();

let stack: DevStack;
let endpoints: DevStackEndpoints;
let dataDir: string;
let demo: DevStackUser;
let support: DevStackUser;
let demoTokens: Awaited<ReturnType<typeof signInLocalUser>>;
let portrait: Buffer;

function photoIdOf(event: S3Event): string {
  const key = decodeURIComponent(event.Records[0]!.s3.object.key.replace(/\+/g, " "));
  return key.slice(key.lastIndexOf("/") + 1, key.lastIndexOf("."));
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "photogate-e2e-"));
  stack = await startDevStack({
    dataDir,
    ports: ANY_FREE_PORTS,
    async deliver(event, processor) {
      const photoId = photoIdOf(event);
      const attempt = (deliveries.get(photoId) ?? 0) + 1;
      deliveries.set(photoId, attempt);
      if (failFirstAttempt.has(photoId) && attempt === 1) {
        // Rekognition unreachable midway through: the record is claimed, images may be written.
        const broken = createClients({
          rekognition: {
            endpoint: "http://127.0.0.1:9",
            region: endpoints.region,
            credentials: endpoints.serviceCredentials,
          },
        }).rekognition;
        return processor.process(event, {
          rekognition: broken,
          rekognitionRetry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
        });
      }
      const outcome = await processor.process(event);
      if (deliverTwice.has(photoId) && attempt === 1) {
        deliveries.set(photoId, attempt + 1);
        await processor.process(event);
      }
      return outcome;
    },
  });
  endpoints = stack.endpoints;
  demo = findUser(endpoints, "demo");
  support = findUser(endpoints, "support");
  demoTokens = await signInLocalUser(endpoints, demo);
  portrait = (await portraitScene()).jpeg;
}, 60_000);

afterAll(async () => {
  if (waits.length) {
    const sorted = [...waits].sort((a, b) => a - b);
    const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
    console.log(
      `upload → final verdict (client polling status.json), ${waits.length} uploads: median ${at(0.5)} ms, max ${at(1)} ms`,
    );
  }
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function photo(body: Buffer, owner = demo.sub): PhotoUpload {
  return { owner, photoId: randomUUID(), extension: "jpg", body };
}

/** How long each client waited between its upload finishing and its final verdict. */
const waits: number[] = [];

/** Uploads, then waits for the verdict the way an app does: polling status.json through the edge. */
async function uploadAndWait(upload: PhotoUpload): Promise<VerdictDocument> {
  await uploadThroughEdge(endpoints.urls.edge, demoTokens.accessToken, upload);
  return timedVerdict(upload, { edgeUrl: endpoints.urls.edge, accessToken: demoTokens.accessToken });
}

async function timedVerdict(upload: PhotoUpload, source: Parameters<typeof waitForVerdict>[2]) {
  const started = performance.now();
  const verdict = await waitForVerdict(upload.owner, upload.photoId, source, { timeoutMs: 30_000 });
  waits.push(performance.now() - started);
  return verdict;
}

function identityCredentials(idToken: string) {
  return identityPoolCredentialProvider({
    clientConfig: { endpoint: endpoints.urls.cognitoIdentity, region: endpoints.region },
    identityPoolId: endpoints.identityPoolId,
    userPoolProvider: endpoints.userPool.providerName,
    idToken: () => idToken,
  });
}

async function derivedKeys(owner: string, photoId: string): Promise<string[]> {
  const s3 = localS3Client(endpoints.urls.s3, endpoints.region, endpoints.serviceCredentials);
  try {
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: endpoints.bucket, Prefix: photoPrefix(owner, photoId) }),
    );
    return (listed.Contents ?? []).map((o) => o.Key!).sort();
  } finally {
    s3.destroy();
  }
}

describe("pnpm dev's local stack, end to end", () => {
  it("approves a face photo uploaded through the edge, with thumbnails the owner can fetch", async () => {
    const upload = photo(portrait);
    const record = await uploadAndWait(upload);

    expect(record).toMatchObject({ status: "approved", final: true, version: 1, reasons: [] });
    expect(record.images.thumbnails.map((t) => t.size)).toEqual([128, 256, 512]);
    for (const thumbnail of record.images.thumbnails) {
      const response = await fetch(`${endpoints.urls.edge}/${thumbnail.key}`, {
        headers: { authorization: `Bearer ${demoTokens.accessToken}` },
      });
      expect(response.status).toBe(200);
      const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
      expect(meta.format).toBe("webp");
      expect(Math.max(meta.width!, meta.height!)).toBe(Math.min(thumbnail.size, 640));
    }
  });

  it("approves a face photo uploaded straight to S3 with identity-pool credentials", async () => {
    const upload = photo(portrait);
    const s3 = { url: endpoints.urls.s3, region: endpoints.region, bucket: endpoints.bucket };
    const credentials = identityCredentials(demoTokens.idToken);
    await uploadDirect(s3, credentials, upload);
    // The verdict read the same way: S3 GetObject with the identity-pool session.
    const record = await timedVerdict(upload, { s3, credentials });
    expect(record.status).toBe("approved");
    expect(record.images.display?.key).toBe(`${photoPrefix(demo.sub, upload.photoId)}display.webp`);
  });

  it("shares an approved photo with every signed-in user, never with guests while public sharing is off", async () => {
    const upload = photo(portrait);
    const record = await uploadAndWait(upload);
    const sharedThumb = record.shared?.thumbnails[0];
    expect(sharedThumb?.key).toBe(`shared/${demo.sub}/${upload.photoId}/thumb-128.webp`);
    const supportTokens = await signInLocalUser(endpoints, support);
    const get = (key: string, token?: string) =>
      fetch(`${endpoints.urls.edge}/${key}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

    // Another signed-in user: the shared copy through the edge and through identity-pool credentials.
    const viaEdge = await get(sharedThumb!.key, supportTokens.accessToken);
    expect(viaEdge.status).toBe(200);
    expect((await sharp(Buffer.from(await viaEdge.arrayBuffer())).metadata()).format).toBe("webp");
    const supportS3 = localS3Client(
      endpoints.urls.s3,
      endpoints.region,
      identityCredentials(supportTokens.idToken),
    );
    try {
      const object = await supportS3.send(
        new GetObjectCommand({ Bucket: endpoints.bucket, Key: sharedThumb!.key }),
      );
      expect(object.$metadata.httpStatusCode).toBe(200);
      // ...but not the owner's private verdict, on either path.
      const verdictKey = statusKey(demo.sub, upload.photoId);
      await expect(
        supportS3.send(new GetObjectCommand({ Bucket: endpoints.bucket, Key: verdictKey })),
      ).rejects.toMatchObject({ name: "AccessDenied" });
      expect((await get(verdictKey, supportTokens.accessToken)).status).toBe(403);
    } finally {
      supportS3.destroy();
    }
    // No token: the edge asks for one.
    expect((await get(sharedThumb!.key)).status).toBe(401);
  });

  it("a client's wait for a verdict that never comes ends in a clear VerdictTimeoutError", async () => {
    const never = photo(portrait);
    const waiting = waitForVerdict(
      never.owner,
      never.photoId,
      { edgeUrl: endpoints.urls.edge, accessToken: demoTokens.accessToken },
      // Long enough for the first poll to be answered on a loaded machine: the message names
      // what the last answer was, which a deadline shorter than one round trip could not.
      { timeoutMs: 5_000 },
    );
    await expect(waiting).rejects.toBeInstanceOf(VerdictTimeoutError);
    await expect(waiting).rejects.toThrow(
      /No final verdict at photos\/.+\/status\.json after 5 s \(HTTP 40[34]\)/,
    );
  });

  it("rejects a photo with no face as NO_FACE", async () => {
    const upload = photo((await scene([])).jpeg);
    const record = await uploadAndWait(upload);
    expect(record.status).toBe("rejected");
    expect(record.reasons.map((r) => r.code)).toEqual(["NO_FACE"]);
    expect(record.shared).toBeUndefined();
  });

  it("rejects a truncated photo as CORRUPT, with a record and nothing lost", async () => {
    const upload = photo(portrait.subarray(0, Math.floor(portrait.length / 2)));
    const record = await uploadAndWait(upload);
    expect(record.status).toBe("rejected");
    expect(record.reasons.map((r) => r.code)).toEqual(["CORRUPT"]);
  });

  it("refuses an upload into another user's prefix on both paths", async () => {
    const intoSupport = photo(portrait, support.sub);
    const viaEdge = uploadThroughEdge(endpoints.urls.edge, demoTokens.accessToken, intoSupport);
    await expect(viaEdge).rejects.toBeInstanceOf(PhotoUploadError);
    await expect(viaEdge).rejects.toMatchObject({ status: 403 });

    const direct = uploadDirect(
      { url: endpoints.urls.s3, region: endpoints.region, bucket: endpoints.bucket },
      identityCredentials(demoTokens.idToken),
      intoSupport,
    );
    await expect(direct).rejects.toBeInstanceOf(PhotoUploadError);
    await expect(direct).rejects.toMatchObject({
      status: 403,
      detail: expect.stringContaining("AccessDenied"),
    });
    expect(await derivedKeys(support.sub, intoSupport.photoId)).toEqual([]);
  });

  it("keeps one correct record when an attempt fails midway and another delivery repeats", async () => {
    const retried = photo(portrait);
    const repeated = photo(portrait);
    failFirstAttempt.add(retried.photoId);
    deliverTwice.add(repeated.photoId);
    await uploadThroughEdge(endpoints.urls.edge, demoTokens.accessToken, retried);
    await uploadThroughEdge(endpoints.urls.edge, demoTokens.accessToken, repeated);
    await stack.notifications.idle();

    const dynamo = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: endpoints.urls.dynamodb,
        region: endpoints.region,
        credentials: endpoints.serviceCredentials,
      }),
    );
    try {
      for (const upload of [retried, repeated]) {
        const { Items = [] } = await dynamo.send(
          new QueryCommand({
            TableName: endpoints.photoTable,
            KeyConditionExpression: "#o = :o AND photoId = :p",
            ExpressionAttributeNames: { "#o": "owner" },
            ExpressionAttributeValues: { ":o": upload.owner, ":p": upload.photoId },
          }),
        );
        expect(Items).toHaveLength(1);
        expect(Items[0]!.status).toBe("approved");
        expect(await derivedKeys(upload.owner, upload.photoId)).toEqual(
          ["display.webp", "status.json", "thumb-128.webp", "thumb-256.webp", "thumb-512.webp"].map(
            (file) => `${photoPrefix(upload.owner, upload.photoId)}${file}`,
          ),
        );
      }
    } finally {
      dynamo.destroy();
    }
    // The failed attempt was retried (twice delivered); the repeat was delivered twice and skipped once.
    expect(deliveries.get(retried.photoId)).toBe(2);
    expect(deliveries.get(repeated.photoId)).toBe(2);
    const deadLetters = existsSync(stack.notifications.deadLetterFile)
      ? (await readFile(stack.notifications.deadLetterFile, "utf8")).trim()
      : "";
    expect(deadLetters).toBe("");
  });
});
