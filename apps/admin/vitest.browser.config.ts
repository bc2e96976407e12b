import { defineProject } from "vitest/config";

// The app in headless Chromium against the dev runner's stack: a cold build of the app and
// loading the detector models take a while on 2 cores.
export default defineProject({
  test: {
    name: "admin-browser",
    include: ["test/browser/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
