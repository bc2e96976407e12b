// cdktf.json's app. Runs stacks/src/main.ts compiled to one CommonJS file (dist/stacks-app,
// or under PHOTOGATE_BUILD_DIR as @photogate/build's layout says), so synth pays for no
// TypeScript loader and loads provider classes through require; it is recompiled
// (compile-app.ts beside this file) only when a recorded input's size or mtime changed.
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const repoRoot = join(import.meta.dirname, "../..");
const buildDir = process.env.PHOTOGATE_BUILD_DIR;
const compiled = join(buildDir ? resolve(buildDir) : join(repoRoot, "dist"), "stacks-app/main.cjs");

function isCurrent() {
  try {
    statSync(compiled);
    const { inputs } = JSON.parse(readFileSync(`${compiled}.inputs.json`, "utf8"));
    return inputs.every(([file, size, mtimeMs]) => {
      const info = statSync(join(repoRoot, file));
      return info.size === size && info.mtimeMs === mtimeMs;
    });
  } catch {
    return false;
  }
}

if (!isCurrent()) {
  const compile = spawnSync(
    process.execPath,
    ["--import", "tsx", join(import.meta.dirname, "compile-app.ts"), "stacks/src/main.ts", compiled],
    { cwd: repoRoot, stdio: ["ignore", "inherit", "inherit"] },
  );
  if (compile.status !== 0) {
    console.error(
      `compiling the CDKTF app (stacks/src/main.ts) failed (exit ${compile.status ?? compile.signal})`,
    );
    process.exit(1);
  }
}
const { main } = createRequire(import.meta.url)(compiled);
await main(process.argv.slice(2));
