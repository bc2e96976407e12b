import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { AssetType, TerraformAsset } from "cdktf";
import type { Construct } from "constructs";
import { type Zippable, zipSync } from "fflate";

/**
 * A function's deployment zip as a Terraform asset. cdktf's own ARCHIVE assets zip in a child
 * `node` process per asset at every synth (most of a synth's time); this zips in-process, once per
 * distinct bundle content, into a content-addressed cache, and hands cdktf the finished file.
 */
export function functionCode(scope: Construct, id: string, bundleDir: string): TerraformAsset {
  const { path, hash } = zipDirectory(bundleDir);
  return new TerraformAsset(scope, id, { path, type: AssetType.FILE, assetHash: hash });
}

/** Zip entries all carry this time, so the same files always give the same bytes. */
const FIXED_MTIME = new Date("1980-01-01T00:00:00Z");
const DEFAULT_CACHE_DIR = join(tmpdir(), "photogate-function-zips");

/**
 * Zips every file below `dir` (sorted, modes kept, fixed times) into `{cacheDir}/{hash}/archive.zip`
 * unless that file exists. `hash` (32 upper-case hex digits, as cdktf's own asset hashes) is over
 * the names, modes and bytes, so it changes exactly when the code does.
 */
export function zipDirectory(dir: string, cacheDir = DEFAULT_CACHE_DIR): { path: string; hash: string } {
  const listed = filesBelow(dir).map((name) => ({ name, stat: statSync(join(dir, name)) }));
  if (listed.length === 0) throw new Error(`No files to deploy in ${dir}: build the function first`);
  // A bundle whose files all have the names, sizes, modes and times (modified and changed) of
  // one zipped before (by this synth for another environment, or an earlier one) is found in the
  // cache's index and not read and hashed again.
  const seenAs = [
    dir,
    ...listed.map(({ name, stat }) => `${name}:${stat.size}:${stat.mode}:${stat.mtimeMs}:${stat.ctimeMs}`),
  ].join("\0");
  const indexFile = join(cacheDir, "index", createHash("sha256").update(seenAs).digest("hex"));
  const seen = fromIndex(indexFile, cacheDir);
  if (seen && existsSync(seen.path)) return seen;
  const files = listed.map(({ name, stat }) => ({
    name,
    mode: stat.mode & 0o777,
    data: readFileSync(join(dir, name)),
  }));
  const digest = createHash("sha256");
  for (const file of files)
    digest.update(`${file.name}\0${file.mode}\0${file.data.length}\0`).update(file.data);
  const hash = digest.digest("hex").slice(0, 32).toUpperCase();
  const path = join(cacheDir, hash, "archive.zip");
  if (!existsSync(path)) writeZip(files, path);
  writeAtomically(indexFile, hash);
  return { path, hash };
}

/** The hash an index entry names, when it still looks like one (the archive is checked by the caller). */
function fromIndex(indexFile: string, cacheDir: string): { path: string; hash: string } | undefined {
  let hash: string;
  try {
    hash = readFileSync(indexFile, "utf8");
  } catch {
    return undefined;
  }
  return /^[0-9A-F]{32}$/.test(hash) ? { path: join(cacheDir, hash, "archive.zip"), hash } : undefined;
}

function writeZip(files: Array<{ name: string; mode: number; data: Buffer }>, path: string): void {
  const entries: Zippable = {};
  for (const { name, mode, data } of files) {
    // Unix external attributes: a regular file with its permission bits.
    entries[name] = [data, { mtime: FIXED_MTIME, os: 3, attrs: (0o100000 | mode) << 16, level: 9 }];
  }
  writeAtomically(path, zipSync(entries));
}

/** Written aside and renamed: a concurrent synth or a crash never leaves half a file in the cache. */
function writeAtomically(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, data);
  renameSync(partial, path);
}

/** Paths of every file below `dir`, relative and with `/`, in a stable order. */
function filesBelow(dir: string, prefix = ""): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) names.push(...filesBelow(dir, name));
    else if (entry.isFile() || entry.isSymbolicLink()) names.push(name);
  }
  return names.sort();
}
