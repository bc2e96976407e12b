import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lockedIntegrity, registryPackage } from "../src/registry-package";

/** A gzip'd ustar archive of `files` under "package/", as npm publishes. */
function tarball(files: Record<string, { body: string; mode?: number }>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, { body, mode = 0o644 }] of Object.entries(files)) {
    const header = Buffer.alloc(512);
    header.write(`package/${name}`, 0, "utf8");
    header.write(`${mode.toString(8).padStart(7, "0")}\0`, 100);
    header.write(`${Buffer.byteLength(body).toString(8).padStart(11, "0")}\0`, 124);
    header.write("0", 156);
    header.write("ustar\0", 257);
    const data = Buffer.alloc(Math.ceil(Buffer.byteLength(body) / 512) * 512);
    data.write(body);
    blocks.push(header, data);
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

const sri = (bytes: Buffer) => `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
const lockfileFor = (integrity: string) =>
  `lockfileVersion: '9.0'\n\npackages:\n\n  '@img/sharp-linux-arm64@1.2.3':\n    resolution: {integrity: ${integrity}}\n    cpu: [arm64]\n`;

let dir = "";
let requested: string[] = [];
const serve = (bytes: Buffer) => async (url: string) => {
  requested.push(url);
  return new Response(new Uint8Array(bytes));
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "photogate-registry-"));
  requested = [];
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("registryPackage", () => {
  const files = {
    "package.json": { body: '{"name":"@img/sharp-linux-arm64","version":"1.2.3"}' },
    "lib/sharp.node": { body: "binary", mode: 0o755 },
  };

  it("unpacks the tarball the lockfile pins, once, keeping executable bits", async () => {
    const bytes = tarball(files);
    await writeFile(join(dir, "pnpm-lock.yaml"), lockfileFor(sri(bytes)));
    const options = {
      lockfile: join(dir, "pnpm-lock.yaml"),
      cacheDir: join(dir, "cache"),
      registry: "https://registry.test",
      fetch: serve(bytes),
    };
    const unpacked = await registryPackage("@img/sharp-linux-arm64", "1.2.3", options);
    expect(await readFile(join(unpacked, "lib/sharp.node"), "utf8")).toBe("binary");
    expect((await stat(join(unpacked, "lib/sharp.node"))).mode & 0o111).not.toBe(0);
    expect(requested).toEqual(["https://registry.test/@img/sharp-linux-arm64/-/sharp-linux-arm64-1.2.3.tgz"]);
    // The cache answers the second time: no download.
    expect(await registryPackage("@img/sharp-linux-arm64", "1.2.3", options)).toBe(unpacked);
    expect(requested).toHaveLength(1);
  });

  it("refuses a download whose bytes differ from the lockfile's integrity, and caches nothing", async () => {
    await writeFile(join(dir, "pnpm-lock.yaml"), lockfileFor(sri(tarball(files))));
    const tampered = tarball({ ...files, "lib/sharp.node": { body: "tampered" } });
    const options = {
      lockfile: join(dir, "pnpm-lock.yaml"),
      cacheDir: join(dir, "cache"),
      fetch: serve(tampered),
    };
    await expect(registryPackage("@img/sharp-linux-arm64", "1.2.3", options)).rejects.toThrow(
      /integrity mismatch/,
    );
    await expect(stat(join(dir, "cache"))).rejects.toThrow(/ENOENT/);
  });

  it("says to run pnpm install when the lockfile does not list the version", () => {
    expect(() => lockedIntegrity(lockfileFor("sha512-AAAA"), "@img/sharp-linux-arm64", "9.9.9")).toThrow(
      /no integrity for @img\/sharp-linux-arm64@9\.9\.9: run `pnpm install`/,
    );
  });

  it("names the URL and status when the registry refuses", async () => {
    await writeFile(join(dir, "pnpm-lock.yaml"), lockfileFor("sha512-AAAA"));
    const options = {
      lockfile: join(dir, "pnpm-lock.yaml"),
      cacheDir: join(dir, "cache"),
      fetch: async () => new Response("nope", { status: 404 }),
    };
    await expect(registryPackage("@img/sharp-linux-arm64", "1.2.3", options)).rejects.toThrow(
      /sharp-linux-arm64-1\.2\.3\.tgz answered 404/,
    );
  });
});
