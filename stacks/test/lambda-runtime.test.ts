import { type EnvironmentConfig, environments, RuntimeDeprecationError } from "@photogate/core";
import { describe, expect, it } from "vitest";
import { environment, parse, resourcesOf, synthStack } from "./support";

/** Every Lambda function of a synthesized stack: name → runtime. */
function runtimes(json: string): Record<string, unknown> {
  return Object.fromEntries(
    resourcesOf(parse(json), "aws_lambda_function").map(([, c]) => [c.function_name, c.runtime]),
  );
}

function synthAt(env: EnvironmentConfig, today: Date, warnings: string[] = []): string {
  return synthStack(env, { today, warn: (message) => warnings.push(message) }).json;
}

function synthError(env: EnvironmentConfig, today: Date): RuntimeDeprecationError {
  try {
    synthAt(env, today);
  } catch (error) {
    if (error instanceof RuntimeDeprecationError) return error;
    throw error;
  }
  throw new Error("synthesis passed; expected a RuntimeDeprecationError");
}

// nodejs24.x is deprecated on 2028-04-30: 60 days before, and 10 days after.
const INSIDE_WINDOW = new Date("2028-03-01T09:00:00Z");
const PAST_DEPRECATION = new Date("2028-05-10T09:00:00Z");

describe("Lambda runtimes in every environment", () => {
  it("puts the processor, the admin API (and its directory sync) and the edge authoriser on nodejs24.x", () => {
    const { json } = synthStack(environment("dev"));
    expect(runtimes(json)).toEqual({
      "photogate-dev-processor": "nodejs24.x",
      "photogate-dev-admin-api": "nodejs24.x",
      "photogate-dev-admin-api-directory-sync": "nodejs24.x",
      "photogate-dev-edge-auth": "nodejs24.x",
    });
  });

  it("puts prod's functions and localstack's processor on nodejs24.x", () => {
    expect(Object.values(runtimes(synthStack(environment("prod")).json))).toEqual([
      "nodejs24.x",
      "nodejs24.x",
      "nodejs24.x",
      "nodejs24.x",
    ]);
    expect(runtimes(synthStack(environment("localstack")).json)).toEqual({
      "photogate-localstack-processor": "nodejs24.x",
    });
  });
});

describe("the runtime deprecation guard at synthesis", () => {
  it("fails synthesis for a runtime within 90 days of deprecation, saying what to do", () => {
    const error = synthError(environments.dev, INSIDE_WINDOW);
    expect(error.code).toBe("RUNTIME_NEAR_DEPRECATION");
    // The first function synthesized on it (the edge authoriser, since the processor needs the edge's domain).
    expect(error.message).toMatch(/Lambda function "photogate-dev-[a-z-]+" runs on nodejs24\.x/);
    expect(error.message).toContain("is deprecated on 2028-04-30 (in 60 days)");
    expect(error.message).toContain("creating functions on it from 2028-06-01");
    expect(error.message).toContain("updating them from 2028-07-01");
    expect(error.message).toContain('runtimeAcknowledgements: { "nodejs24.x": "<why>" }');
  });

  it("fails synthesis for a runtime past its deprecation date", () => {
    const error = synthError(environments.prod, PAST_DEPRECATION);
    expect(error.code).toBe("RUNTIME_DEPRECATED");
    expect(error.message).toContain("was deprecated on 2028-04-30 (10 days ago)");
  });

  it("lets an environment's acknowledgement through and logs it for every function on that runtime", () => {
    const env: EnvironmentConfig = {
      ...environments.dev,
      runtimeAcknowledgements: { "nodejs24.x": "node 26 runtime not yet in eu-west-1" },
    };
    const warnings: string[] = [];
    const json = synthAt(env, INSIDE_WINDOW, warnings);
    expect(Object.values(runtimes(json))).toEqual(["nodejs24.x", "nodejs24.x", "nodejs24.x", "nodejs24.x"]);
    expect(warnings).toHaveLength(4);
    for (const name of [
      "photogate-dev-processor",
      "photogate-dev-admin-api",
      "photogate-dev-admin-api-directory-sync",
      "photogate-dev-edge-auth",
    ]) {
      const warning = warnings.find((w) => w.includes(`"${name}"`));
      expect(warning, name).toContain('says "node 26 runtime not yet in eu-west-1"');
      expect(warning, name).toMatch(/^warning: /);
    }
  });

  it("warns about nothing when no function is near deprecation", () => {
    const warnings: string[] = [];
    synthAt(environments.dev, new Date("2026-11-27T00:00:00Z"), warnings);
    expect(warnings).toEqual([]);
  });
});
