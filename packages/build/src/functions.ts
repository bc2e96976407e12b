import { EDGE_RUNTIME, environments, REGIONAL_RUNTIME } from "@photogate/core";
import type { FunctionBundleSpec } from "./bundle";

// The processor is built for every architecture an environment asks for.
const processorArchitectures = [...new Set(Object.values(environments).map((e) => e.processor.architecture))];

/** Every deployable function and how it is bundled. */
export const functionBundles: FunctionBundleSpec[] = [
  ...processorArchitectures.map(
    (architecture): FunctionBundleSpec => ({
      name: "processor",
      entry: "functions/processor/src/handler.ts",
      architecture,
      runtime: REGIONAL_RUNTIME,
      nativePackages: ["sharp"],
    }),
  ),
  // Lambda@Edge runs x86_64 only; config.json is added next to the bundle at deploy time.
  {
    name: "edge-auth",
    entry: "functions/edge-auth/src/handler.ts",
    architecture: "x86_64",
    runtime: EDGE_RUNTIME,
  },
  // Pure JavaScript (no native packages), so Graviton: cheaper per ms, same code everywhere.
  {
    name: "admin-api",
    entry: "functions/admin-api/src/handler.ts",
    architecture: "arm64",
    runtime: REGIONAL_RUNTIME,
  },
];
