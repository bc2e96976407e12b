import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BUILD_DIR_ENV } from "@photogate/build";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The app as the CDKTF CLI runs it: cdktf.json's `app` command from the repository root with
 * CDKTF_OUTDIR set, starting from no build outputs. Builds go to a temporary directory so the
 * run never races other tests over dist/.
 */
const repoRoot = resolve(import.meta.dirname, "../..");
const cdktfJson = JSON.parse(await readFile(join(repoRoot, "cdktf.json"), "utf8")) as { app: string };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let workDir = "";
let outdir = "";
let buildDir = "";

function runApp(): Promise<Run> {
  // Every environment, as a bare `cdktf synth` builds them.
  const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: outdir, [BUILD_DIR_ENV]: buildDir };
  delete env.PHOTOGATE_ENV;
  const child = spawn(cdktfJson.app, { cwd: repoRoot, env, shell: true });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((done) => child.on("close", (code) => done({ code, stdout, stderr })));
}

async function stackNames(): Promise<string[]> {
  const manifest = JSON.parse(await readFile(join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, unknown>;
  };
  return Object.keys(manifest.stacks).sort();
}

const outputs = () => [
  join(buildDir, "functions/processor-arm64/index.mjs"),
  join(buildDir, "functions/processor-x86_64/index.mjs"),
  join(buildDir, "functions/edge-auth-x86_64/index.mjs"),
  join(buildDir, "functions/admin-api-arm64/index.mjs"),
  join(buildDir, "admin-site/index.html"),
  join(buildDir, "stacks-app/main.cjs"),
];
const mtimes = () => Promise.all(outputs().map(async (file) => (await stat(file)).mtimeMs));

let first: Run;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "photogate-cdktf-app-"));
  outdir = join(workDir, "cdktf.out");
  buildDir = join(workDir, "build");
  // The CLI creates the output directory before it starts the app.
  await mkdir(outdir);
  first = await runApp();
}, 600_000);

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe("the CDKTF app as cdktf.json runs it", () => {
  it("builds every bundle and the admin site from a tree with none, then synthesizes all four stacks", async () => {
    expect(first.stderr).not.toMatch(/No function bundle|No admin app build/);
    expect(first.code).toBe(0);
    // The app itself is compiled once, into the build directory like every other output.
    expect(first.stderr).toMatch(/^compiled stacks\/src\/main\.ts in \d+ ms/m);
    for (const id of [
      "processor-arm64",
      "processor-x86_64",
      "edge-auth-x86_64",
      "admin-api-arm64",
      "admin-site",
    ]) {
      expect(first.stderr).toMatch(new RegExp(`^building ${id} … .* in \\d+ ms`, "m"));
    }
    // Progress goes to stderr: what the CLI reads on stdout stays clean.
    expect(first.stdout.trim()).toBe("");
    expect(await stackNames()).toEqual([
      "photogate-dev",
      "photogate-localstack",
      "photogate-prod",
      "photogate-prod-bootstrap",
    ]);
  });

  it("rebuilds nothing when run again on an unchanged tree", async () => {
    const before = await mtimes();
    await rm(outdir, { recursive: true });
    await mkdir(outdir);
    const second = await runApp();
    expect(second.code).toBe(0);
    expect(second.stderr).not.toMatch(/building|compiled/);
    expect(await mtimes()).toEqual(before);
    expect(await stackNames()).toHaveLength(4);
  }, 300_000);
});
