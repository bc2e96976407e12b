import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { Readable } from "node:stream";
import type { CredentialStore } from "../credentials";
import { createPolicyEvaluator, permissionsFor, type S3Target } from "./authorize";
import { AwsChunkedDecoder } from "./aws-chunked";
import { errorXml, newRequestId, S3Error } from "./errors";
import type { S3Logger } from "./logger";
import { type Caller, isSigningParameter, QUERY_AUTH_PARAMS, splitUrl, verifySignature } from "./sigv4";

export interface S3GatewayOptions {
  /** The s3rver behind the gateway (`startS3Server().url`). */
  upstreamUrl: string;
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
  logger?: S3Logger;
  now?: () => Date;
}

export interface S3Gateway {
  /** Base URL for the AWS SDK's `endpoint` (use `forcePathStyle: true`). */
  url: string;
  close(): Promise<void>;
}

/** s3rver checks only that the access key exists, so the proxied request names its built-in one. */
const UPSTREAM_ACCESS_KEY = "S3RVER";
/** Hop-by-hop and authentication headers that stay at the gateway. */
const DROPPED_HEADERS = [
  "authorization",
  "x-amz-security-token",
  "connection",
  "keep-alive",
  "expect",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
];

/**
 * An HTTP server in front of s3rver that plays S3's authentication and authorisation:
 * every request must carry a valid SigV4 signature (header or presigned URL) from the service
 * credentials or an identity-pool session in the CredentialStore; sessions are then held to their
 * role's policy (`authenticatedRoleStatements` with their `owner` principal tag, or the guest
 * role's `unauthenticatedRoleStatements`). Allowed requests are proxied to s3rver with bodies streamed both ways.
 * CORS preflights pass unauthenticated, as S3 answers them.
 */
