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
import { join } from "node:path";
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
const zippedThisRun = new Map<string, { path: string; hash: string }>();

/**
 * Zips every file below `dir` (sorted, modes kept, fixed times) into `{cacheDir}/{hash}/archive.zip`
 * unless that file exists. `hash` (32 upper-case hex digits, as cdktf's own asset hashes) is over
 * the names, modes and bytes, so it changes exactly when the code does.
 */
export function zipDirectory(dir: string, cacheDir = DEFAULT_CACHE_DIR): { path: string; hash: string } {
  const listed = filesBelow(dir).map((name) => ({ name, stat: statSync(join(dir, name)) }));
  if (listed.length === 0) throw new Error(`No files to deploy in ${dir}: build the function first`);
  // Synthesizing several environments zips the same bundle for each: unchanged files (same
  // names, sizes, modes and times) are not read and hashed again in this process.
  const seenAs = [
    cacheDir,
    dir,
    ...listed.map((f) => `${f.name}:${f.stat.size}:${f.stat.mode}:${f.stat.mtimeMs}`),
  ].join("\0");
  const seen = zippedThisRun.get(seenAs);
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
  zippedThisRun.set(seenAs, { path, hash });
  if (existsSync(path)) return { path, hash };

  const entries: Zippable = {};
  for (const { name, mode, data } of files) {
    // Unix external attributes: a regular file with its permission bits.
    entries[name] = [data, { mtime: FIXED_MTIME, os: 3, attrs: (0o100000 | mode) << 16, level: 9 }];
  }
  mkdirSync(join(cacheDir, hash), { recursive: true });
  // Written aside and renamed: a concurrent synth or a crash never leaves half a zip in the cache.
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, zipSync(entries));
  renameSync(partial, path);
  return { path, hash };
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
