import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { promisify } from "node:util";
import { bundleFunction, functionBundles, type LambdaArchitecture } from "@photogate/build";
import { handlerProbes, NODE_FLAGS, runProbe, scanSources } from "./lib/deprecation-check";

/**
 * `pnpm check:node24`: fails when function code uses an API that the functions' Node 24
 * runtime removed or deprecated. Bundles each function afresh (under its own name, so
 * dist/functions is untouched), runs its handler on fixture events with deprecations fatal,
 * and scans the function sources for removed APIs Node 20 does not warn about.
 */
const HOST_ARCHITECTURE: Partial<Record<string, LambdaArchitecture>> = { x64: "x86_64", arm64: "arm64" };

async function flagsAreFatal(): Promise<boolean> {
  // A deliberate DEP0005: if this passes, the flags do not work and the check would prove nothing.
  const result = await promisify(execFile)(process.execPath, [...NODE_FLAGS, "-e", "Buffer(1)"]).then(
    () => "passed",
    () => "failed",
  );
  return result === "failed";
}

async function main(): Promise<void> {
  const started = performance.now();
  const problems: string[] = [];
  if (!(await flagsAreFatal()))
    throw new Error(`node ${NODE_FLAGS.join(" ")} did not make a deprecation fatal`);

  for (const finding of await scanSources()) problems.push(`source: ${finding}`);

  const architecture = HOST_ARCHITECTURE[process.arch];
  for (const probe of await handlerProbes()) {
    const spec = functionBundles.find((s) => s.name === probe.name);
    if (!spec) throw new Error(`@photogate/build has no "${probe.name}" function`);
    // The processor loads sharp's native binary: only a bundle for this machine can run here.
    const runnable = spec.nativePackages?.length ? architecture : spec.architecture;
    if (process.platform !== "linux" || !runnable) {
      console.log(
        `${probe.name} … skipped (its bundle's native code needs linux; this is ${process.platform})`,
      );
      continue;
    }
    process.stdout.write(`${probe.name} (${spec.runtime}) … `);
    const bundle = await bundleFunction({
      ...spec,
      name: `${spec.name}-deprecation-check`,
      architecture: runnable,
    });
    try {
      const problem = await runProbe(bundle.dir, probe);
      console.log(problem ? "FAILED" : "ok");
      if (problem) problems.push(`${probe.name}: ${problem}`);
    } finally {
      await rm(bundle.dir, { recursive: true, force: true });
    }
  }

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (problems.length) {
    throw new Error(`Node 24 check failed (${seconds} s):\n  ${problems.join("\n  ")}`);
  }
  console.log(`no API removed or deprecated by Node 24 in the functions (${seconds} s)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
