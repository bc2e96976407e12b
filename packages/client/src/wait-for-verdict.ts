import { GetObjectCommand } from "@aws-sdk/client-s3";
import { statusKey, type VerdictDocument, VerdictDocument as VerdictSchema } from "@photogate/core";
import {
  type TransientFailure,
  VerdictReadError,
  VerdictTimeoutError,
  type VerdictWaitState,
} from "./errors";
import { errorText, objectUrl, type PhotoTransport, sdkStatus, tokenOf } from "./photo-transport";
import {
  fetchFailure,
  httpFailure,
  isRetryableStatus,
  retryAfterMs,
  safeJson,
  sdkFailure,
} from "./transient-failure";

export interface WaitForVerdictOptions {
  /** Give up after this long with a VerdictTimeoutError. Default 60 s. */
  timeoutMs?: number;
  /**
   * First pause between polls; it grows by half each time up to `maxDelayMs`. After a failure
   * (5xx, 429, no answer) the pause is drawn at random up to twice the last cap. Default 250 ms.
   */
  initialDelayMs?: number;
  /** Default 2 s; a `Retry-After` from the server may ask for longer, up to the deadline. */
  maxDelayMs?: number;
  /** One request that hangs is cut after this long and counts as a failure. Default 10 s. */
  requestTimeoutMs?: number;
  /**
   * Wait for a verdict newer than this version (after asking for a reprocess, say). Without it,
   * the first final verdict is returned.
   */
  afterVersion?: number;
  /** Called with each verdict seen, final or not (progress output). */
  onVerdict?: (verdict: VerdictDocument) => void;
  signal?: AbortSignal;
  /** For tests: the clock, the pause and the jitter. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

type VerdictRead =
  | { kind: "verdict"; verdict: VerdictDocument }
  /** Not written yet: S3 answers 403 (no ListBucket) or 404. */
  | { kind: "missing"; miss: string }
  | { kind: "failed"; failure: TransientFailure; retryAfterMs?: number; cutByDeadline?: boolean };

/**
 * Polls `photos/{owner}/{photoId}/status.json` until it holds a final verdict (approved,
 * rejected, or failed with no retry to come), and returns it. A missing document is "not yet";
 * 5xx, 429 and requests that got no answer are retried with exponential backoff and full jitter
 * (honouring `Retry-After`); a refusal that cannot change by waiting (a 401 even with a fresh
 * token, a 400, another user's photo at the edge) fails at once with a VerdictReadError; running
 * out of time is a VerdictTimeoutError naming the last verdict and the last failure seen.
 */
export async function waitForVerdict(
  transport: PhotoTransport,
  owner: string,
  photoId: string,
  options: WaitForVerdictOptions = {},
): Promise<VerdictDocument> {
  const key = statusKey(owner, photoId);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = now() + timeoutMs;
  const initialDelay = options.initialDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 2_000;
  const read = verdictReader(transport, key, options.requestTimeoutMs ?? 10_000);
  const seen: VerdictWaitState = { last: undefined, lastMiss: "no verdict yet", lastError: undefined };
  let last: VerdictDocument | undefined;
  let pollDelay = initialDelay;
  let failures = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    if (deadline - now() <= 0) throw new VerdictTimeoutError(key, timeoutMs, seen);
    const result = await read(deadline - now(), options.signal);
    let pause: number;
    if (result.kind === "failed") {
      if (!(result.cutByDeadline && seen.lastError)) seen.lastError = result.failure;
      failures += 1;
      // Full jitter: clients that met the same outage do not all come back at the same instant.
      pause = random() * Math.min(2 * maxDelay, initialDelay * 2 ** failures);
      if (result.retryAfterMs !== undefined) pause = Math.max(pause, result.retryAfterMs);
    } else {
      failures = 0;
      if (result.kind === "verdict") {
        if (result.verdict.version !== last?.version) options.onVerdict?.(result.verdict);
        if (!last || result.verdict.version >= last.version) last = result.verdict;
        seen.last = last;
        if (last.final && last.version > (options.afterVersion ?? 0)) return last;
      } else {
        seen.lastMiss = result.miss;
      }
      pause = pollDelay;
      pollDelay = Math.min(Math.round(pollDelay * 1.5), maxDelay);
    }
    const left = deadline - now();
    if (left <= 0) throw new VerdictTimeoutError(key, timeoutMs, seen);
    await sleep(Math.min(pause, left), options.signal);
  }
}

