import { defineProject } from "vitest/config";

// Model loading and detection take seconds on 2 cores; each file loads the models once.
export default defineProject({
  test: {
    name: "local-emulators",
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
