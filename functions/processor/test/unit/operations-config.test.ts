import { defaultQuota } from "@photogate/core";
import { describe, expect, it } from "vitest";
import { loadOperationsConfig } from "../../src/operations-config";

describe("loadOperationsConfig", () => {
  const quota = JSON.stringify(defaultQuota);

  it("reads the environment, the quota with its table, and the storage lifecycle", () => {
    expect(
      loadOperationsConfig({
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
    expect(loadOperationsConfig({ PHOTOGATE_ENVIRONMENT: "local" })).toEqual({ environment: "local" });
  });

  it.each([
    [{}, /PHOTOGATE_ENVIRONMENT is not set/],
    [{ PHOTOGATE_ENVIRONMENT: "staging" }, /PHOTOGATE_ENVIRONMENT/],
    [{ PHOTOGATE_ENVIRONMENT: "dev", PHOTOGATE_QUOTA: quota }, /must be set together/],
    [
      { PHOTOGATE_ENVIRONMENT: "dev", PHOTOGATE_USAGE_TABLE: "t", PHOTOGATE_QUOTA: "{daily" },
      /not valid JSON/,
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
    expect(() => loadOperationsConfig(env)).toThrow(message);
  });
});
