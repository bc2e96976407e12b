import type { CloudFrontHeaders, CloudFrontResultResponse } from "aws-lambda";
import { type EdgeRefusal, MethodNotAllowedError, UnauthorizedError } from "./errors";

const REASON_PHRASES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  405: "Method Not Allowed",
  411: "Length Required",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
};

/** The one place a refusal becomes a response: a small JSON body that no cache keeps. */
export function refusalResponse(refusal: EdgeRefusal): CloudFrontResultResponse {
  const headers: CloudFrontHeaders = {
    "content-type": [{ key: "Content-Type", value: "application/json" }],
    "cache-control": [{ key: "Cache-Control", value: "no-store" }],
    "x-content-type-options": [{ key: "X-Content-Type-Options", value: "nosniff" }],
  };
  if (refusal instanceof UnauthorizedError) {
    const error = refusal.code === "MISSING_TOKEN" ? "" : ', error="invalid_token"';
    headers["www-authenticate"] = [{ key: "WWW-Authenticate", value: `Bearer realm="photogate"${error}` }];
  }
  if (refusal instanceof MethodNotAllowedError) {
    headers.allow = [{ key: "Allow", value: refusal.allow.join(", ") }];
  }
  return {
    status: String(refusal.status),
    statusDescription: REASON_PHRASES[refusal.status] ?? "Refused",
    headers,
    body: JSON.stringify({ error: { code: refusal.code, message: refusal.message } }),
  };
}
