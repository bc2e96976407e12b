import { describe, expect, it } from "vitest";
import {
  ConfigError,
  ENVIRONMENT_NAMES,
  environments,
  loadEnvironment,
  ProcessingConfig,
  parseConfig,
  REKOGNITION_MIN_EDGE,
  resourceNames,
} from "../src";

describe("environment config", () => {
  it.each(ENVIRONMENT_NAMES)("%s is valid against its schema", (name) => {
    expect(loadEnvironment(name).name).toBe(name);
  });

  it("names the valid environments when given an unknown one", () => {
    expect(() => loadEnvironment("staging")).toThrowError(ConfigError);
    expect(() => loadEnvironment("staging")).toThrowError(/dev, prod, localstack/);
  });

  it("gives every environment its own name for each resource", () => {
    const perEnv = ENVIRONMENT_NAMES.map((n) => resourceNames(environments[n]));
    for (const kind of Object.keys(perEnv[0]!) as (keyof (typeof perEnv)[0])[]) {
      const names = perEnv.map((r) => r[kind]);
      expect(new Set(names).size, kind).toBe(names.length);
    }
  });

  it("protects production from accidental deletion and keeps its state in S3", () => {
    const prod = loadEnvironment("prod");
    expect(prod.deletionProtection).toBe(true);
    expect(prod.stateBackend.type).toBe("s3");
  });
});

describe("parseConfig", () => {
  it("lists every bad field with its path", () => {
    const bad = { ...environments.dev.processing, thumbnailSizes: [], minImageEdge: 10 };
    try {
      parseConfig(ProcessingConfig, bad, "PHOTOGATE_PROCESSING");
      expect.unreachable("parseConfig accepted an invalid config");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toMatch(/^Invalid configuration in PHOTOGATE_PROCESSING:\n/);
      expect(message).toMatch(/✖ Too small: expected array to have >=1 items\n\s+→ at thumbnailSizes$/m);
      expect(message).toMatch(/✖ Too small: expected number to be >=80\n\s+→ at minImageEdge$/m);
    }
  });

  it("refuses a minimum edge below what Rekognition accepts", () => {
    const config = { ...environments.dev.processing, minImageEdge: REKOGNITION_MIN_EDGE - 1 };
    expect(() => parseConfig(ProcessingConfig, config, "test")).toThrowError(/minImageEdge/);
  });
});
