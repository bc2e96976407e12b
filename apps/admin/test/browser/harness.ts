import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ANY_FREE_PORTS, type DevStack, startDevStack } from "@photogate/local";
import { createProgress } from "@photogate/local-emulators";
import { ensureAdminBuild } from "../../ensure-admin-build";

/**
 * The local stack with the admin API and the admin app, on free ports, for the browser tests
 * (and `tsx test/browser/harness.ts` to look by hand).
 */
export interface AdminHarness {
  stack: DevStack;
  /** The admin app's URL (its API is same-origin under /api). */
  siteUrl: string;
  stop(): Promise<void>;
}

export async function startAdminHarness(): Promise<AdminHarness> {
  const dataDir = await mkdtemp(join(tmpdir(), "photogate-admin-browser-"));
  try {
    // Progress goes to stderr: a cold build of the app takes a while and says so.
    const progress = createProgress();
    const { distDir } = await ensureAdminBuild({ progress });
    const stack = await startDevStack({ dataDir, ports: ANY_FREE_PORTS, adminSite: { distDir }, progress });
    return {
      stack,
      siteUrl: stack.endpoints.urls.admin!,
      async stop() {
        await stack.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

// `pnpm exec tsx apps/admin/test/browser/harness.ts`: the same setup, to use by hand.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { seedSamplePhotos } = await import("@photogate/local");
  const harness = await startAdminHarness();
  await seedSamplePhotos(harness.stack.endpoints, "demo");
  await harness.stack.notifications.idle();
  console.log(`admin app: ${harness.siteUrl}  (support@photogate.local / Support-photogate-1)`);
  process.on("SIGINT", () => void harness.stop().then(() => process.exit(0)));
}
