import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { bundleDir, bundleFunction, functionBundles, type LambdaArchitecture } from "@photogate/build";
import { defaultProcessing } from "@photogate/core";
import { afterAll, describe, expect, it } from "vitest";

// Built under a name of its own so the real dist/functions/processor-* outputs are left alone.
const NAME = "processor-bundle-check";
const spec = functionBundles.find((s) => s.name === "processor")!;
const built: LambdaArchitecture[] = [];

async function build(architecture: LambdaArchitecture) {
  built.push(architecture);
  return bundleFunction({ ...spec, name: NAME, architecture });
}

afterAll(async () => {
  for (const architecture of built) await rm(bundleDir(NAME, architecture), { recursive: true, force: true });
});

describe("processor bundle", () => {
  it("ships sharp with the linux arm64 binaries for an arm64 function", async () => {
    const { dir } = await build("arm64");
    expect(existsSync(join(dir, "index.mjs"))).toBe(true);
    expect(existsSync(join(dir, "node_modules/sharp/package.json"))).toBe(true);
    expect(existsSync(join(dir, "node_modules/@img/sharp-linux-arm64/package.json"))).toBe(true);
    expect(existsSync(join(dir, "node_modules/@img/sharp-libvips-linux-arm64/package.json"))).toBe(true);
    expect(existsSync(join(dir, "node_modules/@img/sharp-linux-x64"))).toBe(false);
  });

  it.runIf(process.platform === "linux" && process.arch === "x64")(
    "loads in plain Node and answers the s3:TestEvent (x86_64 build, this machine's architecture)",
    async () => {
      const { dir } = await build("x86_64");
      const url = pathToFileURL(join(dir, "index.mjs")).href;
      const script = `const { handler } = await import(${JSON.stringify(url)});
        await handler({ Service: "Amazon S3", Event: "s3:TestEvent", Bucket: "b" });
        const sharp = (await import("node:module")).createRequire(${JSON.stringify(url)})("sharp");
        console.log(JSON.stringify({ ok: true, vips: sharp.versions.vips }));`;
      const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
        cwd: dir,
        encoding: "utf8",
        env: {
          PATH: process.env.PATH,
          AWS_REGION: "eu-west-1",
          PHOTOGATE_PHOTO_TABLE: "photogate-dev-photos",
          PHOTOGATE_PROCESSING: JSON.stringify(defaultProcessing),
          PHOTOGATE_ENVIRONMENT: "dev",
        },
      });
      expect(result.stderr).not.toMatch(/Error/);
      const lines = result.stdout.trim().split("\n");
      expect(lines.some((l) => l.includes('"event":"event.test"'))).toBe(true);
      expect(JSON.parse(lines.at(-1)!)).toMatchObject({ ok: true });
      expect(result.status).toBe(0);
    },
  );
});
