// Before cdktf loads: what it loads and a synth never calls costs nothing.
import "./lib/defer-before-cdktf";
import { resolve } from "node:path";
import { buildLayout, bundleDir, deployablesFor, ensureBuilds } from "@photogate/build";
import { App } from "cdktf";
import { buildApp, selectEnvironments } from "./app";

// The synth bench loads these from the compiled app, as cdktf.json's app loads them.
export { buildApp, selectEnvironments };

/**
 * The CDKTF app. cdktf.json runs it compiled, through stacks/bin/cdktf-app.mjs, for synth, diff
 * and deploy. Every environment by default; one or a few with PHOTOGATE_ENV=dev (or `--env dev`),
 * so `cdktf deploy photogate-dev` need not build the rest. It first builds the function bundles
 * and the admin site those environments deploy, when missing or built from other sources, so a
 * fresh clone synthesizes after `pnpm install` alone.
 */
function environmentSelection(argv: string[]): string | undefined {
  const flag = argv.indexOf("--env");
  if (flag >= 0) return argv[flag + 1];
  return process.env.PHOTOGATE_ENV;
}

export async function main(argv: string[]): Promise<void> {
  const repoRoot = resolve(import.meta.dirname, "../..");
  const layout = buildLayout();
  // No construct stack traces in the synthesized metadata: nobody reads them, and capturing one
  // per construct costs more than a tenth of a synth.
  const app = new App({ stackTraces: false });
  try {
    const environments = selectEnvironments(environmentSelection(argv));
    await ensureBuilds(deployablesFor(environments, layout), layout);
    buildApp(app, {
      environments,
      bundleDir: (name, architecture) => bundleDir(name, architecture, layout.functionsDir),
      stateDir: repoRoot,
      adminSiteDir: layout.adminSiteDir,
      ...(process.env.LOCALSTACK_URL ? { localstackUrl: process.env.LOCALSTACK_URL } : {}),
    });
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  app.synth();
}
