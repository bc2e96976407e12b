import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { repoRoot } from "./repo-root";

// Generated or installed trees: never a build's source.
const SKIPPED_DIRS = new Set(["node_modules", "dist", ".vite", ".turbo"]);

async function listFiles(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return [];
  if (info.isFile()) return [path];
  const files: string[] = [];
  for (const entry of await readdir(path, { withFileTypes: true })) {
    if (entry.isDirectory() && SKIPPED_DIRS.has(entry.name)) continue;
    const child = join(path, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(child)));
    else if (entry.isFile()) files.push(child);
  }
  return files;
}

/**
 * SHA-256 over `extra` and every file under `paths` (path relative to the repository and
 * bytes), in a fixed order: renaming, adding or deleting a file changes it as editing does.
 */
export async function hashInputs(paths: string[], extra: unknown): Promise<string> {
  const hash = createHash("sha256").update(JSON.stringify(extra)).update("\0");
  const files = [...new Set((await Promise.all(paths.map(listFiles))).flat())].sort();
  // Read synchronously: these are many small files, and an await per file costs more than the read.
  for (const file of files) {
    hash.update(relative(repoRoot, file)).update("\0");
    hash.update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

interface Manifest {
  dependencies?: Record<string, string>;
}

/**
 * The folder of the package that holds `file` and of each workspace package it depends on at
 * run time (transitively): what a bundle of that package is made from.
 */
export async function workspaceClosure(file: string): Promise<string[]> {
  let dir = dirname(file);
  while (!(await stat(join(dir, "package.json")).catch(() => undefined))) {
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`${file} is not inside a workspace package (no package.json above it)`);
    dir = parent;
  }
  const seen = new Set<string>();
  const visit = async (packageDir: string): Promise<void> => {
    if (seen.has(packageDir)) return;
    seen.add(packageDir);
    const manifest = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8")) as Manifest;
    for (const [name, version] of Object.entries(manifest.dependencies ?? {})) {
      if (!version.startsWith("workspace:")) continue;
      // pnpm links each workspace dependency into the dependent's node_modules.
      const linked = await realpath(join(packageDir, "node_modules", name)).catch(() => {
        throw new Error(`${name} (a dependency of ${packageDir}) is not linked: run \`pnpm install\``);
      });
      await visit(linked);
    }
  };
  await visit(dir);
  return [...seen].sort();
}
