import { defineProject } from "vitest/config";

// Pure logic and the fetch client run in node; the pages are tested in a real browser
// (test/browser, the admin-browser project in vitest.browser.config.ts), not in a DOM emulation.
export default defineProject({
  test: { name: "admin", include: ["test/**/*.test.ts"], exclude: ["test/browser/**"] },
});
