import { resolve } from "node:path";
import { bundleDir } from "@photogate/build";
import { App } from "cdktf";
import { buildApp, selectEnvironments } from "./app";

/**
 * The CDKTF app (cdktf.json runs it). Every environment by default; one or a few with
 * PHOTOGATE_ENV=dev (or `--env dev`), so `cdktf deploy photogate-dev` need not build the rest.
 */
function environmentSelection(argv: string[]): string | undefined {
  const flag = argv.indexOf("--env");
  if (flag >= 0) return argv[flag + 1];
  return process.env.PHOTOGATE_ENV;
}

const repoRoot = resolve(import.meta.dirname, "../..");
const app = new App();
try {
  buildApp(app, {
    environments: selectEnvironments(environmentSelection(process.argv.slice(2))),
    bundleDir,
    stateDir: repoRoot,
    adminSiteDir: resolve(repoRoot, "apps/admin/dist"),
    ...(process.env.LOCALSTACK_URL ? { localstackUrl: process.env.LOCALSTACK_URL } : {}),
  });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
app.synth();
