import { describe, expect, it } from "vitest";
import { defaultQuota, OperationsEnv, operationsEnvironment, parseConfig } from "../src";

const load = (env: Record<string, string | undefined>) => parseConfig(OperationsEnv, env, "test");

describe("operationsEnvironment and OperationsEnv", () => {
  const quota = JSON.stringify(defaultQuota);

  it("reads the environment, the quota with its table, and the storage lifecycle", () => {
    expect(
      load({
        PHOTOGATE_ENVIRONMENT: "prod",
        PHOTOGATE_USAGE_TABLE: "photogate-prod-usage",
        PHOTOGATE_QUOTA: quota,
        PHOTOGATE_STORAGE_LIFECYCLE: JSON.stringify({ rejectedOriginalDays: 30, abandonedUploadDays: 7 }),
      }),
    ).toEqual({
      environment: "prod",
      quota: { usageTable: "photogate-prod-usage", limits: defaultQuota },
      storageLifecycle: { rejectedOriginalDays: 30, abandonedUploadDays: 7 },
    });
    expect(load({ PHOTOGATE_ENVIRONMENT: "dev", PHOTOGATE_USAGE_TABLE: " " })).toEqual({
      environment: "dev",
    });
  });

  it("reads back what it renders", () => {
    const full = {
      environment: "prod" as const,
      quota: { usageTable: "u", limits: defaultQuota },
      storageLifecycle: { rejectedOriginalDays: 3, abandonedUploadDays: 1 },
    };
    expect(load(operationsEnvironment(full))).toEqual(full);
    expect(load(operationsEnvironment({ environment: "dev" }))).toEqual({ environment: "dev" });
  });

  it.each([
    [{}, /is not set[\s\S]*PHOTOGATE_ENVIRONMENT/],
    [{ PHOTOGATE_ENVIRONMENT: "staging" }, /PHOTOGATE_ENVIRONMENT/],
    [
      { PHOTOGATE_ENVIRONMENT: "dev", PHOTOGATE_QUOTA: quota },
      /must be set together[\s\S]*PHOTOGATE_USAGE_TABLE/,
    ],
    [
      { PHOTOGATE_ENVIRONMENT: "dev", PHOTOGATE_USAGE_TABLE: "t" },
      /must be set together[\s\S]*PHOTOGATE_QUOTA/,
    ],
    [
      { PHOTOGATE_ENVIRONMENT: "dev", PHOTOGATE_USAGE_TABLE: "t", PHOTOGATE_QUOTA: "{daily" },
      /not valid JSON[\s\S]*PHOTOGATE_QUOTA/,
    ],
    [
      {
        PHOTOGATE_ENVIRONMENT: "dev",
        PHOTOGATE_USAGE_TABLE: "t",
        PHOTOGATE_QUOTA: '{"daily":{"uploads":0,"bytes":1}}',
      },
      /PHOTOGATE_QUOTA.*daily\.uploads/s,
    ],
    [{ PHOTOGATE_ENVIRONMENT: "dev", PHOTOGATE_STORAGE_LIFECYCLE: "{}" }, /rejectedOriginalDays/],
  ])("refuses %j with a message naming the variable", (env, message) => {
    expect(() => load(env)).toThrow(message);
  });
});
