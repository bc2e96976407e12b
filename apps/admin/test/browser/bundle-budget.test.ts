import { measureBundle } from "@photogate/build";
import { describe, expect, it } from "vitest";
import { ensureAdminBuild } from "../../ensure-admin-build";

// The budget: < 200 KB of gzipped JavaScript for the first page.
const BUDGET_BYTES = 200 * 1024;

describe("admin app bundle", () => {
  it("loads under 200 KB of gzipped JS for the sign-in page and for the users page it lands on", async () => {
    const { distDir } = await ensureAdminBuild();
    const report = await measureBundle(distDir);
    console.info(
      `admin bundle (gzip): sign-in ${(report.entryGzip / 1024).toFixed(1)} KB, first page ${(report.firstPageGzip / 1024).toFixed(1)} KB, all JS ${(report.totalGzip / 1024).toFixed(1)} KB`,
    );
    expect(report.entryGzip).toBeLessThan(report.firstPageGzip);
    expect(report.firstPageGzip).toBeLessThan(BUDGET_BYTES);
    // The SRP library is only fetched for SRP sign-in: it is not part of the first page.
    expect(report.totalGzip - report.firstPageGzip).toBeGreaterThan(20 * 1024);
  }, 180_000);
});
