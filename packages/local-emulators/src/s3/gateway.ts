import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Readable } from "node:stream";
import type { Logger } from "@photogate/core";
import type { CredentialStore } from "../credentials";
import { createPolicyEvaluator, type PolicyHolder, permissionsFor, type S3Target } from "./authorize";
import { type ChecksumExpectations, ChecksumVerifier, checksumExpectations } from "./checksums";
import { errorXml, newRequestId, S3Error } from "./errors";
import { etagMatches, shapeResponse } from "./responses";
import {
  type Caller,
  isSigningParameter,
  QUERY_AUTH_PARAMS,
  type Query,
  splitUrl,
  verifySignature,
} from "./sigv4";
import {
  CHECKSUM_ALGORITHM_HEADER,
  createUpstream,
  DEFAULT_UPSTREAM_CREDENTIALS,
  type Upstream,
  upstreamRequest,
} from "./upstream";

export interface S3GatewayOptions {
  /** The s3rver behind the gateway (`startS3Server().url`). */
  upstreamUrl: string;
  /** The key the gateway signs s3rver requests with (`startS3Server().gatewayCredentials`); default s3rver's own. */
  upstreamCredentials?: { accessKeyId: string; secretAccessKey: string };
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  credentials: CredentialStore;
  /** Buckets whose identity-pool policy is enforced (`arn:aws:s3:::name`); others are denied to sessions. */
  bucketArns: readonly string[];
  /** The region clients sign for; other regions are refused as S3 refuses them. */
  region: string;
  /** env.publicSharing: guest sessions may read shared/; otherwise they are denied everything. */
  publicSharing?: boolean;
  logger?: Logger;
  now?: () => Date;
}

export interface S3Gateway {
  /** Base URL for the AWS SDK's `endpoint` (`forcePathStyle: true`, or virtual-hosted with `<bucket>.localhost`). */
  url: string;
  close(): Promise<void>;
}

/** One request on its way through the gateway: what it is, who sent it, and how it is answered. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  method: string;
  /** The request target as sent (virtual-hosted or path-style), for the error's Resource and Location. */
  path: string;
  /** Path-style target for s3rver, without presigned-URL parameters. */
  upstreamTarget: string;
  /** Query parameters that select the operation (signing parameters removed). */
  query: Query;
  target?: S3Target;
  caller?: Caller;
  /** What the body must hash to (PutObject, UploadPart), and the verifier checking it. */
  checksums?: ChecksumExpectations;
  verifier?: ChecksumVerifier;
  bucketArn?: string;
}

/**
 * An HTTP server in front of s3rver that plays S3's authentication and authorisation:
 * every request must carry a valid SigV4 signature (header or presigned URL) from the service
 * credentials, a role's keys (the functions, the edge's origin access) or an identity-pool
 * session in the CredentialStore; roles and sessions are then held to their policy. Allowed
 * requests are proxied to s3rver, signed with the one key s3rver accepts, with bodies streamed
 * both ways; checksums, conditional requests and S3's answers that s3rver lacks are played here
 * (responses.ts). CORS preflights pass unauthenticated, as S3 answers them.
 */
