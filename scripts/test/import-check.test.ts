import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkImports, moduleReferences } from "../lib/import-check";

let root: string | undefined;

/** A throwaway pnpm workspace: file path → content (objects become JSON). */
async function workspace(files: Record<string, string | object>): Promise<string> {
  root = await mkdtemp(join(tmpdir(), "photogate-import-check-"));
  await writeFile(join(root, "pnpm-workspace.yaml"), "packages:\n  - packages/*\n");
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), typeof content === "string" ? content : JSON.stringify(content));
  }
  return root;
}

afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
  root = undefined;
});

describe("checkImports", () => {
  it("passes a workspace whose imports stay inside their package and match the manifests", async () => {
    const dir = await workspace({
      "packages/a/package.json": { name: "a", dependencies: { b: "workspace:*" } },
      "packages/a/src/index.ts":
        'import { b } from "b";\nimport { readFile } from "node:fs";\nimport "./local";\n',
      "packages/a/src/local.ts": "export {};\n",
      "packages/b/package.json": { name: "b" },
      "packages/b/src/index.ts": "export const b = 1;\n",
    });
    expect(checkImports(dir)).toEqual([]);
  });

  it("reports a relative import into another package, an undeclared import and an unused dependency", async () => {
    const dir = await workspace({
      "packages/a/package.json": { name: "a", devDependencies: { zod: "^4" } },
      "packages/a/src/index.ts": 'import { b } from "../../b/src/index";\nimport sharp from "sharp";\n',
      "packages/b/package.json": { name: "b" },
      "packages/b/src/index.ts": "export const b = 1;\n",
    });
    expect(checkImports(dir).map(({ kind, at }) => ({ kind, at }))).toEqual([
      { kind: "crosses-package-root", at: "packages/a/src/index.ts:1" },
      { kind: "undeclared-dependency", at: "packages/a/src/index.ts:2" },
      { kind: "unused-dependency", at: undefined },
    ]);
  });

  it("reports a cycle between workspace packages through devDependencies", async () => {
    const dir = await workspace({
      "packages/a/package.json": { name: "a", dependencies: { b: "workspace:*" } },
      "packages/a/src/index.ts": 'export { b } from "b";\n',
      "packages/b/package.json": { name: "b", devDependencies: { a: "workspace:*" } },
      "packages/b/test/b.test.ts": 'import "a";\n',
    });
    const cycles = checkImports(dir).filter((p) => p.kind === "dependency-cycle");
    expect(cycles).toHaveLength(1);
    expect(cycles[0]!.message).toMatch(/a → b → a|b → a → b/);
  });
});

describe("moduleReferences", () => {
  it("finds imports, re-exports, dynamic imports and resolve calls, not mentions in strings or comments", () => {
    const text = [
      'import a from "a";',
      'export * from "./b";',
      'const c = await import("c");',
      'const d = createRequire(import.meta.url).resolve("d/package.json");',
      '// import e from "e";',
      'const message = `from "f"`;',
      'const g = path.resolve("g");',
    ].join("\n");
    expect(moduleReferences(text).map((r) => r.specifier)).toEqual(["a", "./b", "c", "d/package.json"]);
  });
});
