import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { LogEntry, Logger } from "@photogate/core";
import { createProcessorMetrics, type ProcessorMetrics } from "@photogate/processor";

/**
 * The local stack's operations view: the processor's metrics and a console line when an
 * alarm of the deployed stack would fire.
 *
 * Metrics: the same EMF lines the processor prints on Lambda, appended to
 * `{dataDir}/metrics.emf.jsonl` instead of the console (one line per data point), so
 * `pnpm dev`'s output stays readable and the file can be inspected or replayed.
 */
export const METRICS_FILE = "metrics.emf.jsonl";

/** Catalogue metrics flushed as each point is added (a long-running process has no invocation end). */
export function createFileMetrics(
  file: string,
  environment: string,
  onLine?: (line: string) => void,
): ProcessorMetrics {
  mkdirSync(dirname(file), { recursive: true });
  const inner = createProcessorMetrics({
    environment,
    sink: (line) => {
      appendFileSync(file, `${line}\n`);
      onLine?.(line);
    },
  });
  return {
    add(key, dimensions, value) {
      inner.add(key, dimensions, value);
      inner.flush();
    },
    async time(stage, work) {
      try {
        return await inner.time(stage, work);
      } finally {
        inner.flush();
      }
    },
    flush: () => inner.flush(),
  };
}

export type AlarmName =
  | "processor-dead-letters"
  | "processor-errors"
  | "quota-refusals"
  | "reconcile-orphans"
  | "reconcile-expired-leases";

const WINDOW_MS = 60_000;

/**
 * Prints `alarm  {name}  {what happened}` the first time a condition occurs in a minute; later
 * occurrences within that minute are counted and reported with the next line, not printed.
 */
export function createAlarmWatch(print: (line: string) => void, now: () => number = Date.now) {
  const state = new Map<AlarmName, { since: number; suppressed: number }>();
  const raise = (name: AlarmName, detail: string) => {
    const at = now();
    const current = state.get(name);
    if (current && at - current.since < WINDOW_MS) {
      current.suppressed++;
      return;
    }
    const more = current?.suppressed ? ` (+${current.suppressed} more in the minute before)` : "";
    state.set(name, { since: at, suppressed: 0 });
    print(`alarm  ${name}  ${detail}${more}`);
  };
  return {
    raise,
    /** The processor's EMF lines: quota refusals and the reconciler's findings. */
    observeMetrics(line: string) {
      const doc = JSON.parse(line) as Record<string, unknown>;
      const value = (name: string) => (typeof doc[name] === "number" ? (doc[name] as number) : 0);
      if (value("QuotaRefusals") > 0) raise("quota-refusals", "an upload was refused QUOTA_EXCEEDED");
      if (value("ReconcileOrphans") > 0) {
        raise(
          "reconcile-orphans",
          `the reconciler found ${value("ReconcileOrphans")} upload(s) with no final record`,
        );
      }
      if (value("ReconcileExpiredLeases") > 0) {
        raise(
          "reconcile-expired-leases",
          `the reconciler found ${value("ReconcileExpiredLeases")} processing claim(s) past their lease`,
        );
      }
    },
    /** Log events that stand for a Lambda error or a DLQ message on AWS. */
    observeLog(entry: LogEntry) {
      if (entry.event === "notification.dead-lettered") {
        raise("processor-dead-letters", `1 upload dead-lettered (${String(entry.key ?? "unknown key")})`);
      } else if (entry.event === "upload.failed") {
        const failure = entry.failure as { code?: string } | undefined;
        raise(
          "processor-errors",
          `processing failed (${failure?.code ?? "error"}) for ${String(entry.owner)}/${String(entry.photoId)}`,
        );
      }
    },
  };
}

export type AlarmWatch = ReturnType<typeof createAlarmWatch>;

/** A logger that also hands every entry (with its child fields) to `observe`. */
export function observedLogger(
  log: Logger,
  observe: (entry: LogEntry) => void,
  base: Record<string, unknown> = {},
): Logger {
  const write = (level: "info" | "warn" | "error") => (event: string, fields?: Record<string, unknown>) => {
    log[level](event, fields);
    observe({ ...base, ...fields, level, event });
  };
  return {
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    child: (fields) => observedLogger(log.child(fields), observe, { ...base, ...fields }),
  };
}
