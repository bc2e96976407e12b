import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { afterEach, describe, expect, it } from "vitest";
import { zipDirectory } from "../src/lib/function-code";

const made: string[] = [];
function bundle(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "photogate-bundle-"));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}
const cacheDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "photogate-zip-cache-"));
  made.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("zipDirectory", () => {
  const files = { "index.mjs": "export const handler = 1;\n", "node_modules/x/lib.node": "binary" };

  it("zips every file, with paths relative to the bundle", () => {
    const zip = zipDirectory(bundle(files), cacheDir());
    const entries = unzipSync(readFileSync(zip.path));
    expect(Object.keys(entries).sort()).toEqual(Object.keys(files).sort());
    for (const [name, text] of Object.entries(files))
      expect(Buffer.from(entries[name] ?? []).toString()).toBe(text);
    expect(zip.hash).toMatch(/^[0-9A-F]{32}$/);
  });

  it("gives the same bytes and hash for the same files, built at another time in another place", () => {
    const first = zipDirectory(bundle(files), cacheDir());
    const second = zipDirectory(bundle(files), cacheDir());
    expect(second.hash).toBe(first.hash);
    expect(readFileSync(second.path).equals(readFileSync(first.path))).toBe(true);
  });

  it("changes its hash when a file's content, name or mode changes", () => {
    const base = zipDirectory(bundle(files), cacheDir()).hash;
    expect(
      zipDirectory(bundle({ ...files, "index.mjs": "export const handler = 2;\n" }), cacheDir()).hash,
    ).not.toBe(base);
    expect(
      zipDirectory(
        bundle({ "main.mjs": files["index.mjs"], "node_modules/x/lib.node": "binary" }),
        cacheDir(),
      ).hash,
    ).not.toBe(base);
    const executable = bundle(files);
    chmodSync(join(executable, "index.mjs"), 0o755);
    expect(zipDirectory(executable, cacheDir()).hash).not.toBe(base);
  });

  it("zips a bundle again when a file changes in place, even at the same size", () => {
    const dir = bundle(files);
    const cache = cacheDir();
    const first = zipDirectory(dir, cache);
    expect(zipDirectory(dir, cache)).toEqual(first);
    writeFileSync(join(dir, "index.mjs"), "export const handler = 9;\n");
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(dir, "index.mjs"), later, later);
    const second = zipDirectory(dir, cache);
    expect(second.hash).not.toBe(first.hash);
    const entries = unzipSync(readFileSync(second.path));
    expect(Buffer.from(entries["index.mjs"] ?? []).toString()).toBe("export const handler = 9;\n");
  });

  it("reuses the cached zip for content it has zipped", () => {
    const cache = cacheDir();
    const first = zipDirectory(bundle(files), cache);
    writeFileSync(first.path, "cached");
    expect(readFileSync(zipDirectory(bundle(files), cache).path, "utf8")).toBe("cached");
  });

  it("refuses an empty bundle, saying to build it", () => {
    expect(() => zipDirectory(bundle({}), cacheDir())).toThrow(
      /No files to deploy in .*build the function first/,
    );
  });
});
