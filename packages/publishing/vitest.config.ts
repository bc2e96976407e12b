import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "publishing", include: ["test/**/*.test.ts"] },
});
