import { randomBytes } from "node:crypto";
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from "node:http";
import { request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream/promises";
import { ConfigError } from "@photogate/core";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type {
  CloudFrontHeaders,
  CloudFrontRequest,
  CloudFrontRequestEvent,
  CloudFrontRequestResult,
  CloudFrontResultResponse,
} from "aws-lambda";

export type ViewerRequestHandler = (event: CloudFrontRequestEvent) => Promise<CloudFrontRequestResult>;

/** The bucket behind the distribution, reached like CloudFront's Origin Access Control does. */
export interface EdgeOrigin {
  /** S3-compatible endpoint, e.g. the local S3 gateway's URL; requests go path-style to it. */
  url: string;
  bucket: string;
  /** Signing region. */
  region: string;
  /**
   * What OAC signs with on AWS is CloudFront's service principal, held to the bucket policy;
   * locally, keys with exactly those rights (`edgeOriginRole`, origin-access.ts).
   */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export interface EdgeProxyOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The viewer-request function, e.g. `createViewerRequestHandler(config)` from @photogate/edge-auth. */
  viewerRequest: ViewerRequestHandler;
  origin: EdgeOrigin;
  /** `cf.config.distributionDomainName` in events. Default: the proxy's own host:port. */
  distributionDomainName?: string;
  /** `cf.config.distributionId` in events. */
  distributionId?: string;
}

export interface EdgeProxy {
  url: string;
  close(): Promise<void>;
}

// Connection-level headers (RFC 9110 §7.6.1) belong to one hop; a proxy never passes them on.
// `expect` is answered here (Node sends 100 Continue), and `host` is the origin's own.
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "expect",
  "http2-settings",
]);
// Set by the signer; a viewer's values would either be overwritten or break the signature.
const SIGNING_HEADERS = new Set([
  "authorization",
  "x-amz-date",
  "x-amz-security-token",
  "x-amz-content-sha256",
]);

const DEFAULT_DISTRIBUTION_ID = "EPHOTOGATELOCAL";

/**
 * A local stand-in for the CloudFront distribution: every request becomes a viewer-request
 * event shaped like CloudFront's, the handler's generated response is returned as it is, and
 * an allowed request goes on to the bucket path-style (`/{bucket}{uri}`), SigV4-signed for
 * "s3" with UNSIGNED-PAYLOAD as Origin Access Control does, so bodies stream both ways.
 *
 * Not emulated: caching, the viewer's TLS, origin request policies (all headers but hop-by-hop
 * ones reach the origin), and CloudFront's own request limits.
 */
export async function startEdgeProxy(options: EdgeProxyOptions): Promise<EdgeProxy> {
  const originUrl = parseOrigin(options.origin);
  const signer = new SignatureV4({
    service: "s3",
    region: options.origin.region,
    credentials: options.origin.credentials,
    sha256: Hash.bind(null, "sha256"),
    // S3 signs the path exactly as sent; the uri is already URL-encoded by the viewer.
    uriEscapePath: false,
    applyChecksum: false,
  });
  let distributionDomainName = options.distributionDomainName ?? "";

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      // serve() answers every expected failure; reaching here is a bug in this proxy.
      if (!response.headersSent) sendText(response, 502, `Edge proxy error: ${String(error)}`);
      else response.destroy();
    });
  });

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const target = request.url ?? "/";
    const queryAt = target.indexOf("?");
    const uri = queryAt < 0 ? target : target.slice(0, queryAt);
    if (!uri.startsWith("/")) {
      request.resume();
      return sendText(response, 400, "The request target must be a path starting with /");
    }
    const requestId = randomBytes(42).toString("base64url");
    const event: CloudFrontRequestEvent = {
      Records: [
        {
          cf: {
            config: {
              distributionDomainName,
              distributionId: options.distributionId ?? DEFAULT_DISTRIBUTION_ID,
              eventType: "viewer-request",
              requestId,
            },
            request: {
              clientIp: clientIp(request),
              headers: cloudFrontHeaders(request.rawHeaders),
              method: request.method ?? "GET",
              querystring: queryAt < 0 ? "" : target.slice(queryAt + 1),
              uri,
            },
          },
        },
      ],
    };

    let result: CloudFrontRequestResult;
    try {
      result = await options.viewerRequest(event);
    } catch (error) {
      // CloudFront answers a function that throws with 503 (LambdaExecutionError).
      request.resume();
      return sendText(response, 503, `The viewer-request function failed: ${String(error)}`, requestId);
    }
    if (isResponse(result)) {
      // The handler answered; the body the viewer sent is not needed.
      request.resume();
      return sendGenerated(response, result, requestId);
    }
    if (!isRequest(result)) {
      request.resume();
      return sendText(
        response,
        502,
        "The viewer-request function returned neither a request nor a response",
        requestId,
      );
    }
    await forward(request, response, result, requestId);
  }

  async function forward(
    viewer: IncomingMessage,
    response: ServerResponse,
    allowed: CloudFrontRequest,
    requestId: string,
  ): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [name, entries] of Object.entries(allowed.headers ?? {})) {
      const lower = name.toLowerCase();
      if (HOP_BY_HOP.has(lower) || SIGNING_HEADERS.has(lower) || lower === "host") continue;
      headers[lower] = entries.map((entry) => entry.value).join(",");
    }
    headers.host = originUrl.host;
    headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
    headers["x-amz-cf-id"] = requestId;
    const path = `${originUrl.pathname.replace(/\/$/, "")}/${options.origin.bucket}${allowed.uri}`;
    const signed = await signer.sign(
      new HttpRequest({
        method: allowed.method,
        protocol: originUrl.protocol,
        hostname: originUrl.hostname,
        port: originUrl.port ? Number(originUrl.port) : undefined,
        path,
        query: parseQuery(allowed.querystring),
        headers,
      }),
    );

    const send = originUrl.protocol === "https:" ? httpsRequest : httpRequest;
    const outgoing = send(originUrl, {
      method: allowed.method,
      path: allowed.querystring ? `${path}?${allowed.querystring}` : path,
      headers: signed.headers,
    });
    const answered = new Promise<IncomingMessage>((resolve, reject) => {
      outgoing.once("response", resolve);
      outgoing.once("error", reject);
    });
    // Errors reach the caller through `answered` and the pipelines; this keeps a late one
    // (the origin resetting after it answered) from becoming an uncaught exception.
    outgoing.on("error", () => {});
    // A viewer that goes away aborts the origin request too.
    response.once("close", () => {
      if (!response.writableFinished) outgoing.destroy();
    });
    const upload = pipeline(viewer, outgoing).catch(() => undefined);

    let origin: IncomingMessage;
    try {
      origin = await answered;
    } catch (error) {
      viewer.resume();
      await upload;
      return sendText(response, 502, `The origin could not be reached: ${String(error)}`, requestId);
    }
    response.writeHead(origin.statusCode ?? 502, origin.statusMessage, [
      ...withoutHopByHop(origin.rawHeaders),
      "x-amz-cf-id",
      requestId,
    ]);
    await pipeline(origin, response).catch(() => response.destroy());
    await upload;
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const authority = `${address.includes(":") ? `[${address}]` : address}:${port}`;
  distributionDomainName ||= authority;

  return {
    url: `http://${authority}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function parseOrigin(origin: EdgeOrigin): URL {
  let url: URL;
  try {
    url = new URL(origin.url);
  } catch {
    throw new ConfigError(`Edge proxy origin.url "${origin.url}" is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(`Edge proxy origin.url must be http(s), not ${url.protocol}`);
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(origin.bucket)) {
    throw new ConfigError(`Edge proxy origin.bucket "${origin.bucket}" is not a bucket name`);
  }
  if (!origin.credentials?.accessKeyId || !origin.credentials.secretAccessKey) {
    throw new ConfigError("Edge proxy origin.credentials need an accessKeyId and a secretAccessKey");
  }
  return url;
}

