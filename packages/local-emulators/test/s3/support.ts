import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import type { S3Event } from "aws-lambda";
import type { CredentialStore } from "../../src/credentials";
import { type S3Gateway, startS3Gateway } from "../../src/s3/gateway";
import { createS3Notifications, type S3Notifications } from "../../src/s3/notifications";
import type { S3ObjectEvent, S3Server } from "../../src/s3/s3-server";
import { startS3Server } from "../../src/s3/s3-server";

export const region = "us-east-1";
export const bucket = "photogate-test-photos";
export const bucketArn = `arn:aws:s3:::${bucket}`;

/** Two owners (user-pool subs) and a photo id, in the shapes core's key layout requires. */
export const ownerA = "0f8fad5b-d9cb-469f-a165-70867728950e";
export const ownerB = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
export const photoId = "16fd2706-8baf-433b-82eb-8c7fada847da";

export async function tempDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), "photogate-s3-"));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** An SDK client as photogate's code builds one for an S3-compatible endpoint. */
export function s3Client(
  endpoint: string,
  credentials: Keys,
  options: { checksums?: boolean; region?: string } = {},
): S3Client {
  return new S3Client({
    endpoint,
    region: options.region ?? region,
    forcePathStyle: true,
    credentials,
    maxAttempts: 1,
    // s3rver knows no flexible checksums; WHEN_REQUIRED keeps the SDK from sending them.
    ...(options.checksums === false
      ? {}
      : { requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" }),
  });
}

/** What the SDK threw: its error name and HTTP status. */
export async function failure(promise: Promise<unknown>): Promise<{ name: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode };
  }
  throw new Error("expected the request to fail, and it succeeded");
}

/** s3rver with the test bucket in a temporary folder, behind the gateway checking `store`. */
export async function startGatewayOverS3rver(
  store: CredentialStore,
  now?: () => Date,
): Promise<{ gateway: S3Gateway; close(): Promise<void> }> {
  const dir = await tempDir();
  const server = await startS3Server({ dataDir: dir.path, buckets: [{ name: bucket }], silent: true });
  const gateway = await startS3Gateway({
    upstreamUrl: server.url,
    credentials: store,
    bucketArns: [bucketArn],
    region,
    ...(now ? { now } : {}),
  });
  return {
    gateway,
    close: async () => {
      await gateway.close();
      await server.close();
      await dir.remove();
    },
  };
}

/** Object events as s3-server.ts publishes them, for the delivery tests that need no server. */
export function objectEvent(n: number): S3ObjectEvent {
  return {
    eventName: "ObjectCreated:Put",
    bucket,
    key: `uploads/${ownerA}/${photoId}-${n}.jpg`,
    size: n,
    eTag: createHash("md5").update(String(n)).digest("hex"),
    sourceIp: "127.0.0.1",
    eventTime: new Date(),
  };
}

/** A promise and the function that resolves it. */
export function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Notifications for `server`'s writes, delivered into `delivered` (empty it with `delivered.length = 0`). */
export function recordingNotifications(
  server: S3Server,
  dataDir: string,
): { notifications: S3Notifications; delivered: S3Event[] } {
  const delivered: S3Event[] = [];
  const notifications = createS3Notifications({
    region,
    dataDir,
    deliver: (event) => {
      delivered.push(event);
    },
  });
  notifications.connect(server.events);
  return { notifications, delivered };
}
