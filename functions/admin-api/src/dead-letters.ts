import {
  auditTarget,
  type DeadLetterList,
  type DeadLetterQuery,
  type RedriveBody,
  type RedriveSummary,
} from "@photogate/core";
import { type DeadLetterSource, RedriveBusyError, type Replay, redriveDeadLetters } from "@photogate/redrive";
import type { z } from "zod";
import { writeAudit } from "./audit";
import type { AdminApiDeps, RequestContext } from "./deps";
import { AdminApiError, ConflictError } from "./errors";

/** The processor's dead letters and how to replay one: the DLQ and Lambda on AWS, the file locally. */
export interface DeadLetters {
  /** A fresh source per request: SQS receipt handles and the file's claim belong to one run. */
  source(): DeadLetterSource;
  replay: Replay;
  /** How long one redrive may keep starting replays; the rest waits for the next request. */
  budgetMs: number;
  /** Replays in flight at once. */
  concurrency: number;
}

/** Up to `limit` dead letters, oldest first as the source holds them, and how many there are. */
export async function listDeadLetters(
  deps: AdminApiDeps,
  query: z.output<typeof DeadLetterQuery>,
): Promise<DeadLetterList> {
  const deadLetters = configured(deps);
  const source = deadLetters.source();
  const items = (await source.peek(query.limit)).map(({ id, bucket, key, failedAt, error }) => ({
    id,
    ...(bucket === undefined ? {} : { bucket }),
    key,
    failedAt,
    error,
  }));
  return { items, total: Math.max(items.length, await source.count()) };
}

/** Replays up to `max` dead letters through the processor (or lists them, dry run); one audit entry per run. */
export async function redrive(
  deps: AdminApiDeps,
  ctx: RequestContext,
  body: z.output<typeof RedriveBody>,
): Promise<RedriveSummary> {
  const deadLetters = configured(deps);
  const startedAt = Date.now();
  let summary: RedriveSummary;
  try {
    summary = await redriveDeadLetters(deadLetters.source(), deadLetters.replay, {
      dryRun: body.dryRun,
      max: body.max,
      concurrency: deadLetters.concurrency,
      outOfTime: () => Date.now() - startedAt > deadLetters.budgetMs,
      onResult: (result) => ctx.log.info("redrive.result", { ...result }),
    });
  } catch (error) {
    if (error instanceof RedriveBusyError) throw new ConflictError(error.message, { cause: error });
    throw error;
  }
  // Every run, dry ones too: a dry run on SQS hides the messages it lists for a moment.
  await writeAudit(deps, ctx, {
    action: "dead-letters.redrive",
    target: auditTarget.deadLetters(),
    after: {
      dryRun: summary.dryRun,
      max: body.max,
      replayed: summary.replayed,
      failed: summary.failed,
      remaining: summary.remaining,
      keys: summary.results.map((r) => r.key),
    },
  });
  return summary;
}

function configured(deps: AdminApiDeps): DeadLetters {
  if (!deps.deadLetters) {
    throw new AdminApiError("NOT_SUPPORTED", 501, "Dead letters are not configured for this admin API");
  }
  return deps.deadLetters;
}
