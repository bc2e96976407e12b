import type { TransientFailure } from "./errors";

/** Socket-level failures a later attempt can outlive (Node's and undici's codes). */
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);
/** The SDK's names for a request that got no answer in time. */
const TIMEOUT_NAMES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException"]);

/** 5xx (CloudFront's 502/503/504, S3's 500/503) and 429 pass; other statuses will not change by waiting. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

/** A response with a retryable status, named by the code in its body (edge JSON or S3 XML) when there is one. */
export function httpFailure(status: number, body: string): TransientFailure {
  const json = safeJson(body) as { code?: unknown; message?: unknown } | undefined;
  const code =
    (typeof json?.code === "string" ? json.code : undefined) ?? /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
  const message =
    (typeof json?.message === "string" ? json.message : undefined) ??
    /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ??
    body.slice(0, 200);
  return { status, code: code ?? `HTTP_${status}`, message };
}

/** A `fetch` that rejected (the caller did not abort): no answer came, so it is worth another try. */
export function fetchFailure(error: unknown): TransientFailure {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  return { code: e.cause?.code ?? e.name ?? "NetworkError", message: e.cause?.message ?? e.message ?? "" };
}

/** An SDK error as a transient failure, or undefined when waiting cannot fix it (4xx, credentials refused). */
export function sdkFailure(error: unknown): TransientFailure | undefined {
  const e = error as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const message = e.message ?? String(error);
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined) {
    return isRetryableStatus(status) ? { status, code: e.name ?? `HTTP_${status}`, message } : undefined;
  }
  if (e.code && NETWORK_CODES.has(e.code)) return { code: e.code, message };
  if (e.name && TIMEOUT_NAMES.has(e.name)) return { code: e.name, message };
  return undefined;
}

/** `Retry-After` (delta-seconds or an HTTP date) in milliseconds from `now`, or undefined. */
export function retryAfterMs(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
