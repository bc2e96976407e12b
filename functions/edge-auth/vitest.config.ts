import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "edge-auth",
    include: ["test/**/*.test.ts"],
    // The bundle and cognito-local tests start esbuild and a child server.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
