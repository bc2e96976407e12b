import { appendFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type Logger, UPLOADS_PREFIX } from "@photogate/core";
import type { S3Event } from "aws-lambda";
import { createEventJournal, type JournalEntry } from "./event-journal";
import { silentLogger } from "./logger";
import { sequencerSource, toRecord } from "./s3-event-record";
import type { S3ObjectEvent, S3ObjectEvents } from "./s3-server";

export { encodeS3EventKey, toRecord } from "./s3-event-record";

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
  logger?: Logger;
  /** Injected so tests do not wait. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
}

export interface S3Notifications {
  /**
   * Turns one object event into a notification when the configuration selects it, writes it to
   * the pending-event journal and queues it; resolves once it is on disk.
   */
  accept(event: S3ObjectEvent): Promise<S3Event | undefined>;
  /** Accepts every event `events` publishes from now on; returns the unsubscribe function. */
  connect(events: S3ObjectEvents): () => void;
  /**
   * Queues every notification an earlier run left undelivered in the journal; resolves with how
   * many. `prepare` sees them first (the local stack ends the dead run's leases there).
   */
  redeliverPending(prepare?: (events: S3Event[]) => Promise<unknown>): Promise<number>;
  /** Resolves when every delivery accepted so far has succeeded or reached the dead-letter file. */
  idle(): Promise<void>;
  /**
   * Shutdown: keeps delivering for up to `timeoutMs`, then starts nothing more (no new
   * deliveries, no retries, no dead-lettering). What is left stays in the journal for the next start.
   */
  drain(timeoutMs: number): Promise<DrainReport>;
  readonly deadLetterFile: string;
  /** `<dataDir>/pending`. */
  readonly journalDirectory: string;
}

export interface DrainReport {
  /** Deliveries that finished (processed or dead-lettered) while draining. */
  drained: number;
  /** Notifications still in the journal for the next start (queued, or in flight at the deadline). */
  pending: number;
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
 * shaped as S3 sends them and delivered at least once: each is journaled on disk before the
 * upload is answered, a failed delivery is retried with backoff and, once retries run out,
 * appended to the dead-letter file; only then does it leave the journal, so nothing is lost.
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

  const journal = createEventJournal(options.dataDir, log);
  const sequencer = sequencerSource(now);
  const queue: JournalEntry[] = [];
  const known = new Set<string>();
  let running = 0;
  /** Notifications being written to the journal: accepted, not yet queued. */
  let journaling = 0;
  let finished = 0;
  let waiters: (() => void)[] = [];
  let stopped = false;
  let onStop: () => void = () => {};
  const stoppedSignal = new Promise<void>((resolve) => {
    onStop = resolve;
  });

  const settleIfIdle = () => {
    if (running > 0 || journaling > 0 || (queue.length > 0 && !stopped)) return;
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  };

  const pump = () => {
    while (!stopped && running < concurrency && queue.length > 0) {
      const entry = queue.shift()!;
      running++;
      void deliverWithRetries(entry).finally(() => {
        running--;
        known.delete(entry.id);
        pump();
        settleIfIdle();
      });
    }
  };

  const enqueue = (entry: JournalEntry) => {
    if (known.has(entry.id)) return;
    known.add(entry.id);
    queue.push(entry);
    pump();
  };

  async function deliverWithRetries({ id, event }: JournalEntry): Promise<void> {
    const { key } = event.Records[0]!.s3.object;
    const attempts = retries + 1;
    for (let attempt = 1; ; attempt++) {
      try {
        await options.deliver(event);
        log.info("notification.delivered", { key, attempt });
        await forget(id);
        return;
      } catch (error) {
        if (stopped) {
          // Shutting down: the emulators are going away, so this failure says nothing about the event.
          log.warn("notification.kept-for-next-start", { key, attempt, error: describeError(error) });
          return;
        }
        if (attempt >= attempts) {
          if (await deadLetter(event, attempt, error)) await forget(id);
          return;
        }
        const delayMs = baseDelayMs * 2 ** (attempt - 1);
        log.warn("notification.retry", { key, attempt, delayMs, error: describeError(error) });
        await Promise.race([sleep(delayMs), stoppedSignal]);
        if (stopped) return;
      }
    }
  }

  async function forget(id: string): Promise<void> {
    finished++;
    await journal.remove(id).catch((error: unknown) => {
      // Harmless but worth knowing: the next start delivers this event again (a duplicate).
      log.warn("journal.remove-failed", { id, error: describeError(error) });
    });
  }

  /** True when the event is safely in the dead-letter file (or, failing that, logged whole). */
  async function deadLetter(event: S3Event, attempts: number, error: unknown): Promise<boolean> {
    const { key } = event.Records[0]!.s3.object;
    const line: DeadLetter = { failedAt: now().toISOString(), attempts, error: describeError(error), event };
    try {
      await mkdir(dirname(deadLetterFile), { recursive: true });
      await appendFile(deadLetterFile, `${JSON.stringify(line)}\n`);
      log.error("notification.dead-lettered", { key, attempts, deadLetterFile, error: line.error });
      return true;
    } catch (writeError) {
      // Kept in the journal, so the next start tries again; the log line says why.
      log.error("notification.dead-letter-failed", {
        key,
        error: line.error,
        writeError: describeError(writeError),
      });
      return false;
    }
  }

  const accept = async (objectEvent: S3ObjectEvent): Promise<S3Event | undefined> => {
    if (!objectEvent.eventName.startsWith("ObjectCreated:") || !objectEvent.key.startsWith(prefix)) {
      return undefined;
    }
    const event: S3Event = {
      Records: [toRecord(objectEvent, { region: options.region, configurationId, sequencer: sequencer() })],
    };
    journaling++;
    try {
      const entry = await journal.add(event);
      log.info("notification.queued", {
        key: objectEvent.key,
        eventName: objectEvent.eventName,
        queued: queue.length + 1,
        running,
      });
      enqueue(entry);
    } finally {
      journaling--;
      settleIfIdle();
    }
    return event;
  };

  const idle = () => {
    if (running === 0 && journaling === 0 && (queue.length === 0 || stopped)) return Promise.resolve();
    return new Promise<void>((resolve) => waiters.push(resolve));
  };

  return {
    accept,
    connect: (events) => events.subscribe((event) => accept(event).then(() => undefined)),
    async redeliverPending(prepare) {
      const entries = await journal.pending();
      if (entries.length && prepare) await prepare(entries.map((entry) => entry.event));
      for (const entry of entries) enqueue(entry);
      if (entries.length) log.info("notification.redelivering", { pending: entries.length });
      return entries.length;
    },
    idle,
    async drain(timeoutMs) {
      const before = finished;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([idle(), deadline]);
      clearTimeout(timer);
      stopped = true;
      onStop();
      settleIfIdle();
      return { drained: finished - before, pending: queue.length + running };
    },
    deadLetterFile,
    journalDirectory: journal.directory,
  };
}

function describeError(error: unknown): DeadLetter["error"] {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(code === undefined ? {} : { code }) };
  }
  return { name: "NonError", message: String(error) };
}
