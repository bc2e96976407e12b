import { type AdminApiDeps, type DirectorySyncResult, syncDirectory } from "@photogate/admin-api";
import type { Logger } from "@photogate/core";
import { periodic } from "./periodic";

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
  const runner = periodic(() => syncDirectory(options.deps), {
    intervalMs: options.intervalMs ?? 30_000,
    log: options.log,
    failure: "directory.sync-failed",
  });
  try {
    await runner.run();
  } catch (error) {
    await runner.stop();
    throw error;
  }
  return { run: runner.run, stop: runner.stop };
}
