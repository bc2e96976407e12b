import { createHash } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build, version as esbuildVersion, type Plugin } from "esbuild";
import { repoRoot } from "./repo-root";

/**
 * A Node program (the CDKTF app) compiled once into one CommonJS file, so running it needs no
 * TypeScript loader: workspace sources are bundled in, packages stay external and load through
 * `require` (a provider class imported as ESM costs several times more), and the file is
 * rebuilt only when an input changes. `{outfile}.inputs.json` records every input with its
 * size, mtime and SHA-256: a launcher trusts an unchanged size and mtime; otherwise
 * `ensureCompiledApp` compares contents and recompiles only when one differs.
 */
export interface CompiledAppManifest {
  /** Changes whenever how the app is compiled changes. */
  compiler: string;
  /** Repository-relative path, size, mtime (ms) and SHA-256 of each input. */
  inputs: Array<[path: string, size: number, mtimeMs: number, sha256: string]>;
}

// Files that shape the output without being imported: the lockfile (package versions) and
// the shared TypeScript settings; each package's manifest and tsconfig are added per build.
const ALWAYS_INPUTS = ["pnpm-lock.yaml", "tsconfig.base.json"];
const COMPILER = `esbuild ${esbuildVersion}, cjs node20, v1`;

export function manifestPath(outfile: string): string {
  return `${outfile}.inputs.json`;
}

async function describe(file: string): Promise<CompiledAppManifest["inputs"][number]> {
  const absolute = join(repoRoot, file);
  const [info, bytes] = await Promise.all([stat(absolute), readFile(absolute)]);
  return [file, info.size, info.mtimeMs, createHash("sha256").update(bytes).digest("hex")];
}

/**
 * Packages are left to Node, each resolved from the file that imports it (pnpm gives every
 * workspace package its own node_modules) to an absolute path; workspace packages are bundled.
 * import.meta.* is replaced by the importing file's own values, which CommonJS lacks.
 */
function nodeAppPlugin(): Plugin {
  return {
    name: "photogate-node-app",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith("node:") || args.path.startsWith("@photogate/") || isAbsolute(args.path)) {
          return undefined;
        }
        const from = createRequire(join(args.resolveDir, "noop.js"));
        return { path: from.resolve(args.path), external: true };
      });
      pluginBuild.onLoad({ filter: /\.ts$/ }, async (args) => {
        const source = await readFile(args.path, "utf8");
        if (!source.includes("import.meta")) return { contents: source, loader: "ts" };
        const prelude = [
          `const __importMetaDirname = ${JSON.stringify(dirname(args.path))};`,
          `const __importMetaFilename = ${JSON.stringify(args.path)};`,
          `const __importMetaUrl = ${JSON.stringify(pathToFileURL(args.path).href)};`,
        ].join(" ");
        return { contents: `${prelude}\n${source}`, loader: "ts" };
      });
    },
  };
}

/** Compiles `entry` (repository-relative) to `outfile` and writes its inputs manifest. */
export async function compileApp(entry: string, outfile: string): Promise<CompiledAppManifest> {
  const result = await build({
    entryPoints: [join(repoRoot, entry)],
    outfile: `${outfile}.${process.pid}.tmp`,
    absWorkingDir: repoRoot,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    sourcemap: false,
    metafile: true,
    logLevel: "warning",
    define: {
      "import.meta.dirname": "__importMetaDirname",
      "import.meta.filename": "__importMetaFilename",
      "import.meta.url": "__importMetaUrl",
    },
    plugins: [nodeAppPlugin()],
  });
  const sources = Object.keys(result.metafile.inputs).filter((file) => !file.includes("node_modules"));
  const manifests = new Set<string>();
  for (const file of sources) {
    // The package.json (and tsconfig.json, which esbuild reads) of each source's package.
    let dir = dirname(resolve(repoRoot, file));
    while (dir.startsWith(repoRoot) && dir !== repoRoot) {
      const candidate = join(dir, "package.json");
      if (await stat(candidate).catch(() => undefined)) {
        manifests.add(relative(repoRoot, candidate));
        const tsconfig = join(dir, "tsconfig.json");
        if (await stat(tsconfig).catch(() => undefined)) manifests.add(relative(repoRoot, tsconfig));
        break;
      }
      dir = dirname(dir);
    }
  }
  const files = [...new Set([...sources, ...manifests, ...ALWAYS_INPUTS])].sort();
  const manifest: CompiledAppManifest = {
    compiler: COMPILER,
    inputs: await Promise.all(files.map(describe)),
  };
  // Renamed into place, so a concurrent run never reads half a file.
  await rename(`${outfile}.${process.pid}.tmp`, outfile);
  await writeManifest(outfile, manifest);
  return manifest;
}

async function writeManifest(outfile: string, manifest: CompiledAppManifest): Promise<void> {
  const temporary = `${manifestPath(outfile)}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(manifest)}\n`);
  await rename(temporary, manifestPath(outfile));
}

async function readManifest(outfile: string): Promise<CompiledAppManifest | undefined> {
  try {
    await stat(outfile);
    return JSON.parse(await readFile(manifestPath(outfile), "utf8")) as CompiledAppManifest;
  } catch {
    return undefined;
  }
}

/**
 * Compiles `entry` to `outfile` unless the last compilation's inputs still have the same
 * bytes (a touched but unchanged file only refreshes the recorded times). Returns whether it
 * compiled.
 */
export async function ensureCompiledApp(entry: string, outfile: string): Promise<{ compiled: boolean }> {
  await mkdir(dirname(outfile), { recursive: true });
  const recorded = await readManifest(outfile);
  if (recorded?.compiler === COMPILER) {
    const current = await Promise.all(recorded.inputs.map(([file]) => describe(file).catch(() => undefined)));
    const same = current.every((now, i) => now && now[3] === recorded.inputs[i]![3]);
    if (same) {
      const refreshed: CompiledAppManifest = {
        compiler: COMPILER,
        inputs: current.filter((c) => c !== undefined),
      };
      await writeManifest(outfile, refreshed);
      return { compiled: false };
    }
  }
  await compileApp(entry, outfile);
  return { compiled: true };
}
