import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { EnvironmentConfig } from "@photogate/core";
import { version as esbuildVersion } from "esbuild";
import { ADMIN_SOURCES, buildAdminApp } from "./admin-app";
import { bundleDir, bundleFunction, type FunctionBundleSpec, repoRoot } from "./bundle";
import { functionBundles } from "./functions";
import { hashInputs, workspaceClosure } from "./input-hash";
import type { BuildLayout } from "./layout";

const LOCKFILE = join(repoRoot, "pnpm-lock.yaml");
// The bundler's own code shapes every bundle: a change to it rebuilds them all.
const BUILD_SOURCES = join(import.meta.dirname);

/** One thing the stacks deploy, built on demand. */
export interface Deployable {
  /** Shown in progress lines and used as the name of its input-hash file. */
  id: string;
  /** Where the output lands; it counts as built once `marker` exists inside it. */
  dir: string;
  marker: string;
  inputHash: () => Promise<string>;
  build: () => Promise<string>;
}

export interface EnsureResult {
  id: string;
  dir: string;
  inputHash: string;
  built: boolean;
}

export function functionDeployable(spec: FunctionBundleSpec, layout: BuildLayout): Deployable {
  return {
    id: `${spec.name}-${spec.architecture}`,
    dir: bundleDir(spec.name, spec.architecture, layout.functionsDir),
    marker: "index.mjs",
    inputHash: async () => {
      const packages = await workspaceClosure(join(repoRoot, spec.entry));
      const sources = packages.flatMap((dir) => [join(dir, "src"), join(dir, "package.json")]);
      return hashInputs([...sources, LOCKFILE, BUILD_SOURCES], { spec, esbuildVersion });
    },
    build: async () => {
      const bundle = await bundleFunction(spec, layout.functionsDir);
      return `${(bundle.codeBytes / 1024).toFixed(1)} KB`;
    },
  };
}

function adminSiteDeployable(layout: BuildLayout): Deployable {
  return {
    id: "admin-site",
    dir: layout.adminSiteDir,
    marker: "index.html",
    inputHash: () => hashInputs([...ADMIN_SOURCES, LOCKFILE], { build: "vite" }),
    build: async () => {
      await buildAdminApp({ outDir: layout.adminSiteDir, logLevel: "warn" });
      return "vite build";
    },
  };
}

/**
 * What the selected environments deploy: each processor architecture they ask for, the edge
 * and admin API bundles, and the admin site when one of them runs on AWS.
 */
export function deployablesFor(environments: EnvironmentConfig[], layout: BuildLayout): Deployable[] {
  const wanted = (spec: FunctionBundleSpec) =>
    spec.name !== "processor" || environments.some((e) => e.processor.architecture === spec.architecture);
  const list = functionBundles.filter(wanted).map((spec) => functionDeployable(spec, layout));
  if (environments.some((e) => e.target === "aws")) list.push(adminSiteDeployable(layout));
  return list;
}

/**
 * Builds each deployable whose output is missing or was built from other inputs, one
 * progress line per build on `write` (stderr by default, so a CDKTF app's stdout stays
 * clean); an unchanged tree builds nothing. The input hash is written only after a build
 * succeeds, so a failed one is retried next time. `force` builds every one regardless.
 */
export async function ensureBuilds(
  deployables: Deployable[],
  layout: BuildLayout,
  options: { write?: (text: string) => void; force?: boolean } = {},
): Promise<EnsureResult[]> {
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  await mkdir(layout.hashesDir, { recursive: true });
  const results: EnsureResult[] = [];
  for (const deployable of deployables) {
    const hashFile = join(layout.hashesDir, deployable.id);
    const inputHash = await deployable.inputHash();
    const recorded = await readFile(hashFile, "utf8").catch(() => "");
    if (
      !options.force &&
      recorded.trim() === inputHash &&
      existsSync(join(deployable.dir, deployable.marker))
    ) {
      results.push({ id: deployable.id, dir: deployable.dir, inputHash, built: false });
      continue;
    }
    await rm(hashFile, { force: true });
    const started = performance.now();
    write(`building ${deployable.id} … `);
    const summary = await deployable.build().catch((error: unknown) => {
      write("failed\n");
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`building ${deployable.id} failed: ${reason}`);
    });
    await writeFile(hashFile, `${inputHash}\n`);
    write(`${summary} in ${Math.round(performance.now() - started)} ms → ${deployable.dir}\n`);
    results.push({ id: deployable.id, dir: deployable.dir, inputHash, built: true });
  }
  return results;
}
