import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "admin-api",
    include: ["test/**/*.test.ts"],
    // The integration tests start the emulators and process real photos before they run, which
    // takes well over vitest's 10 s default on a loaded two-core machine (as the emulators' own tests).
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
