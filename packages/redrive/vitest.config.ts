import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "redrive", include: ["test/**/*.test.ts"] },
});
