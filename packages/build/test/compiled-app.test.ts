import { mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CompiledAppManifest, ensureCompiledApp, manifestPath, repoRoot } from "../src/index";

let work = "";
let entry = "";
let outfile = "";
// A fresh require each time: the compiled file is rewritten between loads.
const load = (file: string) => {
  const required = createRequire(import.meta.url);
  delete required.cache[file];
  return required(file) as { where: () => { dir: string; file: string; url: string }; greeting: string };
};
const manifest = async () => JSON.parse(await readFile(manifestPath(outfile), "utf8")) as CompiledAppManifest;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "photogate-compiled-app-"));
  await writeFile(join(work, "greeting.ts"), 'export const greeting: string = "hello";\n');
  await writeFile(
    join(work, "main.ts"),
    [
      'export { greeting } from "./greeting";',
      "export const where = () => ({ dir: import.meta.dirname, file: import.meta.filename, url: import.meta.url });",
      "",
    ].join("\n"),
  );
  entry = relative(repoRoot, join(work, "main.ts"));
  outfile = join(work, "out/main.cjs");
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("ensureCompiledApp", () => {
  it("compiles to CommonJS that keeps each source's own import.meta values", async () => {
    expect(await ensureCompiledApp(entry, outfile)).toEqual({ compiled: true });
    const app = load(outfile);
    expect(app.greeting).toBe("hello");
    expect(app.where()).toEqual({
      dir: work,
      file: join(work, "main.ts"),
      url: `file://${join(work, "main.ts")}`,
    });
    const inputs = (await manifest()).inputs.map(([file]) => file);
    expect(inputs).toEqual(
      expect.arrayContaining([
        relative(repoRoot, join(work, "main.ts")),
        relative(repoRoot, join(work, "greeting.ts")),
        "pnpm-lock.yaml",
      ]),
    );
  });

  it("does not recompile a touched but unchanged input, and records its new time", async () => {
    await ensureCompiledApp(entry, outfile);
    const greetingTime = async () =>
      (await manifest()).inputs.find(([file]) => file.endsWith("greeting.ts"))![2];
    const before = await greetingTime();
    const later = new Date(Date.now() + 60_000);
    await utimes(join(work, "greeting.ts"), later, later);
    expect(await ensureCompiledApp(entry, outfile)).toEqual({ compiled: false });
    expect(await greetingTime()).not.toBe(before);
    expect(await greetingTime()).toBe((await stat(join(work, "greeting.ts"))).mtimeMs);
  });

  it("recompiles when an input's bytes change", async () => {
    await ensureCompiledApp(entry, outfile);
    await writeFile(join(work, "greeting.ts"), 'export const greeting: string = "bonjour";\n');
    expect(await ensureCompiledApp(entry, outfile)).toEqual({ compiled: true });
    expect(load(outfile).greeting).toBe("bonjour");
  });

  it("recompiles when the output was deleted", async () => {
    await ensureCompiledApp(entry, outfile);
    await rm(outfile);
    expect(await ensureCompiledApp(entry, outfile)).toEqual({ compiled: true });
    expect(load(outfile).greeting).toBe("bonjour");
  });

  it("names the entry when it does not compile", async () => {
    await writeFile(join(work, "broken.ts"), "export const = ;\n");
    const broken = relative(repoRoot, join(work, "broken.ts"));
    await expect(ensureCompiledApp(broken, join(work, "out/broken.cjs"))).rejects.toThrow(/broken\.ts/);
  });
});
