import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { repoRoot } from "./repo-root";

/**
 * Building and measuring the admin app (apps/admin) from Node (the stacks, `pnpm dev` and the
 * browser tests use it):
 * a production `vite build` through Vite's API, whether the build is older than its sources,
 * and what the first page costs in gzipped JavaScript.
 */

export const ADMIN_APP_DIR = join(repoRoot, "apps/admin");
export const ADMIN_DIST_DIR = join(ADMIN_APP_DIR, "dist");
/** What a build is made from: the app and the core package it imports its schemas from. */
export const ADMIN_SOURCES = [
  join(ADMIN_APP_DIR, "src"),
  join(ADMIN_APP_DIR, "public"),
  join(ADMIN_APP_DIR, "index.html"),
  join(ADMIN_APP_DIR, "vite.config.ts"),
  join(ADMIN_APP_DIR, "package.json"),
  join(repoRoot, "packages/core/src"),
];

async function newestMtime(path: string): Promise<number> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  // Folders count too: deleting or renaming a file changes only its folder's time.
  const times = await Promise.all(
    entries
      .filter((e) => e.isFile() || e.isDirectory())
      .map(async (e) => (await stat(join(e.parentPath, e.name))).mtimeMs),
  );
  return Math.max(info.mtimeMs, ...times);
}

/** True when `distDir` has no index.html or any source changed after it was written. */
export async function isBuildStale(distDir = ADMIN_DIST_DIR, sources = ADMIN_SOURCES): Promise<boolean> {
  const built = await newestMtime(join(distDir, "index.html"));
  if (built === 0) return true;
  const newest = Math.max(...(await Promise.all(sources.map(newestMtime))));
  return newest > built;
}

/** A production build into `outDir` (Vite's programmatic API, the app's own vite.config.ts). */
export async function buildAdminApp(
  options: { outDir?: string; logLevel?: "info" | "warn" | "silent" } = {},
) {
  const { build } = await import("vite");
  // Vite and the React plugin pick production (React's production build, the jsx runtime
  // without dev checks) from NODE_ENV, which a test runner sets to "test".
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({
      root: ADMIN_APP_DIR,
      configFile: join(ADMIN_APP_DIR, "vite.config.ts"),
      mode: "production",
      logLevel: options.logLevel ?? "warn",
      build: { outDir: options.outDir ?? ADMIN_DIST_DIR, emptyOutDir: true },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  src?: string;
}

export interface BundleReport {
  /** Gzipped bytes of the entry and everything it imports statically: the sign-in page. */
  entryGzip: number;
  /** The entry plus the users page (where a sign-in lands) and its static imports. */
  firstPageGzip: number;
  /** Every JS file of the build, gzipped, lazily loaded pages and the SRP library included. */
  totalGzip: number;
  files: { file: string; gzip: number }[];
}

/** What the first page costs, from the build's manifest (gzip level 9, as CDNs serve it). */
export async function measureBundle(
  distDir = ADMIN_DIST_DIR,
  firstPage = "src/pages/UsersPage.tsx",
): Promise<BundleReport> {
  const manifest = JSON.parse(await readFile(join(distDir, ".vite", "manifest.json"), "utf8")) as Record<
    string,
    ManifestChunk
  >;
  const sizes = new Map<string, number>();
  const gz = async (file: string) => {
    if (!sizes.has(file)) sizes.set(file, gzipSync(await readFile(join(distDir, file)), { level: 9 }).length);
    return sizes.get(file)!;
  };
  const closure = (keys: string[]) => {
    const seen = new Set<string>();
    const walk = (key: string) => {
      if (seen.has(key)) return;
      seen.add(key);
      for (const next of manifest[key]?.imports ?? []) walk(next);
    };
    for (const key of keys) walk(key);
    return [...seen].map((key) => manifest[key]!.file).filter((f) => f.endsWith(".js"));
  };
  const sum = async (files: string[]) => (await Promise.all(files.map(gz))).reduce((a, b) => a + b, 0);
  const entries = Object.entries(manifest)
    .filter(([, c]) => c.isEntry)
    .map(([k]) => k);
  if (!manifest[firstPage]) throw new Error(`${firstPage} is not a chunk of the build`);
  const allJs = [...new Set(Object.values(manifest).map((c) => c.file))].filter((f) => f.endsWith(".js"));
  const files = await Promise.all(allJs.map(async (file) => ({ file, gzip: await gz(file) })));
  return {
    entryGzip: await sum(closure(entries)),
    firstPageGzip: await sum(closure([...entries, firstPage])),
    totalGzip: files.reduce((a, f) => a + f.gzip, 0),
    files: files.sort((a, b) => b.gzip - a.gzip),
  };
}
