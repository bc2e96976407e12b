import { defineProject } from "vitest/config";

// Pure logic and the fetch client run in node; the pages are tested in a real browser
// (packages/local/test/browser), not in a DOM emulation.
export default defineProject({
  test: { name: "admin", include: ["test/**/*.test.ts"] },
});
