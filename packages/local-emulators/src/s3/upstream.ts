import { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, request } from "node:http";
import type { Readable } from "node:stream";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { AwsChunkedDecoder } from "./aws-chunked";
import { splitUrl } from "./sigv4";

/** The key s3rver knows from the start; `startS3Server` accepts it only when given no other keys. */
export const DEFAULT_UPSTREAM_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

/** Hop-by-hop, authentication and photogate-internal headers that stay at the gateway. */
const DROPPED_HEADERS = [
  "authorization",
  "x-amz-security-token",
  "connection",
  "keep-alive",
  "expect",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "host",
];
/** A header only the gateway may send to s3rver: the checksum algorithm the store records. */
export const CHECKSUM_ALGORITHM_HEADER = "x-photogate-checksum-algorithm";

/** s3rver behind the gateway, reached with requests SigV4-signed by a key s3rver was given. */
export interface Upstream {
  url: URL;
  /** Signs a request for s3rver (method, raw target) and returns the headers to send. */
  sign(method: string, target: string, headers: OutgoingHttpHeaders, now: Date): Promise<OutgoingHttpHeaders>;
  /** HEAD of an object as stored (status and ETag), for the conditional-write checks. */
  head(path: string, now: Date): Promise<{ status: number; etag?: string }>;
}

export function createUpstream(
  url: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  region: string,
): Upstream {
  const base = new URL(url);
  const signer = new SignatureV4({
    credentials,
    region,
    service: "s3",
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: false,
    applyChecksum: false,
  });
  const upstream: Upstream = {
    url: base,
    async sign(method, target, headers, now) {
      const { path, query } = splitUrl(target);
      const payloadHash = String(headers["x-amz-content-sha256"] ?? "UNSIGNED-PAYLOAD");
      // Only host, date and payload hash are signed: the other headers pass through unchanged.
      const signed = await signer.sign(
        new HttpRequest({
          method,
          protocol: base.protocol,
          hostname: base.hostname,
          path,
          query,
          headers: { host: base.host, "x-amz-content-sha256": payloadHash },
        }),
        { signingDate: now },
      );
      return {
        ...headers,
        host: base.host,
        "x-amz-content-sha256": payloadHash,
        "x-amz-date": signed.headers["x-amz-date"],
        authorization: signed.headers.authorization,
      };
    },
    async head(path, now) {
      const headers = await upstream.sign("HEAD", path, {}, now);
      return new Promise((resolve, reject) => {
        const probe = request(
          { host: base.hostname, port: base.port, method: "HEAD", path, headers },
          (res) => {
            res.resume();
            const etag = res.headers.etag;
            resolve({ status: res.statusCode ?? 502, ...(etag ? { etag } : {}) });
          },
        );
        probe.on("error", reject);
        probe.end();
      });
    },
  };
  return upstream;
}

/**
 * Headers and body for s3rver: the client's headers minus hop-by-hop, credential and
 * `x-photogate-*` headers, with an `aws-chunked` body decoded (its trailers kept on the decoder).
 */
export function upstreamRequest(req: IncomingMessage): {
  headers: IncomingHttpHeaders;
  body: Readable;
  decoder?: AwsChunkedDecoder;
} {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!DROPPED_HEADERS.includes(name) && !name.startsWith("x-photogate-")) headers[name] = value;
  }
  const forwardedFor = req.socket.remoteAddress?.replace(/^::ffff:/, "");
  if (forwardedFor && !headers["x-forwarded-for"]) headers["x-forwarded-for"] = forwardedFor;

  const encodings = (headers["content-encoding"] ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  const payloadHash = String(headers["x-amz-content-sha256"] ?? "");
  if (!encodings.includes("aws-chunked") && !payloadHash.startsWith("STREAMING-"))
    return { headers, body: req };

  const decodedLength = Number(headers["x-amz-decoded-content-length"]);
  const expected = Number.isInteger(decodedLength) && decodedLength >= 0 ? decodedLength : undefined;
  const decoder = new AwsChunkedDecoder(expected);
  const rest = encodings.filter((e) => e !== "aws-chunked");
  if (rest.length > 0) headers["content-encoding"] = rest.join(",");
  else delete headers["content-encoding"];
  if (expected === undefined) delete headers["content-length"];
  else headers["content-length"] = String(expected);
  delete headers["x-amz-decoded-content-length"];
  delete headers["x-amz-trailer"];
  headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
  return { headers, body: req.pipe(decoder), decoder };
}
