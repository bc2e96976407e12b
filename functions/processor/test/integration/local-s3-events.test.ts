import { createHash, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createLogger } from "@photogate/core";
import { createS3Notifications, type S3Server, startS3Server } from "@photogate/local-emulators";
import type { S3Event } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseS3Event } from "../../src/s3-event";

// The emulated bucket's notifications are what the processor gets locally: it must accept them
// as it accepts S3's, key decoding and sequencers included.
const region = "us-east-1";
const bucket = "photogate-events";
const keys = { accessKeyId: "PHOTOGATEIT", secretAccessKey: "photogate-integration-secret" };
const owner = randomUUID();
const md5 = (body: string) => createHash("md5").update(body).digest("hex");

let dataDir: string;
let server: S3Server;
let s3: S3Client;
let unsubscribe: () => void;
const delivered: S3Event[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "photogate-events-"));
  server = await startS3Server({
    dataDir: join(dataDir, "s3"),
    buckets: [{ name: bucket }],
    accessKeys: [keys],
    region,
  });
  const notifications = createS3Notifications({
    region,
    dataDir,
    deliver: (event) => {
      delivered.push(event);
    },
  });
  unsubscribe = notifications.connect(server.events);
  s3 = new S3Client({ endpoint: server.url, region, credentials: keys, forcePathStyle: true });
});

afterAll(async () => {
  unsubscribe?.();
  s3?.destroy();
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("the local bucket's notifications, as the processor reads them", () => {
  it("parses the last of three writes to one key into the upload it describes", async () => {
    const photoId = randomUUID();
    const key = `uploads/${owner}/${photoId}.jpg`;
    for (const body of ["first", "second", "third"]) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    }
    await expect.poll(() => delivered.length).toBe(3);

    const logs: unknown[] = [];
    const uploads = parseS3Event(
      delivered[2]!,
      createLogger((entry) => logs.push(entry)),
    );
    expect(logs).toEqual([]);
    expect(uploads).toEqual([
      expect.objectContaining({ bucket, key, owner, photoId, extension: "jpg", size: 5, eTag: md5("third") }),
    ]);
  });
});