/** CloudFront's header map: lower-case names, each a list of `{ key, value }` in arrival order. */
function cloudFrontHeaders(rawHeaders: readonly string[]): CloudFrontHeaders {
  const headers: CloudFrontHeaders = {};
  const hopByHop = hopByHopNames(rawHeaders);
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const key = rawHeaders[i]!;
    const lower = key.toLowerCase();
    // Connection-level headers end at this hop; the function never sees them.
    if (hopByHop.has(lower)) continue;
    const entries = headers[lower] ?? [];
    entries.push({ key, value: rawHeaders[i + 1]! });
    headers[lower] = entries;
  }
  return headers;
}

function clientIp(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? "";
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

function isResponse(result: CloudFrontRequestResult): result is CloudFrontResultResponse {
  return typeof result === "object" && result !== null && "status" in result;
}

function isRequest(result: CloudFrontRequestResult): result is CloudFrontRequest {
  return (
    typeof result === "object" &&
    result !== null &&
    typeof (result as CloudFrontRequest).uri === "string" &&
    (result as CloudFrontRequest).uri.startsWith("/") &&
    typeof (result as CloudFrontRequest).method === "string"
  );
}

function sendGenerated(
  response: ServerResponse,
  generated: CloudFrontResultResponse,
  requestId: string,
): void {
  const body =
    generated.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(generated.body, generated.bodyEncoding === "base64" ? "base64" : "utf8");
  const headers: string[] = [];
  for (const [name, entries] of Object.entries(generated.headers ?? {})) {
    if (HOP_BY_HOP.has(name.toLowerCase()) || name.toLowerCase() === "content-length") continue;
    for (const entry of entries) headers.push(entry.key ?? name, entry.value);
  }
  headers.push("content-length", String(body.length), "x-amz-cf-id", requestId);
  const status = Number(generated.status);
  response.writeHead(Number.isInteger(status) ? status : 502, generated.statusDescription, headers);
  response.end(body);
}

function sendText(response: ServerResponse, status: number, message: string, requestId?: string): void {
  const headers: OutgoingHttpHeaders = {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(message),
  };
  if (requestId) headers["x-amz-cf-id"] = requestId;
  response.writeHead(status, headers);
  response.end(message);
}

function withoutHopByHop(rawHeaders: readonly string[]): string[] {
  const hopByHop = hopByHopNames(rawHeaders);
  const kept: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (!hopByHop.has(rawHeaders[i]!.toLowerCase())) kept.push(rawHeaders[i]!, rawHeaders[i + 1]!);
  }
  return kept;
}

/** The fixed hop-by-hop headers plus those a message names in its own Connection header. */
function hopByHopNames(rawHeaders: readonly string[]): Set<string> {
  const names = new Set(HOP_BY_HOP);
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() !== "connection") continue;
    for (const token of rawHeaders[i + 1]!.split(",")) names.add(token.trim().toLowerCase());
  }
  return names;
}

/** The query as the signer wants it: decoded names and values, repeated names as lists. */
function parseQuery(querystring: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(querystring)) {
    const existing = query[name];
    query[name] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return query;
}
