import * as fs from "node:fs";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";

// Records every path the zipper reads, so a test can tell whether it read the bundle at all.
const reads: string[] = [];
vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof fs>();
  return {
    ...real,
    readFileSync: (path: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
      reads.push(String(path));
      return (real.readFileSync as (...args: unknown[]) => unknown)(path, ...rest);
    },
  };
});

/** A fresh copy of the module, as a new synth process loads it: nothing remembered in memory. */
async function freshZipper() {
  vi.resetModules();
  return (await import("../src/lib/function-code")).zipDirectory;
}

const work = mkdtempSync(join(tmpdir(), "photogate-zip-index-"));
const bundleDir = join(work, "bundle");
const cache = join(work, "cache");
const bundleReads = () => reads.filter((path) => path.startsWith(bundleDir));

beforeEach(() => {
  reads.length = 0;
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("zipDirectory across synths", () => {
  it("reads an unchanged bundle once: a later synth finds its hash in the cache's index", async () => {
    fs.mkdirSync(bundleDir, { recursive: true });
    writeFileSync(join(bundleDir, "index.mjs"), "export const handler = 1;\n");
    writeFileSync(join(bundleDir, "data.bin"), "x".repeat(1000));
    const first = (await freshZipper())(bundleDir, cache);
    expect(bundleReads()).toHaveLength(2);

    reads.length = 0;
    const second = (await freshZipper())(bundleDir, cache);
    expect(second).toEqual(first);
    expect(bundleReads()).toEqual([]);
  });

  it("reads and hashes a bundle again once a file of it is rewritten", async () => {
    const before = (await freshZipper())(bundleDir, cache);
    reads.length = 0;
    // Same size; the write gives it a new change time even if its modified time were kept.
    writeFileSync(join(bundleDir, "index.mjs"), "export const handler = 2;\n");
    const after = (await freshZipper())(bundleDir, cache);
    expect(bundleReads()).toHaveLength(2);
    expect(after.hash).not.toBe(before.hash);
  });

  it("zips again when the indexed archive is gone from the cache", async () => {
    const zipper = await freshZipper();
    const indexed = zipper(bundleDir, cache);
    rmSync(indexed.path);
    const again = (await freshZipper())(bundleDir, cache);
    expect(again).toEqual(indexed);
    expect(fs.existsSync(again.path)).toBe(true);
  });
});
