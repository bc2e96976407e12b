import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isBuildStale } from "@photogate/build";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let root: string;
const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 12, minutes));

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "photogate-admin-stale-"));
  await mkdir(join(root, "dist"), { recursive: true });
  await mkdir(join(root, "src", "deep", "deeper"), { recursive: true });
  for (let i = 0; i < 40; i++) await writeFile(join(root, "src", `f${i}.ts`), "x");
  await writeFile(join(root, "src", "deep", "deeper", "late.ts"), "x");
  await writeFile(join(root, "vite.config.ts"), "x");
  await writeFile(join(root, "dist", "index.html"), "x");
});

afterAll(() => rm(root, { recursive: true, force: true }));

async function touch(path: string, minutes: number) {
  await utimes(join(root, path), at(minutes), at(minutes));
}

describe("isBuildStale", () => {
  const sources = () => [join(root, "src"), join(root, "vite.config.ts")];

  it("is fresh when every source is older than the build", async () => {
    for (let i = 0; i < 40; i++) await touch(`src/f${i}.ts`, 1);
    await touch("src/deep/deeper/late.ts", 1);
    await touch("vite.config.ts", 1);
    for (const dir of ["src", "src/deep", "src/deep/deeper"]) await touch(dir, 1);
    await touch("dist/index.html", 10);
    expect(await isBuildStale(join(root, "dist"), sources())).toBe(false);
  });

  it("is stale when one nested file among many changed after the build", async () => {
    await touch("src/deep/deeper/late.ts", 20);
    expect(await isBuildStale(join(root, "dist"), sources())).toBe(true);
    await touch("src/deep/deeper/late.ts", 1);
    await touch("src/f17.ts", 20);
    expect(await isBuildStale(join(root, "dist"), sources())).toBe(true);
  });

  it("is stale when a file was deleted (only its folder changed)", async () => {
    await touch("src/f17.ts", 1);
    await touch("src/deep", 20);
    expect(await isBuildStale(join(root, "dist"), sources())).toBe(true);
    await touch("src/deep", 1);
  });

  it("is stale without a build, and ignores sources that do not exist", async () => {
    expect(await isBuildStale(join(root, "nothing"), sources())).toBe(true);
    await touch("src/f17.ts", 1);
    expect(await isBuildStale(join(root, "dist"), [...sources(), join(root, "missing")])).toBe(false);
  });
});
