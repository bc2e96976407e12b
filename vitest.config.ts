import { defineConfig } from "vitest/config";
import SummaryReporter from "./scripts/test/summary-reporter";

// One `pnpm test` runs every workspace package's own vitest project.
export default defineConfig({
  test: {
    projects: [
      "packages/*",
      "functions/*",
      "stacks",
      "apps/*",
      "apps/admin/vitest.browser.config.ts",
      "scripts",
    ],
    reporters: ["default", new SummaryReporter()],
  },
});
