import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildLayout, ensureCompiledApp } from "@photogate/build";
import { type Measurement, measureChild, printTable, reportFromChild } from "./lib/measure";

/**
 * `pnpm bench synth`: how long synthesizing photogate's stacks takes, and how much memory,
 * against one bare S3 bucket stack synthesized the same way. Each row runs in a fresh
 * process (this file again, with --child), so imports and heap are counted from scratch.
 * The stacks load as cdktf.json's app loads them: compiled (dist/stacks-app/main.cjs, brought
 * up to date before the rows run), packages through require, no source maps. The function code
 * is the test fixture's: this measures synthesis, not building or zipping bundles.
 */
const repoRoot = join(import.meta.dirname, "../..");
const compiledApp = buildLayout().compiledApp;
const fixtureBundle = join(repoRoot, "stacks/test/fixtures/processor-bundle");
const fixtureSite = join(repoRoot, "stacks/test/fixtures/admin-site");
// cdktf and the providers are the stacks package's dependencies; resolve them from there.
const stacksRequire = createRequire(join(repoRoot, "stacks/package.json"));

type ChildMode = "baseline" | "env";

// Loaded at run time from the stacks package (scripts does not depend on cdktf), so typed here
// only as far as this file uses them.
type StacksAppModule = Pick<typeof import("@photogate/stacks"), "buildApp" | "selectEnvironments">;
type CdktfApp = Parameters<StacksAppModule["buildApp"]>[0];
interface CdktfModule {
  App: new (options: { outdir: string; stackTraces?: boolean }) => CdktfApp;
  TerraformStack: new (scope: CdktfApp, id: string) => object;
}
type ResourceClass = new (scope: object, id: string, config: Record<string, unknown>) => object;

async function child(mode: ChildMode, selection: string | undefined): Promise<void> {
  const outdir = mkdtempSync(join(tmpdir(), "photogate-bench-"));
  const started = performance.now();
  // This child runs under tsx, which turns source maps on; the app runs on plain node.
  process.setSourceMapsEnabled(false);
  // The app is loaded before cdktf, as cdktf.json's app loads it (it defers what cdktf never uses).
  const stacks = mode === "env" ? (stacksRequire(compiledApp) as StacksAppModule) : undefined;
  const cdktf = stacksRequire("cdktf") as CdktfModule;
  // As stacks/src/main.ts creates it (no construct stack traces), for the baseline too.
  const app = new cdktf.App({ outdir, stackTraces: false });
  if (!stacks) {
    const { AwsProvider } = stacksRequire("@cdktf/provider-aws/lib/provider") as {
      AwsProvider: ResourceClass;
    };
    const { S3Bucket } = stacksRequire("@cdktf/provider-aws/lib/s3-bucket") as {
      S3Bucket: ResourceClass;
    };
    const stack = new cdktf.TerraformStack(app, "baseline");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    new S3Bucket(stack, "bucket", { bucket: "photogate-bench" });
  } else {
    stacks.buildApp(app, {
      environments: stacks.selectEnvironments(selection),
      bundleDir: () => fixtureBundle,
      stateDir: outdir,
      adminSiteDir: fixtureSite,
    });
  }
  app.synth();
  const ms = performance.now() - started;
  rmSync(outdir, { recursive: true, force: true });
  reportFromChild(ms);
}

const RUNS = 3;

/** Median run of `RUNS` fresh processes (by wall time), so one slow start does not decide. */
async function medianChild(label: string, args: string[]): Promise<Measurement> {
  const runs: Measurement[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await measureChild(label, import.meta.filename, args));
  runs.sort((a, b) => a.ms - b.ms);
  return runs[Math.floor(RUNS / 2)]!;
}

async function main(): Promise<void> {
  // A compile here is a first synth's cost, not what the rows measure.
  await ensureCompiledApp("stacks/src/main.ts", compiledApp);
  const rows = [
    await medianChild("baseline: one bare S3 bucket stack", ["--child", "baseline"]),
    await medianChild("dev: all stacks (1)", ["--child", "env", "dev"]),
    await medianChild("prod: all stacks (2, with bootstrap)", ["--child", "env", "prod"]),
    await medianChild("every environment (4 stacks)", ["--child", "env", ""]),
  ];
  const perEnv = rows.slice(1, 3);
  const slowest = Math.max(...perEnv.map((r) => r.ms));
  const heaviest = Math.max(...perEnv.map((r) => r.peakRssMb ?? 0));
  const every = rows[3]!;
  const within = slowest < 1000 && heaviest < 200 && every.ms < 1500 && (every.peakRssMb ?? 0) < 200;
  printTable(`synth (imports + construct tree + cdktf.out; median of ${RUNS} fresh processes)`, rows, [
    `one environment: slowest ${slowest.toFixed(0)} ms (target < 1000), peak RSS ${heaviest.toFixed(0)} MiB (target < 200)`,
    `every environment: ${every.ms.toFixed(0)} ms (target < 1500), peak RSS ${(every.peakRssMb ?? 0).toFixed(0)} MiB (target < 200)`,
    `verdict: ${within ? "within targets" : "OVER TARGET"}`,
  ]);
}

const [flag, mode, selection] = process.argv.slice(2);
if (flag === "--child") {
  await child(mode as ChildMode, selection);
} else {
  await main();
}
