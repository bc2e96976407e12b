import { existsSync } from "node:fs";
import { cp, mkdir, readFile, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { esbuildTarget, type LambdaRuntime } from "@photogate/core";
import { build } from "esbuild";

export const repoRoot = resolve(import.meta.dirname, "../../..");
export const functionsOutDir = join(repoRoot, "dist/functions");

export type LambdaArchitecture = "arm64" | "x86_64";

/** Where a function's bundle for one architecture is written (and where the stacks read it). */
export function bundleDir(
  name: string,
  architecture: LambdaArchitecture,
  functionsDir = functionsOutDir,
): string {
  return join(functionsDir, `${name}-${architecture}`);
}

export interface FunctionBundleSpec {
  /** Function name; the bundle goes to dist/functions/{name}-{architecture}/. */
  name: string;
  /** Entry file, relative to the repository root. */
  entry: string;
  architecture: LambdaArchitecture;
  /** The Lambda runtime the function is deployed on; the bundle targets its Node.js version. */
  runtime: LambdaRuntime;
  /**
   * Packages with native binaries that cannot be bundled. Each is copied into the
   * bundle's node_modules with its dependencies and the linux binaries for
   * `architecture` (pnpm fetches those through `supportedArchitectures`).
   */
  nativePackages?: string[];
  minify?: boolean;
}

export interface FunctionBundle {
  dir: string;
  /** Bytes of the bundled JavaScript file alone. */
  codeBytes: number;
}

/**
 * Bundles one Lambda function with esbuild into {functionsDir}/{name}-{architecture}/index.mjs
 * (dist/functions by default). Every function construct's asset is made by this one helper.
 */
export async function bundleFunction(
  spec: FunctionBundleSpec,
  functionsDir = functionsOutDir,
): Promise<FunctionBundle> {
  const dir = bundleDir(spec.name, spec.architecture, functionsDir);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const outfile = join(dir, "index.mjs");
  await build({
    entryPoints: [join(repoRoot, spec.entry)],
    outfile,
    bundle: true,
    platform: "node",
    target: esbuildTarget(spec.runtime),
    format: "esm",
    minify: spec.minify ?? true,
    sourcemap: false,
    legalComments: "none",
    external: spec.nativePackages ?? [],
    // ESM output still meets CommonJS dependencies that call require().
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: "warning",
  });
  for (const name of spec.nativePackages ?? []) {
    await copyPackageTree(
      name,
      join(repoRoot, dirname(spec.entry)),
      join(dir, "node_modules"),
      spec.architecture,
    );
  }
  return { dir, codeBytes: (await stat(outfile)).size };
}

const NODE_ARCH: Record<LambdaArchitecture, string> = { arm64: "arm64", x86_64: "x64" };

/**
 * Copies a package and its runtime dependencies out of pnpm's store (links resolved).
 * Optional dependencies are kept only when they are the linux build for `architecture`.
 */
async function copyPackageTree(
  name: string,
  fromDir: string,
  nodeModules: string,
  architecture: LambdaArchitecture,
  seen = new Set<string>(),
): Promise<void> {
  if (seen.has(name)) return;
  seen.add(name);
  const packageDir = findPackageDir(name, fromDir);
  const manifestPath = join(packageDir, "package.json");
  const manifest = JSON.parse(await readFile(manifestPath, "utf8")) as {
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  };
  await cp(packageDir, join(nodeModules, name), { recursive: true, dereference: true });
  const target = `linux-${NODE_ARCH[architecture]}`;
  const wanted = [
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}).filter((d) => d.endsWith(target)),
  ];
  for (const dep of wanted) await copyPackageTree(dep, packageDir, nodeModules, architecture, seen);
}

/**
 * Finds a package's folder the way Node would, without require.resolve("x/package.json"):
 * packages with an `exports` map (sharp) do not export their manifest.
 */
function findPackageDir(name: string, fromDir: string): string {
  const require = createRequire(join(fromDir, "noop.js"));
  for (const nodeModules of require.resolve.paths(name) ?? []) {
    const candidate = join(nodeModules, name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
  }
  throw new Error(`Cannot find package "${name}" from ${fromDir}: is it a dependency of that package?`);
}
