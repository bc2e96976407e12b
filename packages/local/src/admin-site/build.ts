import { ADMIN_DIST_DIR, buildAdminApp, isBuildStale } from "@photogate/admin/build";
import { type Progress, silentProgress } from "../progress";

/**
 * Builds the admin app when apps/admin/dist is missing or older than its sources (the app or
 * packages/core), so `pnpm dev` and the browser tests always serve what the code says. A
 * fresh build is left alone: starting the stack stays fast.
 */
export async function ensureAdminBuild(
  options: { progress?: Progress; distDir?: string } = {},
): Promise<{ distDir: string; built: boolean }> {
  const progress = options.progress ?? silentProgress;
  const distDir = options.distDir ?? ADMIN_DIST_DIR;
  if (!(await isBuildStale(distDir))) return { distDir, built: false };
  await progress.step("admin app (vite build)", () => buildAdminApp({ outDir: distDir, logLevel: "warn" }));
  return { distDir, built: true };
}
