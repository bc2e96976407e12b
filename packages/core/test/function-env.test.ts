import { describe, expect, it } from "vitest";
import { AdminApiEnv, adminApiEnvironment, parseConfig } from "../src";

const values = {
  photoTable: "t-photos",
  auditTable: "t-audit",
  bucket: "t-bucket",
  userPoolId: "eu-west-1_Abc123",
  processorFunction: "t-processor",
  deadLetterQueueUrl: "https://sqs.eu-west-1.amazonaws.com/111122223333/t-dlq",
};
const load = (env: Record<string, string | undefined>) => parseConfig(AdminApiEnv, env, "test");

describe("adminApiEnvironment and AdminApiEnv", () => {
  it("read back every value the variables were rendered from, defaults for the rest", () => {
    expect(load(adminApiEnvironment(values))).toEqual({
      ...values,
      presignSeconds: 300,
      pictureBaseUrl: undefined,
      endpointOverride: false,
    });
    expect(
      load(adminApiEnvironment({ ...values, presignSeconds: 60, pictureBaseUrl: "https://d1.net" })),
    ).toMatchObject({ presignSeconds: 60, pictureBaseUrl: "https://d1.net" });
  });

  it("names each missing variable and what it must hold", () => {
    expect(() => load({})).toThrow(
      /is not set: it must name the audit table[^\n]*\n\s*→ at PHOTOGATE_AUDIT_TABLE/,
    );
    expect(() => load({})).toThrow(/is not set[^\n]*\n\s*→ at PHOTOGATE_DLQ_URL/);
  });

  it("refuses a presign lifetime out of range, saying the range and the bad value", () => {
    expect(() => load({ ...adminApiEnvironment(values), PHOTOGATE_PRESIGN_SECONDS: "5" })).toThrow(
      /must be a whole number of seconds from 10 to 3600, not "5"[^\n]*\n\s*→ at PHOTOGATE_PRESIGN_SECONDS/,
    );
  });
});
