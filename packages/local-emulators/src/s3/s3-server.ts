/// <reference path="./s3rver.d.ts" />
import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "@photogate/core";
import S3rver, { type S3rverContext, type S3rverEvent } from "s3rver";
import s3rverAccount from "s3rver/lib/models/account.js";
import { CredentialStore } from "../credentials";
import { makeStoreAtomic } from "./atomic-store";
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from "./checksums";
import { corsConfigurationXml } from "./cors";
import { errorXml, newRequestId, S3Error } from "./errors";
import { fixDelimitedListings } from "./list-objects";
import { silentLogger } from "./logger";
import { verifySignature } from "./sigv4";
import { CHECKSUM_ALGORITHM_HEADER, DEFAULT_UPSTREAM_CREDENTIALS } from "./upstream";

export interface S3BucketOptions {
  name: string;
  /** Browser origins allowed to PUT/GET/HEAD (the environment's `uploadOrigins`). */
  cors?: { allowedOrigins: readonly string[] };
}

export interface S3ServerOptions {
  /** Objects live under `<dataDir>/objects`, so they survive restarts. */
  dataDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Created at start (kept, with their objects, when they already exist). */
  buckets: readonly S3BucketOptions[];
  /** Silences s3rver's own per-request log lines. */
  silent?: boolean;
  /**
   * Keys s3rver accepts besides `gatewayCredentials` (every request must be SigV4-signed by one
   * of them, for `region`). Without this option, s3rver's built-in `S3RVER` key (secret `S3RVER`);
   * with it, only these: the local stack gives none, so nothing but its gateway gets in.
   */
  accessKeys?: readonly { accessKeyId: string; secretAccessKey: string }[];
  /** The region requests are signed for; default us-east-1. */
  region?: string;
  /** Objects whose stored files a crash left unreadable are logged here. */
  logger?: Logger;
}

export type ObjectEventName =
  | "ObjectCreated:Put"
  | "ObjectCreated:Post"
  | "ObjectCreated:Copy"
  | "ObjectCreated:CompleteMultipartUpload"
  | "ObjectRemoved:Delete";

/** One object write or delete, as s3rver committed it; notifications.ts turns it into S3's event shape. */
export interface S3ObjectEvent {
  eventName: ObjectEventName;
  bucket: string;
  /** The key as stored (decoded). */
  key: string;
  /** Bytes; absent for deletes. */
  size?: number;
  /** Hex MD5 without quotes; absent for deletes. */
  eTag?: string;
  /** The client's address (the gateway forwards it in X-Forwarded-For). */
  sourceIp: string;
  eventTime: Date;
}

/** The request is answered only after every listener's promise settled (a rejection answers 500). */
export type S3ObjectEventListener = (event: S3ObjectEvent) => void | Promise<void>;

export interface S3ObjectEvents {
  /**
   * Calls `listener` for every committed write or delete, before the request is answered;
   * returns a function that unsubscribes.
   */
  subscribe(listener: S3ObjectEventListener): () => void;
}

export interface S3Server {
  /** Base URL for the AWS SDK's `endpoint` (use `forcePathStyle: true`). */
  url: string;
  /** Where s3rver keeps the buckets. */
  directory: string;
  events: S3ObjectEvents;
  /** A key made for this run, for the gateway to sign its requests to s3rver with. */
  gatewayCredentials: { accessKeyId: string; secretAccessKey: string };
  close(): Promise<void>;
}

/** What the request-scoped middleware learns about one request before s3rver answers it. */
interface RequestScope {
  ctx: S3rverContext & { status: number; body: unknown };
  raw: S3rverEvent[];
}

/**
 * Starts s3rver (an S3-compatible server on the local file system) with the photo bucket(s).
 *
 * s3rver's own notification events are not S3's: they lack the multipart event name, the ETag
 * of copies and a usable sequencer, and carry a malformed ARN. So each event is captured here
 * together with the request that caused it (through AsyncLocalStorage, since s3rver emits it
 * without the request) and published only once the request succeeded, with what S3 would know.
 * Listeners run before the response leaves, so a durable listener (the notification journal)
 * makes every 2xx mean "the event is on disk". Objects are written atomically (atomic-store.ts).
 */