export async function startS3Gateway(options: S3GatewayOptions): Promise<S3Gateway> {
  const upstream = createUpstream(
    options.upstreamUrl,
    options.upstreamCredentials ?? DEFAULT_UPSTREAM_CREDENTIALS,
    options.region,
  );
  const now = options.now ?? (() => new Date());
  const log = options.logger;
  const evaluator = createPolicyEvaluator({
    bucketArns: options.bucketArns,
    publicSharing: options.publicSharing ?? false,
  });
  const knownBuckets = new Set(options.bucketArns.map((arn) => arn.replace(/^arn:aws:s3:::/, "")));
  const writeLocks = new KeyLocks();

  /** Decides whether the request may reach s3rver; throws the S3Error to answer with otherwise. */
  async function admit(ex: Exchange): Promise<void> {
    const { req, method } = ex;
    if (method === "OPTIONS") return;
    const url = req.url ?? "/";
    ex.caller = await verifySignature(
      { method, url, headers: req.headers },
      { credentials: options.credentials, region: options.region, now },
    );
    const target = ex.target;
    if (target && knownBuckets.has(target.bucket)) ex.bucketArn = `arn:aws:s3:::${target.bucket}`;
    if (ex.caller.kind !== "service") {
      const permissions = ex.bucketArn ? permissionsFor(method, target!, ex.query, req.headers) : undefined;
      if (!permissions || !(await evaluator.allows(ex.caller, permissions))) {
        const what =
          permissions?.map((p) => `${p.action} on "${p.resource}"`).join(" and ") ?? `${method} ${ex.path}`;
        const who = describeCaller(ex.caller);
        log?.warn("s3.denied", { who, method, path: ex.path, permissions });
        throw new S3Error(
          "AccessDenied",
          `${who} is not authorized to perform ${what}: no statement of its policy allows it`,
        );
      }
    }
    if (method === "PUT" && target?.key !== undefined && req.headers["x-amz-copy-source"] === undefined) {
      // PutObject and UploadPart bodies are checked against Content-MD5 and x-amz-checksum-*.
      const expectations = checksumExpectations(req.headers);
      if (expectations.md5 || expectations.algorithm) ex.checksums = expectations;
    }
  }

  /** May a 404 for a missing key be told to this caller? Only with s3:ListBucket on the bucket. */
  const mayKnowMissingKeys = async (ex: Exchange): Promise<boolean> =>
    !ex.caller ||
    ex.caller.kind === "service" ||
    (ex.bucketArn !== undefined &&
      (await evaluator.allows(ex.caller as PolicyHolder, [
        { action: "s3:ListBucket", resource: ex.bucketArn, context: {} },
      ])));

  const handle = async (req: IncomingMessage, res: ServerResponse, expectsContinue: boolean) => {
    const requestId = newRequestId();
    res.setHeader("x-amz-request-id", requestId);
    let ex: Exchange | undefined;
    let release: (() => void) | undefined;
    try {
      ex = exchangeFor(req, res, requestId, knownBuckets);
      await admit(ex);
      release = await checkWriteConditions(ex, upstream, writeLocks, now());
      if (release) res.once("close", release);
      if (expectsContinue) res.writeContinue();
      await forward(ex);
    } catch (error) {
      release?.();
      sendError(req, res, error, requestId, ex?.path);
    }
  };

  async function forward(ex: Exchange) {
    const { req, res, requestId } = ex;
    const { headers, body: decoded, decoder } = upstreamRequest(req);
    let body: Readable = decoded;
    if (ex.checksums) {
      const verifier = new ChecksumVerifier(ex.checksums, () => decoder?.trailers ?? {});
      ex.verifier = verifier;
      body = decoded.pipe(verifier);
      decoded.on("error", (error) => verifier.destroy(error));
      // The store records the checksum it computes while writing (atomic-store.ts).
      if (ex.checksums.algorithm) headers[CHECKSUM_ALGORITHM_HEADER] = ex.checksums.algorithm;
    }
    const signed = await upstream.sign(req.method ?? "GET", ex.upstreamTarget, headers, now());
    const proxied = httpRequest(
      {
        host: upstream.url.hostname,
        port: upstream.url.port,
        method: req.method,
        path: ex.upstreamTarget,
        headers: signed,
      },
      (upstreamRes) => {
        shapeResponse(ex, upstreamRes, upstream, { mayKnowMissingKeys, sendError }).catch((error) => {
          if (!res.headersSent) sendError(req, res, error, requestId, ex.path);
          else res.destroy();
        });
      },
    );
    proxied.on("error", (error) => {
      if (!res.headersSent) {
        sendError(
          req,
          res,
          new S3Error("InternalError", `The local S3 server did not answer: ${error.message}`),
          requestId,
          ex.path,
        );
      } else res.destroy();
    });
    body.on("error", (error) => {
      proxied.destroy();
      if (!res.headersSent) sendError(req, res, error, requestId, ex.path);
    });
    body.pipe(proxied);
  }

  function sendError(
    req: IncomingMessage,
    res: ServerResponse,
    error: unknown,
    requestId: string,
    resource?: string,
  ) {
    const s3Error =
      error instanceof S3Error
        ? error
        : new S3Error(
            "InternalError",
            `The local S3 gateway failed: ${(error as Error)?.message ?? String(error)}`,
          );
    if (s3Error.code === "InternalError") log?.error("s3.gateway-error", { error, requestId });
    const body = errorXml(s3Error, requestId, resource ?? splitUrl(req.url ?? "/").path);
    res.writeHead(s3Error.status, {
      ...s3Error.headers,
      "x-amz-request-id": requestId,
      "content-type": "application/xml",
      "content-length": req.method === "HEAD" ? 0 : Buffer.byteLength(body),
    });
    res.end(req.method === "HEAD" ? undefined : body);
    // Read and discard what the client is still sending, so it sees the answer, not a reset.
    req.resume();
  }

  const server = createServer((req, res) => void handle(req, res, false));
  // Answer 100-continue only once the request is admitted: a refused upload is never sent.
  server.on("checkContinue", (req, res) => void handle(req, res, true));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

export type SendError = (
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
  requestId: string,
  resource?: string,
) => void;

function describeCaller(caller: PolicyHolder): string {
  if (caller.kind === "role") return `Role ${caller.role.roleName}`;
  return `User with principal tag owner=${caller.session.principalTags.owner ?? "(none)"}`;
}

/**
 * What the request addresses. Path-style (`/bucket/key`) is the default; a Host whose first label
 * is a known bucket (`photogate-local-photos.localhost:4501`) is read as virtual-hosted style.
 */
function exchangeFor(
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  knownBuckets: ReadonlySet<string>,
): Exchange {
  const url = req.url ?? "/";
  const { path, query: rawQuery } = splitUrl(url);
  // Presigned-URL parameters and hoisted x-amz-* headers say how the request is signed, not what it does.
  const query = Object.fromEntries(Object.entries(rawQuery).filter(([name]) => !isSigningParameter(name)));
  const hostBucket = virtualHostedBucket(req.headers.host, knownBuckets);
  const pathStyle = hostBucket ? `/${encodeURIComponent(hostBucket)}${path === "/" ? "" : path}` : path;
  const stripped = stripQueryAuth(url);
  const q = stripped.indexOf("?");
  return {
    req,
    res,
    requestId,
    method: req.method ?? "GET",
    path,
    upstreamTarget: q < 0 ? pathStyle : `${pathStyle}${stripped.slice(q)}`,
    query,
    target: parseTarget(pathStyle),
  };
}

/** `bucket.localhost:4501` → `bucket` when it is a bucket the gateway serves; otherwise undefined. */
function virtualHostedBucket(
  host: string | undefined,
  knownBuckets: ReadonlySet<string>,
): string | undefined {
  const name = (host ?? "").replace(/:\d+$/, "").toLowerCase();
  const dot = name.indexOf(".");
  if (dot <= 0 || /^[\d.]+$/.test(name)) return undefined;
  const bucket = name.slice(0, dot);
  return knownBuckets.has(bucket) ? bucket : undefined;
}

/**
 * Conditional writes (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html):
 * PutObject and CompleteMultipartUpload with `If-None-Match: *` fail with 412 when the key exists,
 * with `If-Match` when its ETag differs (404 NoSuchKey when it is missing). The check and the write
 * hold a per-key lock, so two conditional writers cannot both pass; returns its release.
 */
async function checkWriteConditions(
  ex: Exchange,
  upstream: Upstream,
  locks: KeyLocks,
  now: Date,
): Promise<(() => void) | undefined> {
  const { req, target } = ex;
  const ifNoneMatch = single(req.headers["if-none-match"]);
  const ifMatch = single(req.headers["if-match"]);
  const isWrite =
    (ex.method === "PUT" && !("partNumber" in ex.query)) || (ex.method === "POST" && "uploadId" in ex.query);
  if (!isWrite || target?.key === undefined || (ifNoneMatch === undefined && ifMatch === undefined)) {
    return undefined;
  }
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== "*") {
    throw new S3Error(
      "NotImplemented",
      "A header you provided implies functionality that is not implemented",
      {
        Header: "If-None-Match",
      },
    );
  }
  const release = await locks.acquire(`${target.bucket}/${target.key}`);
  try {
    const current = await upstream.head(ex.upstreamTarget.split("?")[0]!, now);
    if (ifNoneMatch !== undefined && current.status === 200) {
      throw new S3Error(
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
        {
          Condition: "If-None-Match",
        },
      );
    }
    if (ifMatch !== undefined) {
      if (current.status === 404)
        throw new S3Error("NoSuchKey", "The specified key does not exist.", { Key: target.key });
      if (!etagMatches(ifMatch, current.etag)) {
        throw new S3Error(
          "PreconditionFailed",
          "At least one of the pre-conditions you specified did not hold",
          {
            Condition: "If-Match",
          },
        );
      }
    }
    return release;
  } catch (error) {
    release();
    throw error;
  }
}

