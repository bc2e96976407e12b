import { describe, expect, it } from "vitest";
import { isTransientAwsError, withRetry } from "../src";

function awsError(name: string, status?: number) {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

describe("withRetry", () => {
  const base = { attempts: 4, baseDelayMs: 100, maxDelayMs: 250, isRetryable: isTransientAwsError };

  it("retries throttling with growing, capped delays and returns the first success", async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 4) throw awsError("ThrottlingException", 400);
        return "done";
      },
      { ...base, sleep: async (ms) => void delays.push(ms), random: () => 1 },
    );
    expect(result).toBe("done");
    expect(calls).toBe(4);
    expect(delays).toEqual([100, 200, 250]);
  });

  it("gives up after the configured attempts with the last error", async () => {
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls++;
        throw awsError("ProvisionedThroughputExceededException", 400);
      },
      { ...base, sleep: async () => {} },
    );
    await expect(failing).rejects.toThrowError("ProvisionedThroughputExceededException");
    expect(calls).toBe(4);
  });

  it("does not retry an error that will not go away", async () => {
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls++;
        throw awsError("InvalidImageFormatException", 400);
      },
      { ...base, sleep: async () => {} },
    );
    await expect(failing).rejects.toThrowError("InvalidImageFormatException");
    expect(calls).toBe(1);
  });
});

describe("isTransientAwsError", () => {
  it.each([
    [awsError("ThrottlingException", 400), true],
    [awsError("SomethingNew", 503), true],
    [awsError("SomethingNew", 429), true],
    [awsError("AccessDeniedException", 403), false],
    [new Error("plain"), false],
    ["not an error", false],
  ])("%s → %s", (error, expected) => {
    expect(isTransientAwsError(error)).toBe(expected);
  });
});
