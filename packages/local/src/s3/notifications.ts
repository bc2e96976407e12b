import { createHash, randomBytes } from "node:crypto";
import { appendFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { UPLOADS_PREFIX } from "@photogate/core";
import type { S3Event, S3EventRecord } from "aws-lambda";
import { type S3Logger, silentLogger } from "./logger";
import type { S3ObjectEvent, S3ObjectEvents } from "./s3-server";

export interface S3NotificationsOptions {
  /** Where the bucket "lives": the event's awsRegion. */
  region: string;
  /** The notification target (the processor). Throwing or rejecting means "retry". */
  deliver: (event: S3Event) => Promise<unknown> | unknown;
  /** `<dataDir>/dlq.jsonl` receives events that failed every attempt. */
  dataDir: string;
  /** Retries after the first failure; 2 like Lambda's asynchronous invocations. */
  retries?: number;
  /** Deliveries in flight at once; later events wait their turn. */
  concurrency?: number;
  /** Backoff before retry n (1-based): `baseDelayMs × 2^(n-1)`. Lambda waits minutes; locally a second. */
  baseDelayMs?: number;
  /** Only keys under this prefix notify, like the synthesized `filter_prefix`. */
  prefix?: string;
  /** The notification's id, as the bucket notification configuration names it. */
  configurationId?: string;
  logger?: S3Logger;
  /** Injected so tests do not wait. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
}

export interface S3Notifications {
  /** Turns one object event into a notification and queues it, when the configuration selects it. */
  accept(event: S3ObjectEvent): S3Event | undefined;
  /** Accepts every event `events` publishes from now on; returns the unsubscribe function. */
  connect(events: S3ObjectEvents): () => void;
  /** Resolves when every delivery accepted so far has succeeded or reached the dead-letter file. */
  idle(): Promise<void>;
  readonly deadLetterFile: string;
}

/** What one line of the dead-letter file holds. */
export interface DeadLetter {
  failedAt: string;
  attempts: number;
  error: { name: string; message: string; code?: unknown };
  event: S3Event;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * S3 bucket notifications for photogate's configuration (`s3:ObjectCreated:*` under `uploads/`),
 * shaped as S3 sends them and delivered at least once: a failed delivery is retried with
 * backoff and, once retries run out, appended to the dead-letter file, so nothing is lost.
 */
export function createS3Notifications(options: S3NotificationsOptions): S3Notifications {
  const retries = options.retries ?? 2;
  const concurrency = options.concurrency ?? 2;
  const baseDelayMs = options.baseDelayMs ?? 1000;
  const prefix = options.prefix ?? UPLOADS_PREFIX;
  const configurationId = options.configurationId ?? "photogate-upload-notification";
  const log = options.logger ?? silentLogger;
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? (() => new Date());
  const deadLetterFile = join(options.dataDir, "dlq.jsonl");
  if (!Number.isInteger(retries) || retries < 0)
    throw new RangeError(`retries must be an integer ≥ 0, got ${retries}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be an integer ≥ 1, got ${concurrency}`);
  }

  const sequencer = sequencerSource(now);
  const queue: S3Event[] = [];
  let running = 0;
  let waiters: (() => void)[] = [];

  const settleIfIdle = () => {
    if (running > 0 || queue.length > 0) return;
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  };

  const pump = () => {
    while (running < concurrency && queue.length > 0) {
      const event = queue.shift()!;
      running++;
      void deliverWithRetries(event).finally(() => {
        running--;
        pump();
        settleIfIdle();
      });
    }
  };

  async function deliverWithRetries(event: S3Event): Promise<void> {
    const { key } = event.Records[0]!.s3.object;
    const attempts = retries + 1;
    for (let attempt = 1; ; attempt++) {
      try {
        await options.deliver(event);
        log.info("notification.delivered", { key, attempt });
        return;
      } catch (error) {
        if (attempt >= attempts) {
          await deadLetter(event, attempt, error);
          return;
        }
        const delayMs = baseDelayMs * 2 ** (attempt - 1);
        log.warn("notification.retry", { key, attempt, delayMs, error: describeError(error) });
        await sleep(delayMs);
      }
    }
  }

  async function deadLetter(event: S3Event, attempts: number, error: unknown): Promise<void> {
    const { key } = event.Records[0]!.s3.object;
    const line: DeadLetter = { failedAt: now().toISOString(), attempts, error: describeError(error), event };
    try {
      await mkdir(dirname(deadLetterFile), { recursive: true });
      await appendFile(deadLetterFile, `${JSON.stringify(line)}\n`);
      log.error("notification.dead-lettered", { key, attempts, deadLetterFile, error: line.error });
    } catch (writeError) {
      // The last place left is the log: print the whole event so it can be replayed by hand.
      log.error("notification.lost", {
        key,
        event,
        error: line.error,
        writeError: describeError(writeError),
      });
    }
  }

  const accept = (objectEvent: S3ObjectEvent): S3Event | undefined => {
    if (!objectEvent.eventName.startsWith("ObjectCreated:") || !objectEvent.key.startsWith(prefix)) {
      return undefined;
    }
    const event: S3Event = {
      Records: [toRecord(objectEvent, { region: options.region, configurationId, sequencer: sequencer() })],
    };
    queue.push(event);
    log.info("notification.queued", {
      key: objectEvent.key,
      eventName: objectEvent.eventName,
      queued: queue.length,
      running,
    });
    pump();
    return event;
  };

  return {
    accept,
    connect: (events) => events.subscribe((event) => void accept(event)),
    idle: () => {
      if (running === 0 && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
    deadLetterFile,
  };
}

/** Fixed identities for the local "account", shaped like S3's (they are opaque to consumers). */
const OWNER_ID = "A3PHOTOGATELOCAL";
const PRINCIPAL_ID = "AWS:AIDAPHOTOGATELOCAL";

export function toRecord(
  event: S3ObjectEvent,
  context: { region: string; configurationId: string; sequencer: string },
): S3EventRecord {
  const requestId = randomBytes(8).toString("hex").toUpperCase();
  return {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: context.region,
    eventTime: event.eventTime.toISOString(),
    eventName: event.eventName,
    userIdentity: { principalId: PRINCIPAL_ID },
    requestParameters: { sourceIPAddress: event.sourceIp },
    responseElements: {
      "x-amz-request-id": requestId,
      "x-amz-id-2": createHash("sha256").update(requestId).digest("base64"),
    },
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: context.configurationId,
      bucket: {
        name: event.bucket,
        ownerIdentity: { principalId: OWNER_ID },
        arn: `arn:aws:s3:::${event.bucket}`,
      },
      object: {
        key: encodeS3EventKey(event.key),
        size: event.size ?? 0,
        eTag: event.eTag ?? "",
        sequencer: context.sequencer,
      },
    },
  };
}

/**
 * S3 event keys are form-encoded (Java's URLEncoder rules: only `A-Z a-z 0-9 . - * _` stay,
 * a space becomes `+`, everything else is UTF-8 percent-encoded), except that `/` stays as is:
 * `uploads/a b(1).jpg` → `uploads/a+b%281%29.jpg`.
 */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/%20/g, "+")
    .replace(/%2F/g, "/")
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * S3 sequencers grow with every write to a key. These are the clock in microseconds (so they keep
 * growing across restarts of the local stack, where records in DynamoDB outlive the process),
 * bumped by one when two writes fall in the same microsecond: 18 upper-case hex digits, like S3's.
 */
function sequencerSource(now: () => Date): () => string {
  let last = 0n;
  return () => {
    const clock = BigInt(now().getTime()) * 1000n;
    last = clock > last ? clock : last + 1n;
    return last.toString(16).toUpperCase().padStart(18, "0");
  };
}

function describeError(error: unknown): DeadLetter["error"] {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(code === undefined ? {} : { code }) };
  }
  return { name: "NonError", message: String(error) };
}