function verdictReader(transport: PhotoTransport, key: string, requestTimeoutMs: number) {
  if (transport.kind === "cloudfront" && !URL.canParse(objectUrl(transport.baseUrl, key))) {
    throw new VerdictReadError(0, key, `baseUrl "${transport.baseUrl}" is not a URL`);
  }
  return async (remainingMs: number, signal: AbortSignal | undefined): Promise<VerdictRead> => {
    // A request that hangs must not outlive the deadline, nor use it all up.
    const timeout = AbortSignal.timeout(Math.max(1, Math.min(remainingMs, requestTimeoutMs)));
    const abort = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const text =
        transport.kind === "cloudfront"
          ? await readThroughEdge(transport, key, abort)
          : await readFromS3(transport, key, abort);
      if (typeof text !== "string") return text;
      const parsed = VerdictSchema.safeParse(safeJson(text));
      if (!parsed.success) {
        throw new VerdictReadError(200, key, `not a verdict document: ${parsed.error.message}`);
      }
      return { kind: "verdict", verdict: parsed.data };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) {
        // Cut by the deadline itself, it says less than the failures before it: keep those.
        const failure = { code: "TIMEOUT", message: "the last request timed out" };
        return { kind: "failed", failure, cutByDeadline: requestTimeoutMs >= remainingMs };
      }
      throw error;
    }
  };
}

async function readThroughEdge(
  transport: Extract<PhotoTransport, { kind: "cloudfront" }>,
  key: string,
  signal: AbortSignal,
): Promise<string | VerdictRead> {
  const get = async () => {
    const response = await (transport.fetch ?? fetch)(objectUrl(transport.baseUrl, key), {
      headers: { authorization: `Bearer ${await tokenOf(transport.accessToken)}` },
      signal,
    });
    return { response, text: await response.text() };
  };
  let answer: Awaited<ReturnType<typeof get>>;
  try {
    answer = await get();
    // The token may have expired since the getter last refreshed it: ask for a fresh one, once.
    if (answer.response.status === 401 && typeof transport.accessToken === "function") answer = await get();
  } catch (error) {
    if (signal.aborted) throw error;
    return { kind: "failed", failure: fetchFailure(error) };
  }
  const { response, text } = answer;
  if (response.ok) return text;
  if (isRetryableStatus(response.status)) {
    const retryAfter = retryAfterMs(response.headers.get("retry-after"), Date.now());
    return {
      kind: "failed",
      failure: httpFailure(response.status, text),
      ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
    };
  }
  // The edge answers its own refusals in JSON: those will not change by waiting. S3 behind
  // it answers a key that does not exist yet with 403 (no ListBucket) or 404, in XML.
  const fromEdge = response.headers.get("content-type")?.includes("application/json") ?? false;
  if (!fromEdge && (response.status === 403 || response.status === 404)) {
    return { kind: "missing", miss: `HTTP ${response.status}` };
  }
  throw new VerdictReadError(response.status, key, text);
}

async function readFromS3(
  transport: Extract<PhotoTransport, { kind: "s3" }>,
  key: string,
  signal: AbortSignal,
): Promise<string | VerdictRead> {
  try {
    const object = await transport.s3.send(new GetObjectCommand({ Bucket: transport.bucket, Key: key }), {
      abortSignal: signal,
    });
    return (await object.Body?.transformToString()) ?? "";
  } catch (error) {
    if (signal.aborted) throw error;
    const status = sdkStatus(error);
    // Identity-pool sessions may not list photos/ without a prefix, so S3 says 403 for a key
    // that does not exist yet, the same as for one that is not theirs.
    if (status === 403 || status === 404) return { kind: "missing", miss: `S3 ${errorText(error)}` };
    const failure = sdkFailure(error);
    if (!failure) throw new VerdictReadError(status, key, errorText(error), { cause: error });
    const headers = (error as { $response?: { headers?: Record<string, string> } }).$response?.headers;
    const retryAfter = retryAfterMs(headers?.["retry-after"], Date.now());
    return { kind: "failed", failure, ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }) };
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
