import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "processor",
    include: ["test/**/*.test.ts"],
    // Image tests encode real multi-megapixel images; a 2-core CI box needs the headroom.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
