import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import { buffer } from "node:stream/consumers";
import { S3Error } from "./errors";
import type { Exchange, SendError } from "./gateway";
import type { Upstream } from "./upstream";

export interface ResponseHelpers {
  /** Whether the caller may learn that a key does not exist (s3:ListBucket on the bucket). */
  mayKnowMissingKeys(ex: Exchange): Promise<boolean>;
  sendError: SendError;
}

/** s3rver's own error headers (`x-amz-error-code`…), which S3 does not send. */
const S3RVER_ONLY_HEADER = /^x-amz-error-/;
const PRECONDITION_FAILED = "At least one of the pre-conditions you specified did not hold";

/**
 * Answers the client from s3rver's response, with what S3 does and s3rver does not
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html and API_HeadObject.html):
 * 403 instead of 404 for a missing key without s3:ListBucket; `If-Match` / `If-Unmodified-Since`
 * on reads (412); `partNumber`; `x-amz-server-side-encryption: AES256` on object responses (the
 * stacks encrypt by default); the stored checksum only in checksum mode; the RequestId in every
 * error body; and a CompleteMultipartUpload `Location` on the gateway, not on s3rver.
 */
export async function shapeResponse(
  ex: Exchange,
  upstreamRes: IncomingMessage,
  upstream: Upstream,
  helpers: ResponseHelpers,
): Promise<void> {
  const { req, res, requestId, method, target } = ex;
  const status = upstreamRes.statusCode ?? 502;
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(upstreamRes.headers)) {
    if (value !== undefined && !S3RVER_ONLY_HEADER.test(name)) headers[name] = value;
  }
  headers["x-amz-request-id"] = requestId;
  const onObject = target?.key !== undefined;
  const isRead = onObject && (method === "GET" || method === "HEAD");
  const fail = (error: S3Error) => {
    upstreamRes.destroy();
    helpers.sendError(req, res, error, requestId, ex.path);
  };

  if (status >= 400) {
    if (status === 404 && isRead && !(await helpers.mayKnowMissingKeys(ex))) {
      return fail(new S3Error("AccessDenied", "Access Denied"));
    }
    const body = withRequestId((await buffer(upstreamRes)).toString("utf8"), requestId);
    headers["content-length"] = method === "HEAD" ? 0 : Buffer.byteLength(body);
    res.writeHead(status, headers);
    res.end(method === "HEAD" ? undefined : body);
    return;
  }

  if (isRead && (status === 200 || status === 206)) {
    const ifMatch = single(req.headers["if-match"]);
    const etag = single(upstreamRes.headers.etag);
    if (ifMatch !== undefined && !etagMatches(ifMatch, etag)) {
      return fail(new S3Error("PreconditionFailed", PRECONDITION_FAILED, { Condition: "If-Match" }));
    }
    const unmodifiedSince = Date.parse(single(req.headers["if-unmodified-since"]) ?? "");
    const lastModified = Date.parse(single(upstreamRes.headers["last-modified"]) ?? "");
    if (ifMatch === undefined && unmodifiedSince < lastModified) {
      return fail(
        new S3Error("PreconditionFailed", PRECONDITION_FAILED, { Condition: "If-Unmodified-Since" }),
      );
    }
    const partNumber = ex.query.partNumber;
    if (partNumber !== undefined) {
      const part = Number(partNumber);
      if (!/^\d+$/.test(String(partNumber)) || part < 1 || part > 10_000) {
        return fail(
          new S3Error("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive"),
        );
      }
      // s3rver keeps no part boundaries: every object reads as one part (see README).
      if (part > 1)
        return fail(new S3Error("InvalidPartNumber", "The requested partnumber is not satisfiable"));
      if (status === 200) {
        const size = Number(upstreamRes.headers["content-length"] ?? 0);
        // x-amz-mp-parts-count is only for objects uploaded in parts, which s3rver cannot tell.
        headers["content-range"] = `bytes 0-${Math.max(0, size - 1)}/${size}`;
        writeStreamed(ex, upstreamRes, 206, headers);
        return;
      }
    }
    const checksumMode = single(req.headers["x-amz-checksum-mode"])?.toUpperCase() === "ENABLED";
    if (!checksumMode || status === 206) {
      for (const name of Object.keys(headers)) if (name.startsWith("x-amz-checksum-")) delete headers[name];
    }
  }

  if (ex.verifier?.computed && ex.verifier.algorithm) {
    headers[`x-amz-checksum-${ex.verifier.algorithm}`] = ex.verifier.computed;
  }

  if (method === "POST" && "uploadId" in ex.query && status === 200) {
    // s3rver names its own port; S3 names the object's URL as the client addressed it.
    const location = `http://${req.headers.host ?? upstream.url.host}${ex.path}`;
    const body = (await buffer(upstreamRes))
      .toString("utf8")
      .replace(/<Location>[^<]*<\/Location>/, `<Location>${escapeXml(location)}</Location>`);
    headers["content-length"] = Buffer.byteLength(body);
    headers["x-amz-server-side-encryption"] = "AES256";
    res.writeHead(status, headers);
    res.end(body);
    return;
  }
  writeStreamed(ex, upstreamRes, status, headers);
}

function writeStreamed(
  ex: Exchange,
  upstreamRes: IncomingMessage,
  status: number,
  headers: OutgoingHttpHeaders,
) {
  if (ex.target?.key !== undefined && ex.method !== "DELETE" && ex.method !== "OPTIONS" && status < 300) {
    headers["x-amz-server-side-encryption"] = "AES256";
  }
  ex.res.writeHead(status, headers);
  upstreamRes.pipe(ex.res);
  upstreamRes.on("error", () => ex.res.destroy());
}

/** s3rver's error bodies lack S3's RequestId; add it before `</Error>`. */
function withRequestId(body: string, requestId: string): string {
  if (!body.includes("</Error>") || body.includes("<RequestId>")) return body;
  return body.replace("</Error>", `<RequestId>${requestId}</RequestId></Error>`);
}

/** `If-Match` / `If-None-Match` lists (`"a", "b"` or `*`) against an ETag, quotes optional. */
export function etagMatches(condition: string, etag: string | undefined): boolean {
  if (etag === undefined) return false;
  const bare = etag.replace(/"/g, "");
  return condition
    .split(",")
    .map((c) => c.trim().replace(/^W\//, "").replace(/"/g, ""))
    .some((c) => c === "*" || c === bare);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
