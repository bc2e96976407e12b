import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  statusKey,
  UPLOAD_CONTENT_TYPE_BY_EXTENSION,
  type UploadExtension,
  uploadKey,
  type VerdictDocument,
  VerdictDocument as VerdictSchema,
} from "@photogate/core";
import { PhotoUploadError, VerdictReadError, VerdictTimeoutError } from "./errors";

/**
 * Upload a photo and wait for its verdict, from a browser or from Node: plain `fetch` through
 * CloudFront (the edge checks the access token), or the S3 SDK with identity-pool credentials.
 */
export type PhotoTransport =
  | {
      kind: "cloudfront";
      /** The distribution's URL, e.g. `https://d111111abcdef8.cloudfront.net`. */
      baseUrl: string;
      /** The user-pool **access** token (the edge refuses ID tokens), or a getter for a fresh one. */
      accessToken: string | (() => string | Promise<string>);
      fetch?: typeof fetch;
    }
  | {
      kind: "s3";
      /** An S3 client with identity-pool credentials (`identityPoolCredentialProvider`). */
      s3: S3Client;
      bucket: string;
    };

export interface PhotoToUpload {
  /** The user-pool `sub` of the signed-in user: keys are built from it, never from the identity id. */
  owner: string;
  /** A lower-case UUID; one is made when absent. */
  photoId?: string;
  extension: UploadExtension;
  body: Uint8Array | Blob;
}

export interface UploadedPhoto {
  key: string;
  owner: string;
  photoId: string;
}

/** Puts the photo at `uploads/{owner}/{photoId}.{ext}`; processing starts on its own. */
export async function uploadPhoto(transport: PhotoTransport, photo: PhotoToUpload): Promise<UploadedPhoto> {
  const photoId = photo.photoId ?? globalThis.crypto.randomUUID();
  const key = uploadKey(photo.owner, photoId, photo.extension);
  const contentType = UPLOAD_CONTENT_TYPE_BY_EXTENSION[photo.extension];
  if (transport.kind === "cloudfront") {
    const response = await (transport.fetch ?? fetch)(`${trimSlash(transport.baseUrl)}/${key}`, {
      method: "PUT",
      headers: {
        authorization: `Bearer ${await tokenOf(transport.accessToken)}`,
        "content-type": contentType,
      },
      body: photo.body,
    });
    if (!response.ok) {
      throw new PhotoUploadError(response.status, key, await response.text().catch(() => ""));
    }
  } else {
    try {
      await transport.s3.send(
        new PutObjectCommand({
          Bucket: transport.bucket,
          Key: key,
          Body: photo.body,
          ContentType: contentType,
        }),
      );
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
      throw new PhotoUploadError(status, key, errorText(error), { cause: error });
    }
  }
  return { key, owner: photo.owner, photoId };
}

export interface WaitForVerdictOptions {
  /** Give up after this long with a VerdictTimeoutError. Default 60 s. */
  timeoutMs?: number;
  /** First pause between polls; it grows by half each time up to `maxDelayMs`. Default 250 ms. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /**
   * Wait for a verdict newer than this version (after asking for a reprocess, say). Without it,
   * the first final verdict is returned.
   */
  afterVersion?: number;
  /** Called with each verdict seen, final or not (progress output). */
  onVerdict?: (verdict: VerdictDocument) => void;
  signal?: AbortSignal;
  /** For tests: the clock and the pause. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Polls `photos/{owner}/{photoId}/status.json` until it holds a final verdict (approved,
 * rejected, or failed with no retry to come), with backoff, and returns it. A missing document
 * is "not yet"; a refusal that cannot change by waiting (an expired token, another user's
 * photo at the edge) fails at once; running out of time is a VerdictTimeoutError naming the
 * last thing seen.
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
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = now() + timeoutMs;
  const maxDelay = options.maxDelayMs ?? 2_000;
  let delay = options.initialDelayMs ?? 250;
  let last: VerdictDocument | undefined;
  let lastMiss = "no verdict yet";
  for (;;) {
    options.signal?.throwIfAborted();
    const remaining = deadline - now();
    if (remaining <= 0) throw new VerdictTimeoutError(key, timeoutMs, last, lastMiss);
    const read = await readVerdict(transport, key, remaining, options.signal);
    if (read.verdict) {
      if (read.verdict.version !== last?.version) options.onVerdict?.(read.verdict);
      if (!last || read.verdict.version >= last.version) last = read.verdict;
      if (last.final && last.version > (options.afterVersion ?? 0)) return last;
    } else {
      lastMiss = read.miss;
    }
    const pause = Math.min(delay, deadline - now());
    if (pause <= 0) throw new VerdictTimeoutError(key, timeoutMs, last, lastMiss);
    await sleep(pause, options.signal);
    delay = Math.min(Math.round(delay * 1.5), maxDelay);
  }
}

type VerdictRead = { verdict: VerdictDocument; miss?: undefined } | { verdict?: undefined; miss: string };

async function readVerdict(
  transport: PhotoTransport,
  key: string,
  remainingMs: number,
  signal: AbortSignal | undefined,
): Promise<VerdictRead> {
  // A request that hangs must not outlive the deadline.
  const timeout = AbortSignal.timeout(Math.max(1, remainingMs));
  const abort = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let text: string;
  if (transport.kind === "cloudfront") {
    let response: Response;
    try {
      response = await (transport.fetch ?? fetch)(`${trimSlash(transport.baseUrl)}/${key}`, {
        headers: { authorization: `Bearer ${await tokenOf(transport.accessToken)}` },
        signal: abort,
      });
    } catch (error) {
      if (timeout.aborted && !signal?.aborted) return { miss: "the last request timed out" };
      throw error;
    }
    text = await response.text();
    if (!response.ok) {
      // The edge answers its own refusals in JSON: those will not change by waiting. S3 behind
      // it answers a key that does not exist yet with 403 (no ListBucket) or 404, in XML.
      const fromEdge = response.headers.get("content-type")?.includes("application/json") ?? false;
      if (fromEdge || response.status === 401) throw new VerdictReadError(response.status, key, text);
      if (response.status === 403 || response.status === 404) return { miss: `HTTP ${response.status}` };
      throw new VerdictReadError(response.status, key, text);
    }
  } else {
    try {
      const object = await transport.s3.send(new GetObjectCommand({ Bucket: transport.bucket, Key: key }), {
        abortSignal: abort,
      });
      text = (await object.Body?.transformToString()) ?? "";
    } catch (error) {
      if (timeout.aborted && !signal?.aborted) return { miss: "the last request timed out" };
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
      // Identity-pool sessions may not list photos/ without a prefix, so S3 says 403 for a key
      // that does not exist yet, the same as for one that is not theirs.
      if (status === 403 || status === 404) return { miss: `S3 ${errorText(error)}` };
      throw new VerdictReadError(status, key, errorText(error), { cause: error });
    }
  }
  const parsed = VerdictSchema.safeParse(safeJson(text));
  if (!parsed.success)
    throw new VerdictReadError(200, key, `not a verdict document: ${parsed.error.message}`);
  return { verdict: parsed.data };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function tokenOf(token: string | (() => string | Promise<string>)): Promise<string> {
  return typeof token === "function" ? token() : token;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

function errorText(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e.name ?? "Error"}: ${e.message ?? String(error)}`;
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
