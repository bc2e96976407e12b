import { describe, expect, it } from "vitest";
import {
  checkRuntime,
  EDGE_RUNTIME,
  EnvironmentConfig,
  environments,
  esbuildTarget,
  LAMBDA_RUNTIMES,
  REGIONAL_RUNTIME,
  RUNTIME_WARNING_DAYS,
  RuntimeDeprecationError,
} from "../src/index";

const day = (iso: string) => new Date(`${iso}T12:00:00Z`);

function thrown(fn: () => unknown): RuntimeDeprecationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RuntimeDeprecationError) return error;
    throw error;
  }
  throw new Error("expected a RuntimeDeprecationError");
}

describe("the Lambda runtime table", () => {
  it("holds AWS's published dates for the Node.js runtimes photogate can use", () => {
    expect(LAMBDA_RUNTIMES["nodejs24.x"]).toEqual({
      nodeMajor: 24,
      deprecation: "2028-04-30",
      blockCreate: "2028-06-01",
      blockUpdate: "2028-07-01",
    });
    expect(LAMBDA_RUNTIMES["nodejs22.x"]).toMatchObject({
      deprecation: "2027-04-30",
      blockCreate: "2027-06-01",
      blockUpdate: "2027-07-01",
    });
  });

  it("orders each runtime's dates: deprecation, then creates blocked, then updates blocked", () => {
    for (const [id, dates] of Object.entries(LAMBDA_RUNTIMES)) {
      expect(dates.deprecation < dates.blockCreate, id).toBe(true);
      expect(dates.blockCreate < dates.blockUpdate, id).toBe(true);
    }
  });

  it("puts every function on Node 24 and bundles for node24", () => {
    expect(REGIONAL_RUNTIME).toBe("nodejs24.x");
    expect(EDGE_RUNTIME).toBe("nodejs24.x");
    expect(esbuildTarget("nodejs24.x")).toBe("node24");
    expect(esbuildTarget("nodejs22.x")).toBe("node22");
  });
});

describe("checkRuntime", () => {
  const base = { functionName: "photogate-dev-processor", runtime: "nodejs22.x" as const };

  it("passes a runtime more than 90 days from its deprecation date", () => {
    // 2027-01-29 is 91 days before 2027-04-30.
    expect(checkRuntime({ ...base, today: day("2027-01-29") })).toEqual({
      status: "ok",
      daysToDeprecation: 91,
    });
  });

  it("refuses a runtime inside the 90-day window, naming the function, runtime, dates and the fix", () => {
    const error = thrown(() => checkRuntime({ ...base, today: day("2027-01-30") }));
    expect(RUNTIME_WARNING_DAYS).toBe(90);
    expect(error.code).toBe("RUNTIME_NEAR_DEPRECATION");
    expect(error.daysToDeprecation).toBe(90);
    expect(error.message).toContain('Lambda function "photogate-dev-processor" runs on nodejs22.x');
    expect(error.message).toContain("is deprecated on 2027-04-30 (in 90 days)");
    expect(error.message).toContain("from 2027-06-01");
    expect(error.message).toContain("from 2027-07-01");
    expect(error.message).toContain('runtimeAcknowledgements: { "nodejs22.x": "<why>" }');
  });

  it("refuses a runtime past its deprecation date as deprecated", () => {
    const error = thrown(() => checkRuntime({ ...base, today: day("2027-05-10") }));
    expect(error.code).toBe("RUNTIME_DEPRECATED");
    expect(error.message).toContain("was deprecated on 2027-04-30 (10 days ago)");
  });

  it("lets an acknowledged runtime through with the reason in the message to log", () => {
    const verdict = checkRuntime({
      ...base,
      today: day("2027-03-01"),
      acknowledgements: { "nodejs22.x": "Node 24 migration ships in March" },
    });
    expect(verdict.status).toBe("acknowledged");
    if (verdict.status !== "acknowledged") return;
    expect(verdict.daysToDeprecation).toBe(60);
    expect(verdict.message).toContain(
      'runtimeAcknowledgements["nodejs22.x"] says "Node 24 migration ships in March"',
    );
  });

  it("does not let an acknowledgement for another runtime, or a blank one, through", () => {
    const today = day("2027-03-01");
    expect(() => checkRuntime({ ...base, today, acknowledgements: { "nodejs20.x": "old" } })).toThrow(
      RuntimeDeprecationError,
    );
    expect(() => checkRuntime({ ...base, today, acknowledgements: { "nodejs22.x": "  " } })).toThrow(
      RuntimeDeprecationError,
    );
  });
});

describe("runtimeAcknowledgements in the environment config", () => {
  it("is empty in every shipped environment", () => {
    for (const env of Object.values(environments)) expect(env.runtimeAcknowledgements).toEqual({});
  });

  it("refuses an unknown runtime id and an empty reason", () => {
    const withAck = (acks: unknown) =>
      EnvironmentConfig.safeParse({ ...environments.dev, runtimeAcknowledgements: acks }).success;
    expect(withAck({ "nodejs22.x": "migrating next sprint" })).toBe(true);
    expect(withAck({ "nodejs99.x": "typo" })).toBe(false);
    expect(withAck({ "nodejs22.x": "" })).toBe(false);
  });
});
