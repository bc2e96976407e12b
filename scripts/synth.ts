import { spawn } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { repoRoot } from "@photogate/build";
import { daysToDeprecation, LAMBDA_RUNTIMES, type LambdaRuntime } from "@photogate/core";

/**
 * `pnpm synth [env…]`: runs the CDKTF app (stacks/bin/cdktf-app.mjs, as cdktf.json does), which
 * builds the function bundles and admin site it needs when they are missing or stale and
 * writes Terraform JSON for every environment (or the named ones) to cdktf.out/; then prints
 * each stack's backend and resource count.
 * Needs no network: providers are prebuilt packages and nothing is planned.
 */
const outdir = join(repoRoot, "cdktf.out");

async function runApp(environments: string[]): Promise<void> {
  const started = performance.now();
  // The app prints a line per bundle it builds; this brackets them.
  console.log("running the CDKTF app (stacks/bin/cdktf-app.mjs) …");
  const child = spawn(process.execPath, [join(repoRoot, "stacks/bin/cdktf-app.mjs")], {
    cwd: repoRoot,
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      CDKTF_OUTDIR: outdir,
      ...(environments.length ? { PHOTOGATE_ENV: environments.join(",") } : {}),
    },
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  console.log(`synthesized in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (code !== 0) throw new Error(`the CDKTF app (stacks/bin/cdktf-app.mjs) exited with ${code}`);
}

interface Manifest {
  stacks: Record<string, { synthesizedStackPath: string }>;
}

type Blocks = Record<string, Record<string, unknown>>;

function countBlocks(blocks: Blocks | undefined): number {
  return Object.values(blocks ?? {}).reduce((sum, byName) => sum + Object.keys(byName).length, 0);
}

async function printSummary(): Promise<void> {
  const manifest = JSON.parse(await readFile(join(outdir, "manifest.json"), "utf8")) as Manifest;
  console.log("\nstack                              backend  resources  data sources");
  const functions: string[] = [];
  for (const [name, stack] of Object.entries(manifest.stacks)) {
    const config = JSON.parse(await readFile(join(outdir, stack.synthesizedStackPath), "utf8")) as {
      resource?: Blocks;
      data?: Blocks;
      terraform?: { backend?: Record<string, unknown> };
    };
    const backend = Object.keys(config.terraform?.backend ?? {})[0] ?? "none";
    const lambdas = Object.values(config.resource?.aws_lambda_function ?? {}) as Array<{
      function_name: string;
      runtime: LambdaRuntime;
    }>;
    for (const fn of lambdas) {
      const runtime = fn.runtime;
      const days = daysToDeprecation(runtime, new Date());
      functions.push(
        `${fn.function_name.padEnd(34)} ${runtime}  deprecated ${LAMBDA_RUNTIMES[runtime].deprecation} (in ${days} days)`,
      );
    }
    console.log(
      `${name.padEnd(34)} ${backend.padEnd(8)} ${String(countBlocks(config.resource)).padStart(9)} ${String(countBlocks(config.data)).padStart(13)}`,
    );
  }
  // The app already refused any runtime within 90 days of deprecation; this shows the margin.
  console.log(`\nLambda functions\n${functions.join("\n")}`);
  console.log(`\nTerraform JSON in ${outdir}/stacks/*/cdk.tf.json`);
}

async function main(args: string[]): Promise<void> {
  const environments = args.filter((a) => !a.startsWith("--"));
  await rm(outdir, { recursive: true, force: true });
  await runApp(environments);
  await printSummary();
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
