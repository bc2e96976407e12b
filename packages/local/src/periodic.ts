import type { Logger } from "@photogate/core";

export interface Periodic<A extends unknown[], R> {
  /** Runs the task now, after any run in progress; rejects with the task's error. */
  run(...args: A): Promise<R>;
  /** As `run`, but a failure is logged instead of thrown. */
  runQuietly(...args: A): Promise<R | undefined>;
  readonly stopped: boolean;
  /** Stops the periodic runs and waits for one in progress. */
  stop(): Promise<void>;
}

/**
 * A task the local stack runs on demand and every `intervalMs`, as a schedule runs it on AWS.
 * Runs never overlap: each waits for the one before. A failed periodic run is logged as `failure`.
 */
export function periodic<A extends unknown[], R>(
  task: (...args: A) => Promise<R>,
  options: { intervalMs: number; log: Logger; failure: string },
): Periodic<A, R> {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const run = (...args: A): Promise<R> => {
    const next = running.then(() => task(...args));
    running = next.catch(() => undefined);
    return next;
  };
  const runQuietly = (...args: A): Promise<R | undefined> =>
    run(...args).catch((error: unknown) => {
      options.log.error(options.failure, { error });
      return undefined;
    });
  const timer = setInterval(() => {
    if (!stopped) void runQuietly(...([] as unknown as A));
  }, options.intervalMs);
  timer.unref();
  return {
    run,
    runQuietly,
    get stopped() {
      return stopped;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
