import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "build", include: ["test/**/*.test.ts"] },
});