export async function startS3Server(options: S3ServerOptions): Promise<S3Server> {
  const directory = join(options.dataDir, "objects");
  await mkdir(directory, { recursive: true });
  const gatewayCredentials = {
    accessKeyId: `AKIA${randomBytes(8).toString("hex").toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString("base64url"),
  };
  // s3rver checks only that a key exists; the gate below checks the signature, and knows only these.
  const keys = new CredentialStore(gatewayCredentials);
  for (const key of [gatewayCredentials, ...(options.accessKeys ?? [DEFAULT_UPSTREAM_CREDENTIALS])]) {
    s3rverAccount.DUMMY_ACCOUNT.createKeyPair(key.accessKeyId, key.secretAccessKey);
    if (key !== gatewayCredentials) keys.addRole({ ...key, roleName: "s3rver-direct", policy: {} });
  }
  const region = options.region ?? "us-east-1";

  const server = new S3rver({
    address: options.host ?? "127.0.0.1",
    port: options.port ?? 0,
    silent: options.silent ?? true,
    directory,
    configureBuckets: options.buckets.map((bucket) => ({
      name: bucket.name,
      configs: bucket.cors ? [corsConfigurationXml(bucket.cors.allowedOrigins)] : [],
    })),
  });

  const listeners = new Set<S3ObjectEventListener>();
  const scope = new AsyncLocalStorage<RequestScope>();
  makeStoreAtomic(server.store, options.logger ?? silentLogger, {
    // The gateway verified the body's checksum and names the algorithm; the store records it.
    checksumAlgorithm: () => {
      const named = scope.getStore()?.ctx.headers[CHECKSUM_ALGORITHM_HEADER];
      return CHECKSUM_ALGORITHMS.find((a) => a === named) as ChecksumAlgorithm | undefined;
    },
  });
  fixDelimitedListings(server.store);
  server.on("event", (event: S3rverEvent) => {
    // Emitted synchronously inside the request's async chain; held until the response is known.
    scope.getStore()?.raw.push(event);
  });
  // First in Koa's chain, so the scope spans every s3rver middleware and controller.
  server.middleware.unshift(async (ctx, next) => {
    const store: RequestScope = { ctx: ctx as RequestScope["ctx"], raw: [] };
    await scope.run(store, next);
    if (store.ctx.status >= 300) return;
    for (const raw of store.raw) {
      const event = describe(raw, store.ctx);
      if (!event) continue;
      for (const listener of listeners) await listener(event);
    }
  });

  // Before everything else: s3rver itself verifies no signature and serves anonymous requests,
  // so this port would bypass the gateway's IAM. Only signed requests from known keys get in.
  server.middleware.unshift(async (ctx, next) => {
    if (ctx.method === "OPTIONS") return next();
    try {
      await verifySignature(
        { method: ctx.method, url: ctx.url, headers: ctx.headers as Record<string, string> },
        { credentials: keys, region, now: () => new Date() },
      );
    } catch (error) {
      if (!(error instanceof S3Error)) throw error;
      const context = ctx as typeof ctx & { status: number; type: string; body: unknown };
      context.status = error.status;
      context.type = "application/xml";
      context.body = ctx.method === "HEAD" ? "" : errorXml(error, newRequestId(), ctx.path);
      return;
    }
    return next();
  });

  const address = await server.run();
  return {
    url: `http://${address.address}:${address.port}`,
    directory,
    gatewayCredentials,
    events: {
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    close: () => server.close(),
  };
}

function describe(raw: S3rverEvent, ctx: RequestScope["ctx"]): S3ObjectEvent | undefined {
  const record = raw.Records[0];
  const object = record.s3.object;
  const eventName = eventNameOf(record.eventName, ctx);
  if (!eventName) return undefined;
  const forwardedFor = header(ctx.headers["x-forwarded-for"]);
  const event: S3ObjectEvent = {
    eventName,
    bucket: record.s3.bucket.name,
    key: object.key,
    sourceIp: forwardedFor?.split(",")[0]?.trim() || ctx.ip.replace(/^::ffff:/, ""),
    eventTime: new Date(record.eventTime),
  };
  if (eventName === "ObjectRemoved:Delete") return event;
  event.size = object.size ?? 0;
  // s3rver leaves the ETag out of copy events; its CopyObjectResult XML (by now rendered) carries it.
  const copyETag =
    typeof ctx.body === "string"
      ? /<ETag>(.*?)<\/ETag>/.exec(ctx.body)?.[1]?.replace(/&quot;|&#34;/g, "")
      : undefined;
  const eTag = object.eTag ?? copyETag;
  if (eTag !== undefined) event.eTag = eTag.replace(/"/g, "");
  return event;
}

function eventNameOf(s3rverName: string, ctx: RequestScope["ctx"]): ObjectEventName | undefined {
  switch (s3rverName) {
    case "ObjectCreated:Put":
    case "ObjectCreated:Copy":
    case "ObjectRemoved:Delete":
      return s3rverName;
    case "ObjectCreated:Post":
      // s3rver names both a browser form POST and CompleteMultipartUpload "Post".
      return "uploadId" in ctx.query ? "ObjectCreated:CompleteMultipartUpload" : "ObjectCreated:Post";
    default:
      return undefined;
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
