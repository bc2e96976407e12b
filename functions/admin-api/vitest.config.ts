import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "admin-api", include: ["test/**/*.test.ts"] },
});
