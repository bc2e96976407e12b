import type { Logger, ReconcileLimits } from "@photogate/core";
import {
  DEFAULT_RECONCILE_LIMITS,
  type ProcessorDeps,
  type ReconcileReport,
  reconcile,
} from "@photogate/processor";
import { periodic } from "./periodic";

export interface LocalReconcilerOptions {
  deps: ProcessorDeps;
  /** Resolves when the notifier has nothing queued: the first run waits for the redelivered journal. */
  notificationsIdle: () => Promise<void>;
  /** When this process started: at start-up, everything older was written by an earlier run. */
  startedAt: number;
  /** Between periodic runs. Default one minute. */
  intervalMs?: number;
  /** Periodic runs leave uploads younger than this to their notification. Default five minutes. */
  olderThanSeconds?: number;
  log: Logger;
}

export interface LocalReconciler {
  /** Runs the reconciler now (after any run in progress); `limits` override the defaults. */
  run(limits?: Partial<ReconcileLimits>): Promise<ReconcileReport>;
  /** Stops the periodic runs and waits for one in progress. */
  stop(): Promise<void>;
}

/**
 * The reconciler as the local stack runs it: once at start-up, after the notifications an
 * earlier run left in the journal were redelivered, for every upload written before this
 * process started; then periodically, like the schedule on AWS. Runs never overlap.
 */
export function startLocalReconciler(options: LocalReconcilerOptions): LocalReconciler {
  const olderThanSeconds = options.olderThanSeconds ?? 300;
  const runner = periodic(
    (limits: Partial<ReconcileLimits> = {}) =>
      reconcile(options.deps, {
        limits: { ...DEFAULT_RECONCILE_LIMITS, olderThanSeconds, ...limits },
        // Locally the bucket is small: list it all from the start.
        startAfter: "uploads/",
      }),
    { intervalMs: options.intervalMs ?? 60_000, log: options.log, failure: "reconcile.failed" },
  );
  // Not awaited by stop(): it waits for the notifier, which may be stopping too.
  void options.notificationsIdle().then(() => {
    if (runner.stopped) return;
    const sinceStart = Math.floor((Date.now() - options.startedAt) / 1000);
    return runner.runQuietly({ olderThanSeconds: sinceStart });
  });
  return { run: runner.run, stop: runner.stop };
}
