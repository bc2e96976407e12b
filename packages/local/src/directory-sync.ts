import { type AdminApiDeps, type DirectorySyncResult, syncDirectory } from "@photogate/admin-api";
import type { Logger } from "@photogate/core";

export interface LocalDirectorySyncOptions {
  deps: AdminApiDeps;
  /** Between periodic runs. Default 30 s (on AWS a schedule, every 5 minutes by default). */
  intervalMs?: number;
  log: Logger;
}

export interface LocalDirectorySync {
  /** Re-syncs the user directory now (after any run in progress). */
  run(): Promise<DirectorySyncResult>;
  /** Stops the periodic runs and waits for one in progress. */
  stop(): Promise<void>;
}

/**
 * The user directory's re-sync as the local stack runs it: once at start-up (awaited, so the
 * seeded users are searchable when the URLs are printed), then periodically, like the schedule
 * on AWS. Runs never overlap.
 */
export async function startLocalDirectorySync(
  options: LocalDirectorySyncOptions,
): Promise<LocalDirectorySync> {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const run = () => {
    const next = running.then(() => syncDirectory(options.deps));
    running = next.catch(() => undefined);
    return next;
  };
  await run();
  const timer = setInterval(() => {
    if (!stopped) void run().catch((error: unknown) => options.log.error("directory.sync-failed", { error }));
  }, options.intervalMs ?? 30_000);
  timer.unref();
  return {
    run,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