export async function startS3Gateway(options: S3GatewayOptions): Promise<S3Gateway> {
  const upstream = new URL(options.upstreamUrl);
  const now = options.now ?? (() => new Date());
  const log = options.logger;
  const evaluator = createPolicyEvaluator({
    bucketArns: options.bucketArns,
    publicSharing: options.publicSharing ?? false,
  });
  const knownBuckets = new Set(options.bucketArns.map((arn) => arn.replace(/^arn:aws:s3:::/, "")));

  /** Decides whether the request may reach s3rver; throws the S3Error to answer with otherwise. */
  async function admit(req: IncomingMessage): Promise<Caller | undefined> {
    if (req.method === "OPTIONS") return undefined;
    const method = req.method ?? "GET";
    const url = req.url ?? "/";
    const caller = await verifySignature(
      { method, url, headers: req.headers },
      { credentials: options.credentials, region: options.region, now },
    );
    const { path, query: rawQuery } = splitUrl(url);
    // Presigned-URL parameters and hoisted x-amz-* headers say how the request is signed, not what it does.
    const query = Object.fromEntries(Object.entries(rawQuery).filter(([name]) => !isSigningParameter(name)));
    const target = parseTarget(path);
    if (caller.kind === "service") return caller;

    const permissions =
      target && knownBuckets.has(target.bucket)
        ? permissionsFor(method, target, query, req.headers)
        : undefined;
    const owner = caller.session.principalTags.owner;
    if (!permissions || !(await evaluator.allows(caller.session, permissions))) {
      const what =
        permissions?.map((p) => `${p.action} on "${p.resource}"`).join(" and ") ?? `${method} ${path}`;
      log?.warn("s3.denied", { owner, method, path, permissions });
      throw new S3Error(
        "AccessDenied",
        `User with principal tag owner=${owner ?? "(none)"} is not authorized to perform ${what}: ` +
          "no statement of the identity pool's authenticated role allows it",
      );
    }
    return caller;
  }

  const handle = async (req: IncomingMessage, res: ServerResponse, expectsContinue: boolean) => {
    const requestId = newRequestId();
    res.setHeader("x-amz-request-id", requestId);
    try {
      const caller = await admit(req);
      if (expectsContinue) res.writeContinue();
      forward(req, res, caller, requestId);
    } catch (error) {
      sendError(req, res, error, requestId);
    }
  };

  function forward(req: IncomingMessage, res: ServerResponse, caller: Caller | undefined, requestId: string) {
    const { headers, body } = upstreamRequest(req, caller !== undefined, options.region, now());
    const proxied = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: stripQueryAuth(req.url ?? "/"),
        headers,
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
        upstreamRes.on("error", () => res.destroy());
      },
    );
    proxied.on("error", (error) => {
      if (!res.headersSent) {
        sendError(
          req,
          res,
          new S3Error("InternalError", `The local S3 server did not answer: ${error.message}`),
          requestId,
        );
      } else res.destroy();
    });
    body.on("error", (error) => {
      proxied.destroy();
      if (!res.headersSent) sendError(req, res, error, requestId);
    });
    body.pipe(proxied);
  }

  function sendError(req: IncomingMessage, res: ServerResponse, error: unknown, requestId: string) {
    const s3Error =
      error instanceof S3Error
        ? error
        : new S3Error(
            "InternalError",
            `The local S3 gateway failed: ${(error as Error)?.message ?? String(error)}`,
          );
    if (s3Error.code === "InternalError") log?.error("s3.gateway-error", { error, requestId });
    const body = errorXml(s3Error, requestId, splitUrl(req.url ?? "/").path);
    res.writeHead(s3Error.status, {
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

/**
 * `/bucket/key…` (path-style, still encoded) → bucket and decoded key. Keys with `.` or `..`
 * segments are refused: s3rver maps keys to file paths, so `uploads/{me}/../{you}/x` would land
 * in another owner's folder although IAM (rightly) reads it as a key under `uploads/{me}/`.
 */
export function parseTarget(path: string): S3Target | undefined {
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

/**
 * Headers and body for s3rver: the client's headers minus hop-by-hop and credential headers,
 * with an `aws-chunked` body decoded, and (for authenticated requests) an Authorization that
 * names s3rver's own key, since s3rver refuses keys it does not know but verifies no signature.
 */
function upstreamRequest(
  req: IncomingMessage,
  authenticated: boolean,
  region: string,
  now: Date,
): { headers: OutgoingHttpHeaders; body: Readable } {
  const headers: IncomingHttpHeaders = { ...req.headers };
  for (const name of DROPPED_HEADERS) delete headers[name];
  delete headers.host;
  const forwardedFor = req.socket.remoteAddress?.replace(/^::ffff:/, "");
  if (forwardedFor && !headers["x-forwarded-for"]) headers["x-forwarded-for"] = forwardedFor;

  let body: Readable = req;
  const encodings = (headers["content-encoding"] ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  const payloadHash = String(headers["x-amz-content-sha256"] ?? "");
  if (encodings.includes("aws-chunked") || payloadHash.startsWith("STREAMING-")) {
    const decodedLength = Number(headers["x-amz-decoded-content-length"]);
    const expected = Number.isInteger(decodedLength) && decodedLength >= 0 ? decodedLength : undefined;
    body = req.pipe(new AwsChunkedDecoder(expected));
    const rest = encodings.filter((e) => e !== "aws-chunked");
    if (rest.length > 0) headers["content-encoding"] = rest.join(",");
    else delete headers["content-encoding"];
    if (expected === undefined) delete headers["content-length"];
    else headers["content-length"] = String(expected);
    delete headers["x-amz-decoded-content-length"];
    delete headers["x-amz-trailer"];
    headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
  }

  if (authenticated) {
    const amzDate = now
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d{3}/, "");
    headers["x-amz-date"] = amzDate;
    headers["x-amz-content-sha256"] ??= "UNSIGNED-PAYLOAD";
    headers.authorization =
      `AWS4-HMAC-SHA256 Credential=${UPSTREAM_ACCESS_KEY}/${amzDate.slice(0, 8)}/${region}/s3/aws4_request, ` +
      `SignedHeaders=host, Signature=${"0".repeat(64)}`;
  }
  return { headers, body };
}
