import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LOCALSTACK_SERVICES, localstackProviderOverrides } from "../src/lib/localstack";
import { environment, synthStack, TEST_LOCALSTACK_URL } from "./support";

const env = environment("localstack");
const { synth } = synthStack(env);

/** Which LocalStack service each Terraform type photogate uses belongs to. */
function serviceOf(type: string): string | undefined {
  const prefixes: [string, string][] = [
    ["aws_s3_", "s3"],
    ["aws_lambda_", "lambda"],
    ["aws_dynamodb_", "dynamodb"],
    ["aws_sqs_", "sqs"],
    ["aws_iam_", "iam"],
    ["aws_cloudwatch_log_", "logs"],
    ["aws_cloudwatch_metric_alarm", "cloudwatch"],
    ["aws_caller_identity", "sts"],
    ["aws_scheduler_", "scheduler"],
    ["aws_sns_", "sns"],
  ];
  return prefixes.find(([prefix]) => type.startsWith(prefix))?.[1];
}

describe("the localstack environment on LocalStack", () => {
  it("targets LocalStack", () => {
    expect(env.target).toBe("localstack");
  });

  it("sends every service it uses to the LocalStack endpoint, path-style, without real credentials", () => {
    const providers = synth.provider?.aws ?? [];
    expect(providers).toHaveLength(1);
    const provider = providers[0]!;
    expect(provider).toMatchObject({
      region: env.region,
      s3_use_path_style: true,
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: "true",
      access_key: "test",
      secret_key: "test",
    });
    const endpoints = (provider.endpoints as Record<string, string>[])[0]!;
    for (const service of LOCALSTACK_SERVICES) expect(endpoints[service], service).toBe(TEST_LOCALSTACK_URL);
  });

  it("uses only resources of services LocalStack's free edition runs", () => {
    const types = [...Object.keys(synth.resource), ...Object.keys(synth.data ?? {})];
    const unsupported = types.filter((type) => {
      const service = serviceOf(type);
      return !service || !(LOCALSTACK_SERVICES as readonly string[]).includes(service);
    });
    expect(unsupported).toEqual([]);
    // Cognito and CloudFront are left to photogate's own local endpoints (`pnpm dev`).
    expect(types.some((t) => t.startsWith("aws_cognito") || t.startsWith("aws_cloudfront"))).toBe(false);
  });

  it("still deploys storage, tables and the processor wired to uploads/", () => {
    expect(Object.keys(synth.resource)).toEqual(
      expect.arrayContaining([
        "aws_s3_bucket",
        "aws_dynamodb_table",
        "aws_lambda_function",
        "aws_s3_bucket_notification",
      ]),
    );
  });

  it("refuses a LocalStack URL that is not an origin", () => {
    expect(() => localstackProviderOverrides("localhost:4566")).toThrowError(/LOCALSTACK_URL/);
    expect(() => localstackProviderOverrides("http://localhost:4566/path")).toThrowError(/LOCALSTACK_URL/);
    expect(localstackProviderOverrides("http://127.0.0.1:4566/").endpoints).toEqual([
      Object.fromEntries(LOCALSTACK_SERVICES.map((s) => [s, "http://127.0.0.1:4566"])),
    ]);
  });
});

// Runs only where a LocalStack is up (LOCALSTACK_URL set): checks that it serves what the
// local stack deploys. Docker, and so LocalStack, is not available everywhere tests run.
const liveUrl = process.env.LOCALSTACK_URL;
describe.runIf(Boolean(liveUrl))("a running LocalStack", () => {
  it("has every service photogate deploys available", async () => {
    const response = await fetch(`${liveUrl}/_localstack/health`);
    expect(response.ok).toBe(true);
    const health = (await response.json()) as { services: Record<string, string> };
    for (const service of LOCALSTACK_SERVICES) {
      expect(["available", "running"], service).toContain(health.services[service]);
    }
  });
});

describe("localstack/docker-compose.yml", () => {
  it("starts exactly the services the local stack deploys", () => {
    const compose = readFileSync(join(import.meta.dirname, "../../localstack/docker-compose.yml"), "utf8");
    const services = /^\s+SERVICES:\s*(\S+)\s*$/m.exec(compose)?.[1]?.split(",");
    expect(services?.sort()).toEqual([...LOCALSTACK_SERVICES].sort());
    const init = readFileSync(
      join(import.meta.dirname, "../../localstack/init/ready.d/10-photogate.sh"),
      "utf8",
    );
    const checked = /for service in ([a-z0-9 ]+); do/.exec(init)?.[1]?.split(" ");
    expect(checked?.sort()).toEqual([...LOCALSTACK_SERVICES].sort());
  });
});