/** One holder per key at a time, in arrival order. */
class KeyLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async acquire(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => held);
    this.tails.set(key, tail);
    await previous;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * `/bucket/key…` (path-style, still encoded) → bucket and decoded key. Keys with `.` or `..`
 * segments are refused: s3rver maps keys to file paths, so `uploads/{me}/../{you}/x` would land
 * in another owner's folder although IAM (rightly) reads it as a key under `uploads/{me}/`.
 */
function parseTarget(path: string): S3Target | undefined {
  const match = /^\/([^/]+)(?:\/(.*))?$/.exec(path);
  if (!match) return undefined;
  const bucket = decodePath(match[1]!);
  const rawKey = match[2];
  if (rawKey === undefined || rawKey === "") return { bucket };
  const key = decodePath(rawKey);
  if (key.split("/").some((segment) => segment === "." || segment === "..")) {
    throw new S3Error(
      "InvalidArgument",
      `Object keys with "." or ".." segments are refused by the local S3 server (it stores keys as file paths): "${key}"`,
    );
  }
  return { bucket, key };
}

function decodePath(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new S3Error("InvalidArgument", `The path holds invalid percent-encoding: "${text}"`);
  }
}

/** The request target without the presigned-URL parameters (the other parameters stay as sent). */
function stripQueryAuth(url: string): string {
  const q = url.indexOf("?");
  if (q < 0) return url;
  const kept = url
    .slice(q + 1)
    .split("&")
    .filter((pair) => {
      const name = pair.split("=")[0] ?? "";
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {}
      return pair !== "" && !QUERY_AUTH_PARAMS.has(decoded);
    });
  return kept.length > 0 ? `${url.slice(0, q)}?${kept.join("&")}` : url.slice(0, q);
}
