import { defineConfig } from "vitest/config";

// One `pnpm test` runs every workspace package's own vitest project.
export default defineConfig({
  test: {
    projects: ["packages/*", "functions/*", "stacks", "apps/*"],
    reporters: ["default"],
  },
});
