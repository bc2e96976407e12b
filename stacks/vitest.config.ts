import { defineProject } from "vitest/config";

export default defineProject({ test: { name: "stacks", include: ["test/**/*.test.ts"] } });
