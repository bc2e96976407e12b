import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type * as tf from "@tensorflow/tfjs-core";
import { ModelLoadError } from "./errors";

/**
 * Reads model files from disk, and only from disk: every URL must be `file://`, so loading the
 * models can never reach the network. `urls` records what was read, for tests and diagnostics.
 */
export class ModelFileReader {
  readonly urls: string[] = [];

  async read(url: string): Promise<Buffer> {
    this.urls.push(url);
    if (!url.startsWith("file://")) {
      throw new ModelLoadError(`Refusing to load a model from ${url}: only file:// URLs are allowed`);
    }
    try {
      return await readFile(fileURLToPath(url));
    } catch (cause) {
      throw new ModelLoadError(
        `Model file ${fileURLToPath(url)} could not be read: ${(cause as Error).message}`,
      );
    }
  }
}

interface ModelJson {
  modelTopology: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  signature?: unknown;
  userDefinedMetadata?: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** Loads a tfjs graph model (model.json plus weight shards beside it) through `reader`. */
export function fileModelHandler(
  url: string,
  reader: ModelFileReader,
): Required<Pick<tf.io.IOHandler, "load">> {
  return {
    async load() {
      const json = JSON.parse((await reader.read(url)).toString("utf8")) as ModelJson;
      const weightSpecs: tf.io.WeightsManifestEntry[] = [];
      const shards: Buffer[] = [];
      for (const group of json.weightsManifest) {
        for (const path of group.paths) shards.push(await reader.read(new URL(path, url).href));
        weightSpecs.push(...group.weights);
      }
      const weights = Buffer.concat(shards);
      return {
        modelTopology: json.modelTopology as tf.io.ModelArtifacts["modelTopology"],
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        signature: json.signature as tf.io.ModelArtifacts["signature"],
        userDefinedMetadata: json.userDefinedMetadata as tf.io.ModelArtifacts["userDefinedMetadata"],
        weightSpecs,
        // A Buffer may be a view into a larger pool: hand tfjs an ArrayBuffer of exactly the weights.
        weightData: weights.buffer.slice(
          weights.byteOffset,
          weights.byteOffset + weights.byteLength,
        ) as ArrayBuffer,
      };
    },
  };
}

/**
 * Routes every `file://` model URL on this tfjs instance to `reader`. Without it tfjs falls back to
 * `fetch`, which cannot read `file://` in Node, and Human only logs the failure and runs without the model.
 */
export function routeFileModels(io: typeof tf.io, reader: ModelFileReader): void {
  // tfjs's own routers return null for URLs they do not serve; its IORouter type omits that.
  const router = (url: string | string[]) => {
    const target = Array.isArray(url) ? url[0] : url;
    return typeof target === "string" && target.startsWith("file://")
      ? fileModelHandler(target, reader)
      : null;
  };
  io.registerLoadRouter(router as Parameters<typeof io.registerLoadRouter>[0]);
}
