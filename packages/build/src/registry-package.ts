import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, normalize } from "node:path";
import { gunzipSync } from "node:zlib";
import { repoRoot } from "./repo-root";

/**
 * Fetches one exact package version from the npm registry into a local cache, checked
 * against the integrity pnpm-lock.yaml records for it. The bundler uses it for the linux
 * binaries of a native package that this machine's install did not fetch (pnpm installs only
 * the host's platform packages): e.g. @img/sharp-linux-arm64 for an arm64 processor bundle.
 */
export const REGISTRY_CACHE_DIR = join(repoRoot, "node_modules/.cache/photogate-build");

export interface RegistryFetchOptions {
  lockfile?: string;
  cacheDir?: string;
  registry?: string;
  fetch?: (url: string) => Promise<Response>;
}

/** The integrity the lockfile pins for `name@version`, e.g. "sha512-…". */
export function lockedIntegrity(lockfileText: string, name: string, version: string): string {
  const key = name.startsWith("@") ? `'${name}@${version}':` : `${name}@${version}:`;
  const at = lockfileText.indexOf(`\n  ${key}\n`);
  const integrity = at >= 0 ? /integrity: ([^,}\s]+)/.exec(lockfileText.slice(at, at + 600))?.[1] : undefined;
  if (!integrity) {
    throw new Error(
      `pnpm-lock.yaml has no integrity for ${name}@${version}: run \`pnpm install\` so the lockfile lists it`,
    );
  }
  return integrity;
}

/** Checks `bytes` against an SRI string ("sha512-<base64>"); throws naming both digests. */
export function checkIntegrity(bytes: Buffer, integrity: string, what: string): void {
  const [algorithm, expected] = integrity.split(/-(.*)/s);
  if (!algorithm || !expected || !["sha512", "sha384", "sha256", "sha1"].includes(algorithm)) {
    throw new Error(`${what}: unsupported integrity "${integrity}"`);
  }
  const actual = createHash(algorithm).update(bytes).digest("base64");
  if (actual !== expected) {
    throw new Error(`${what}: integrity mismatch (lockfile ${integrity}, downloaded ${algorithm}-${actual})`);
  }
}

/**
 * Unpacks an npm tarball (gzip'd ustar; entries under "package/") into `dir`. Regular files
 * only, as npm publishes; pax and GNU long names are honoured, anything escaping `dir` refused.
 */
export async function unpackTarball(tgz: Buffer, dir: string): Promise<void> {
  const tar = gunzipSync(tgz);
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number) =>
      header.toString("utf8", start, start + length).replace(/\0.*$/s, "");
    const size = Number.parseInt(field(124, 12).trim() || "0", 8);
    const type = field(156, 1) || "0";
    const prefix = field(345, 155);
    const body = tar.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === "x") {
      longName = /\d+ path=([^\n]*)\n/.exec(body.toString("utf8"))?.[1] ?? longName;
      continue;
    }
    if (type === "L") {
      longName = body.toString("utf8").replace(/\0.*$/s, "");
      continue;
    }
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    if (type !== "0" && type !== "\0") continue;
    const relativePath = normalize(name.replace(/^[^/]+\//, ""));
    if (relativePath.startsWith("..") || relativePath.startsWith("/")) {
      throw new Error(`tarball entry "${name}" would be written outside ${dir}`);
    }
    const target = join(dir, relativePath);
    await mkdir(dirname(target), { recursive: true });
    // Executable bits are kept; a shared library must stay loadable.
    const mode = Number.parseInt(field(100, 8).trim() || "644", 8) & 0o755;
    await writeFile(target, body, { mode: mode | 0o644 });
  }
}

/** The unpacked package folder of `name@version`, fetched and checked on first use. */
export async function registryPackage(
  name: string,
  version: string,
  options: RegistryFetchOptions = {},
): Promise<string> {
  const cacheDir = options.cacheDir ?? REGISTRY_CACHE_DIR;
  const dir = join(cacheDir, `${name.replace("/", "+")}@${version}`);
  if (existsSync(join(dir, "package.json"))) return dir;
  const lockfile = options.lockfile ?? join(repoRoot, "pnpm-lock.yaml");
  const integrity = lockedIntegrity(await readFile(lockfile, "utf8"), name, version);
  const registry = (
    options.registry ??
    process.env.npm_config_registry ??
    "https://registry.npmjs.org/"
  ).replace(/\/?$/, "/");
  const url = `${registry}${name}/-/${name.split("/").at(-1)}-${version}.tgz`;
  const response = await (options.fetch ?? fetch)(url).catch((error: unknown) => {
    throw new Error(`cannot download ${name}@${version} from ${url}: ${(error as Error).message ?? error}`);
  });
  if (!response.ok) throw new Error(`cannot download ${name}@${version}: ${url} answered ${response.status}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  checkIntegrity(bytes, integrity, `${name}@${version} from ${url}`);
  // Unpacked beside the final folder, then renamed: a crash never leaves half a package.
  const partial = `${dir}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await unpackTarball(bytes, partial);
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
  return dir;
}
