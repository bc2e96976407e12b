import { mkdtemp, open, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleFunction, functionBundles, type LambdaArchitecture } from "../src/index";

// ELF e_machine values: what the dynamic loader on the Lambda host checks.
const ELF_MACHINE: Record<LambdaArchitecture, number> = { arm64: 0xb7, x86_64: 0x3e };
const NODE_ARCH: Record<LambdaArchitecture, string> = { arm64: "arm64", x86_64: "x64" };

async function elfMachine(file: string): Promise<number> {
  const handle = await open(file);
  try {
    const header = Buffer.alloc(20);
    await handle.read(header, 0, 20, 0);
    expect(header.subarray(0, 4).toString("latin1")).toBe("\x7fELF");
    return header.readUInt16LE(18);
  } finally {
    await handle.close();
  }
}

const spec = functionBundles.find((s) => s.name === "processor")!;
let functionsDir = "";

beforeAll(async () => {
  functionsDir = await mkdtemp(join(tmpdir(), "photogate-native-bundle-"));
});

afterAll(async () => {
  if (functionsDir) await rm(functionsDir, { recursive: true, force: true });
});

describe.each(["arm64", "x86_64"] as const)("processor bundle for %s", (architecture) => {
  it("ships sharp with the linux binaries of that architecture and no other", async () => {
    const { dir } = await bundleFunction({ ...spec, architecture }, functionsDir);
    const arch = NODE_ARCH[architecture];
    const img = join(dir, "node_modules/@img");
    const binaries = (await readdir(img)).filter((name) => name.startsWith("sharp-")).sort();
    expect(binaries).toEqual([`sharp-libvips-linux-${arch}`, `sharp-linux-${arch}`]);

    const addonDir = join(img, `sharp-linux-${arch}/lib`);
    const addon = (await readdir(addonDir)).find((f) => f.endsWith(".node"));
    expect(addon).toMatch(new RegExp(`^sharp-linux-${arch}-[\\d.]+\\.node$`));
    expect(await elfMachine(join(addonDir, addon!))).toBe(ELF_MACHINE[architecture]);

    const libDir = join(img, `sharp-libvips-linux-${arch}/lib`);
    const libvips = (await readdir(libDir)).find((f) => f.startsWith("libvips-cpp.so"));
    expect(libvips).toBeDefined();
    expect(await elfMachine(join(libDir, libvips!))).toBe(ELF_MACHINE[architecture]);
  }, 180_000);
});
