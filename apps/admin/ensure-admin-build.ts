import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { ADMIN_DIST_DIR, buildAdminApp, isBuildStale } from "@photogate/admin/build";
import { isAlive } from "../endpoints";
import { type Progress, silentProgress } from "@photogate/local-emulators";

/**
 * Builds the admin app when apps/admin/dist is missing or older than its sources (the app or
 * packages/core), so `pnpm dev` and the browser tests always serve what the code says. A
 * fresh build is left alone: starting the stack stays fast. One build at a time across
 * processes (test files run in parallel, `pnpm dev` may be running): a lock directory next to
 * the build, taken over when the process that holds it is gone.
 */
export async function ensureAdminBuild(
  options: { progress?: Progress; distDir?: string } = {},
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

async function lock(dir: string, progress: Progress): Promise<() => Promise<void>> {
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
