import { resolve } from "node:path";
import { type EnvironmentConfig, loadEnvironment } from "@photogate/core";
import { Testing } from "cdktf";
import type { Construct } from "constructs";
import { buildApp } from "../src/app";
import { setRuntimePolicy } from "../src/lib/lambda-runtime";
import type { PolicyJson, PolicyStatement } from "../src/lib/policy-document";
import { PhotogateStack } from "../src/stacks/photogate-stack";

/** A two-line stand-in for the processor bundle, so tests never run esbuild. */
export const fixtureBundleDir = resolve(import.meta.dirname, "fixtures/processor-bundle");
export const stateDir = "/state";
/** A two-file stand-in for the built admin app. */
export const fixtureSiteDir = resolve(import.meta.dirname, "fixtures/admin-site");
export const TEST_LOCALSTACK_URL = "http://localstack.test:4566";
/**
 * The day the Lambda runtime guard checks against in tests: fixed, so a test never depends on
 * the clock. Far from every runtime photogate uses (nodejs24.x is deprecated on 2028-04-30).
 */
export const TEST_TODAY = new Date("2026-11-27T12:00:00Z");

/** Gives the functions under `scope` the fixed test day and no acknowledgements. */
export function useTestRuntimePolicy(scope: Construct, warn: (message: string) => void = () => {}): void {
  setRuntimePolicy(scope, { today: TEST_TODAY, acknowledgements: {}, warn });
}
const repoRoot = resolve(import.meta.dirname, "../..");

/**
 * Makes synthesized JSON machine-independent: asset hashes depend on the fixture's bytes
 * (line endings differ on a Windows checkout) and absolute paths on where the repo lives.
 */
export function normaliseSynth(json: string): string {
  return json.replace(/\b[0-9A-F]{32}\b/g, "<asset-hash>").replaceAll(repoRoot, "<repo>");
}

export interface Synthesized {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  provider?: Record<string, Array<Record<string, unknown>>>;
  terraform: { backend?: Record<string, Record<string, unknown>> };
  output?: Record<string, unknown>;
}

export function parse(json: string): Synthesized {
  return JSON.parse(json) as Synthesized;
}

/** Every resource of one type, by its Terraform name. */
export function resourcesOf(synth: Synthesized, type: string): Array<[string, Record<string, unknown>]> {
  return Object.entries(synth.resource[type] ?? {});
}

/** Synthesized resource config: untyped JSON, which the tests narrow by asserting on it. */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary provider attributes
export type ResourceConfig = Record<string, any>;

/** The single resource of `type`; fails if there are none or several. */
export function onlyResource(synth: Synthesized, type: string): { name: string; config: ResourceConfig } {
  const all = resourcesOf(synth, type);
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  const [name, config] = all[0]!;
  return { name, config };
}

/** The single resource of `type` whose config matches `predicate`; fails unless exactly one does. */
export function resourceWhere(
  synth: Synthesized,
  type: string,
  predicate: (config: ResourceConfig) => boolean,
): { name: string; config: ResourceConfig } {
  const matches = resourcesOf(synth, type).filter(([, config]) => predicate(config));
  if (matches.length !== 1) throw new Error(`expected one matching ${type}, found ${matches.length}`);
  const [name, config] = matches[0]!;
  return { name, config };
}

/** The processor function of a full environment stack (which also has the edge function). */
export function processorFunction(synth: Synthesized): { name: string; config: ResourceConfig } {
  return resourceWhere(synth, "aws_lambda_function", (c) => String(c.function_name).endsWith("-processor"));
}

/** The photo bucket's one policy (a full stack also has the admin site's bucket). */
export function photoBucketPolicy(
  synth: Synthesized,
  env: EnvironmentConfig,
): { name: string; config: ResourceConfig } {
  const bucket = resourceWhere(synth, "aws_s3_bucket", (c) => c.bucket === env.bucketName);
  return resourceWhere(
    synth,
    "aws_s3_bucket_policy",
    (c) => c.bucket === `\${aws_s3_bucket.${bucket.name}.id}`,
  );
}

/** The Terraform address a reference to this resource uses, e.g. `aws_s3_bucket.x`. */
export function address(type: string, name: string): string {
  return `${type}.${name}`;
}

export function parsePolicy(policy: unknown): PolicyJson {
  if (typeof policy !== "string") throw new Error("policy is not a JSON string");
  return JSON.parse(policy) as PolicyJson;
}

export function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function statementActions(statement: PolicyStatement): string[] {
  return asList(statement.Action);
}

export function environment(name: string): EnvironmentConfig {
  return loadEnvironment(name);
}

/** `today` and `warn` reach the runtime guard; the fixed TEST_TODAY and no log by default. */
export function synthStack(
  env: EnvironmentConfig,
  runtime: { today?: Date; warn?: (message: string) => void } = {},
): {
  stack: PhotogateStack;
  json: string;
  synth: Synthesized;
} {
  // Through buildApp, so each environment gets exactly what `pnpm synth` gives it.
  const stacks = buildApp(Testing.app(), {
    environments: [env],
    bundleDir: () => fixtureBundleDir,
    stateDir,
    adminSiteDir: fixtureSiteDir,
    localstackUrl: TEST_LOCALSTACK_URL,
    today: runtime.today ?? TEST_TODAY,
    warn: runtime.warn,
  });
  const stack = stacks.find((s): s is PhotogateStack => s instanceof PhotogateStack);
  if (!stack) throw new Error(`no PhotogateStack for ${env.name}`);
  const json = Testing.synth(stack);
  return { stack, json, synth: parse(json) };
}
