import { existsSync } from "node:fs";
import { cp, mkdir, readFile, realpath, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { esbuildTarget, type LambdaRuntime } from "@photogate/core";
import { build } from "esbuild";
import { registryPackage } from "./registry-package";
import { repoRoot } from "./repo-root";

export { repoRoot };

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
   * `architecture` (from the registry when this machine's install lacks them).
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

interface PackageManifest {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/**
 * Copies a package and its runtime dependencies out of pnpm's store (links resolved).
 * Optional dependencies are kept only when they are the linux (glibc) build for
 * `architecture`, at the exact version the parent pins; pnpm installs only the host's, so
 * any other is fetched from the registry, checked against the lockfile's integrity.
 */
async function copyPackageTree(
  name: string,
  fromDir: string,
  nodeModules: string,
  architecture: LambdaArchitecture,
  seen = new Set<string>(),
  pinnedVersion?: string,
): Promise<void> {
  if (seen.has(name)) return;
  seen.add(name);
  // pnpm links a package's own dependencies beside its real folder, not beside the link
  // (found without it only through the NODE_PATH that `pnpm exec` sets).
  const packageDir = await realpath(await locatePackage(name, fromDir, pinnedVersion));
  const manifest = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8")) as PackageManifest;
  await cp(packageDir, join(nodeModules, name), { recursive: true, dereference: true });
  const target = `linux-${NODE_ARCH[architecture]}`;
  for (const dep of Object.keys(manifest.dependencies ?? {})) {
    await copyPackageTree(dep, packageDir, nodeModules, architecture, seen);
  }
  for (const [dep, version] of Object.entries(manifest.optionalDependencies ?? {})) {
    if (dep.endsWith(target))
      await copyPackageTree(dep, packageDir, nodeModules, architecture, seen, version);
  }
}

async function locatePackage(
  name: string,
  fromDir: string,
  pinnedVersion: string | undefined,
): Promise<string> {
  const installed = findPackageDir(name, fromDir);
  if (installed) {
    const { version } = JSON.parse(
      await readFile(join(installed, "package.json"), "utf8"),
    ) as PackageManifest;
    if (!pinnedVersion || version === pinnedVersion) return installed;
  }
  if (pinnedVersion) return registryPackage(name, pinnedVersion);
  throw new Error(`Cannot find package "${name}" from ${fromDir}: is it a dependency of that package?`);
}

/**
 * Finds a package's folder the way Node would, without require.resolve("x/package.json"):
 * packages with an `exports` map (sharp) do not export their manifest.
 */
function findPackageDir(name: string, fromDir: string): string | undefined {
  const require = createRequire(join(fromDir, "noop.js"));
  for (const nodeModules of require.resolve.paths(name) ?? []) {
    const candidate = join(nodeModules, name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
  }
  return undefined;
}
