import type { DeadLetterItem, RedriveResult, RedriveSummary } from "@photogate/core";

/*
 * Redrive replays the processor's own failed invocations (their payload is what the processor
 * accepts); the admin API and the `pnpm redrive` command both import it from `@photogate/redrive`,
 * a package that pulls in no image code.
 */

/** One dead letter: what is shown (DeadLetterItem) plus the original payload to replay. */
export interface DeadLetterMessage extends DeadLetterItem {
  /** The invocation payload that failed: an S3 event, or the admin API's reprocess request. */
  payload: unknown;
  /** Why the message cannot be replayed at all (unreadable); it is kept and reported, never dropped. */
  unreadable?: string;
}

/** Where dead letters wait: the SQS queue on AWS, the dead-letter file locally. */
export interface DeadLetterSource {
  /** Up to `max` messages, leaving every one where it is (a dry run, a listing). */
  peek(max: number): Promise<DeadLetterMessage[]>;
  /** Takes up to `max` messages for replay; never one already taken in this run. Empty when none are left. */
  receive(max: number): Promise<DeadLetterMessage[]>;
  /** Deletes a message for good: called only after its replay succeeded. */
  remove(message: DeadLetterMessage): Promise<void>;
  /** Ends the run: every message taken and not removed is available again. */
  release(): Promise<void>;
  /** How many dead letters there are now (SQS: approximate). */
  count(): Promise<number>;
}

/** Replays one payload through the processor and resolves when it succeeded; throws when it did not. */
export type Replay = (payload: unknown, message: DeadLetterMessage) => Promise<void>;

export interface RedriveOptions {
  dryRun?: boolean;
  /** Most messages handled in this run. */
  max: number;
  /** Replays in flight at once; default 1. */
  concurrency?: number;
  /** When true, no new replay starts (replays in flight finish); the rest stays for the next run. */
  outOfTime?: () => boolean;
  /** Called with each result as it is known: the command prints progress with it. */
  onResult?: (result: RedriveResult) => void;
}

/**
 * Replays dead letters through the processor: each message at most once per run, removed only
 * after its replay succeeded, a failing one left in place with its error. The processor is
 * idempotent (conditional writes keyed by the upload's sequencer), so a message replayed again
 * after a crash between replay and removal does no harm.
 */
export async function redriveDeadLetters(
  source: DeadLetterSource,
  replay: Replay,
  options: RedriveOptions,
): Promise<RedriveSummary> {
  const { max } = options;
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be an integer ≥ 1, got ${max}`);
  const results: RedriveResult[] = [];
  const record = (result: RedriveResult) => {
    results.push(result);
    options.onResult?.(result);
  };

  if (options.dryRun) {
    for (const message of await source.peek(max)) record({ ...itemOf(message), outcome: "would-replay" });
    return summarise(true, results, await source.count());
  }

  const concurrency = Math.max(1, options.concurrency ?? 1);
  const outOfTime = options.outOfTime ?? (() => false);
  try {
    while (results.length < max && !outOfTime()) {
      const batch = await source.receive(max - results.length);
      if (batch.length === 0) break;
      await forEachBounded(batch, concurrency, async (message) => {
        // A message taken but not started stays taken until release() gives it back.
        if (outOfTime()) return;
        record(await replayOne(source, replay, message));
      });
    }
  } finally {
    await source.release();
  }
  return summarise(false, results, await source.count());
}

async function replayOne(
  source: DeadLetterSource,
  replay: Replay,
  message: DeadLetterMessage,
): Promise<RedriveResult> {
  const item = itemOf(message);
  if (message.unreadable) return { ...item, outcome: "failed", replayError: message.unreadable };
  try {
    await replay(message.payload, message);
  } catch (error) {
    return { ...item, outcome: "failed", replayError: errorText(error) };
  }
  try {
    await source.remove(message);
  } catch (error) {
    // Replayed but still there: the next run replays it again, which the processor tolerates.
    return { ...item, outcome: "failed", replayError: `replayed, but not removed: ${errorText(error)}` };
  }
  return { ...item, outcome: "replayed" };
}

function itemOf(message: DeadLetterMessage): DeadLetterItem {
  return {
    id: message.id,
    ...(message.bucket === undefined ? {} : { bucket: message.bucket }),
    key: message.key,
    failedAt: message.failedAt,
    error: message.error,
  };
}

function summarise(dryRun: boolean, results: RedriveResult[], remaining: number): RedriveSummary {
  return {
    dryRun,
    replayed: results.filter((r) => r.outcome === "replayed").length,
    failed: results
      .filter((r) => r.outcome === "failed")
      .map((r) => ({ id: r.id, key: r.key, error: r.replayError ?? "failed" })),
    remaining,
    results,
  };
}

async function forEachBounded<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
