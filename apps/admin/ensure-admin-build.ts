import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { ADMIN_DIST_DIR, buildAdminApp, isBuildStale } from "@photogate/build";

/** Where a build reports its steps (the dev runner's progress fits). */
export interface BuildProgress {
  step<T>(label: string, work: () => Promise<T>): Promise<T>;
  info(line: string): void;
}

const silentProgress: BuildProgress = { step: (_label, work) => work(), info() {} };

/** Plain lines on stderr, for the command line. */
const lineProgress: BuildProgress = {
  async step(label, work) {
    process.stderr.write(`${label}…\n`);
    return work();
  },
  info: (line) => process.stderr.write(`${line}\n`),
};

/**
 * Builds the admin app when apps/admin/dist is missing or older than its sources (the app or
 * packages/core), so `pnpm dev` and the browser tests always serve what the code says. A
 * fresh build is left alone: starting the stack stays fast. One build at a time across
 * processes (test files run in parallel, `pnpm dev` may be running): a lock directory next to
 * the build, taken over when the process that holds it is gone.
 */
export async function ensureAdminBuild(
  options: { progress?: BuildProgress; distDir?: string } = {},
): Promise<{ distDir: string; built: boolean }> {
  const progress = options.progress ?? silentProgress;
  const distDir = options.distDir ?? ADMIN_DIST_DIR;
  if (!(await isBuildStale(distDir))) return { distDir, built: false };
  const release = await lock(`${distDir}.lock`, progress);
  try {
    // Someone else may have built it while this process waited.
    if (!(await isBuildStale(distDir))) return { distDir, built: false };
    await progress.step("admin app (vite build)", () => buildAdminApp({ outDir: distDir, logLevel: "warn" }));
    return { distDir, built: true };
  } finally {
    await release();
  }
}

const LOCK_POLL_MS = 250;

async function lock(dir: string, progress: BuildProgress): Promise<() => Promise<void>> {
  let told = false;
  for (;;) {
    try {
      await mkdir(dir);
      await writeFile(`${dir}/pid`, String(process.pid));
      return () => rm(dir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number(await readFile(`${dir}/pid`, "utf8").catch(() => ""));
    // No pid yet: the holder is between mkdir and writeFile; wait for it.
    if (holder && !isAlive(holder)) {
      await rm(dir, { recursive: true, force: true });
      continue;
    }
    if (!told) {
      progress.info(`waiting for another admin app build (pid ${holder || "?"}) to finish`);
      told = true;
    }
    await sleep(LOCK_POLL_MS);
  }
}

/** Whether a process with this id is running (on this machine). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

// `tsx apps/admin/ensure-admin-build.ts` (run by `pnpm dev` before the stack starts).
if (import.meta.url === `file://${process.argv[1]}`) {
  const { built, distDir } = await ensureAdminBuild({ progress: lineProgress });
  if (built) lineProgress.info(`admin app built in ${distDir}`);
}
