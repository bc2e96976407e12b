import { resolve } from "node:path";

/** The monorepo's root: entries, lockfile and default outputs are found from here. */
export const repoRoot = resolve(import.meta.dirname, "../../..");
