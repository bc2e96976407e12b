import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ModelLoadError } from "../src/index";
import { fileModelHandler, ModelFileReader } from "../src/rekognition/model-files";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "photogate-models-"));
  const weights = new Float32Array([1.5, -2, 3.25]);
  await writeFile(join(dir, "tiny.bin"), Buffer.from(weights.buffer));
  await writeFile(
    join(dir, "tiny.json"),
    JSON.stringify({
      format: "graph-model",
      modelTopology: { node: [] },
      weightsManifest: [{ paths: ["tiny.bin"], weights: [{ name: "w", shape: [3], dtype: "float32" }] }],
    }),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("model files", () => {
  it("reads a model and its weight shard from disk, recording each file:// URL", async () => {
    const reader = new ModelFileReader();
    const url = pathToFileURL(join(dir, "tiny.json")).href;
    const artifacts = await fileModelHandler(url, reader).load();
    expect(artifacts.weightSpecs).toEqual([{ name: "w", shape: [3], dtype: "float32" }]);
    expect([...new Float32Array(artifacts.weightData as ArrayBuffer)]).toEqual([1.5, -2, 3.25]);
    expect(reader.urls).toEqual([url, pathToFileURL(join(dir, "tiny.bin")).href]);
  });

  it("refuses any URL that is not file://, without fetching it", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const reader = new ModelFileReader();
    await expect(reader.read("https://models.invalid/facemesh.json")).rejects.toBeInstanceOf(ModelLoadError);
    expect(fetchSpy).not.toHaveBeenCalled();
    fetchSpy.mockRestore();
  });

  it("fails loudly, naming the file, when a weight shard is missing", async () => {
    await writeFile(
      join(dir, "broken.json"),
      JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ["missing.bin"], weights: [] }] }),
    );
    const load = fileModelHandler(pathToFileURL(join(dir, "broken.json")).href, new ModelFileReader()).load();
    await expect(load).rejects.toThrow(/missing\.bin could not be read/);
  });
});
