import dns from "node:dns";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ENVIRONMENT_NAMES } from "@photogate/core";
import { App, Testing } from "cdktf";
import { afterAll, describe, expect, it, vi } from "vitest";
import { buildApp, selectEnvironments } from "../src/app";
import { BootstrapStack } from "../src/stacks/bootstrap-stack";
import {
  environment,
  fixtureBundleDir,
  fixtureSiteDir,
  normaliseSynth,
  onlyResource,
  parse,
  parsePolicy,
  processorFunction,
  resourcesOf,
  resourceWhere,
  stateDir,
  synthStack,
  TEST_TODAY,
} from "./support";

describe.each(ENVIRONMENT_NAMES)("the %s environment", (name) => {
  const env = environment(name);
  const { json, synth } = synthStack(env);

  it("matches the snapshot", () => {
    expect(normaliseSynth(json)).toMatchSnapshot();
  });

  // The LocalStack target's providers are checked in localstack.test.ts.
  if (env.target === "aws")
    it("has the environment's AWS provider and a us-east-1 alias for Lambda@Edge, both tagging everything", () => {
      const tags = [{ tags: { project: "photogate", environment: name } }];
      expect(synth.provider?.aws).toEqual([
        { region: env.region, default_tags: tags },
        { alias: "us-east-1", region: "us-east-1", default_tags: tags },
      ]);
      const edge = resourceWhere(synth, "aws_lambda_function", (c) =>
        String(c.function_name).endsWith("-edge-auth"),
      );
      expect(edge.config.provider).toBe("aws.us-east-1");
    });

  it("uses the state backend its config names", () => {
    const backend = synth.terraform.backend ?? {};
    if (env.stateBackend.type === "local") {
      expect(backend).toEqual({ local: { path: `${stateDir}/${env.stateBackend.path}` } });
    } else {
      expect(backend).toEqual({
        s3: {
          bucket: env.stateBackend.bucket,
          key: env.stateBackend.key,
          region: env.stateBackend.region,
          encrypt: true,
          use_lockfile: true,
        },
      });
      expect(backend.s3).not.toHaveProperty("dynamodb_table");
    }
  });

  it("wires the upload notification to this environment's processor", () => {
    const fn = processorFunction(synth);
    const notification = onlyResource(synth, "aws_s3_bucket_notification");
    expect(fn.config.function_name).toBe(`${env.namePrefix}-processor`);
    expect(notification.config.lambda_function[0].lambda_function_arn).toBe(
      `\${aws_lambda_function.${fn.name}.arn}`,
    );
    expect(resourcesOf(synth, "aws_s3_bucket").map(([, c]) => c.bucket)).toContain(env.bucketName);
    expect(fn.config.reserved_concurrent_executions).toBe(env.processor.reservedConcurrency);
    expect(
      resourceWhere(
        synth,
        "aws_cloudwatch_log_group",
        (c) => c.name === `/aws/lambda/${fn.config.function_name}`,
      ).config.retention_in_days,
    ).toBe(env.logRetentionDays);
  });
});

describe("the bootstrap stack", () => {
  const prod = environment("prod");
  const stateBackend = prod.stateBackend;
  if (stateBackend.type !== "s3") throw new Error("prod is expected to keep its state in S3");
  const stack = new BootstrapStack(Testing.app(), "photogate-prod-bootstrap", {
    env: { ...prod, stateBackend },
    stateDir,
  });
  const json = Testing.synth(stack);
  const synth = parse(json);
  const bucket = onlyResource(synth, "aws_s3_bucket");
  const ref = `\${aws_s3_bucket.${bucket.name}`;

  it("matches the snapshot", () => {
    expect(normaliseSynth(json)).toMatchSnapshot();
  });

  it("keeps its own state locally, since it creates the bucket the others use", () => {
    expect(synth.terraform.backend).toEqual({
      local: { path: `${stateDir}/terraform.photogate-prod-bootstrap.tfstate` },
    });
  });

  it("creates the state bucket the prod backend names, protected from destroy", () => {
    expect(bucket.config.bucket).toBe(stateBackend.bucket);
    expect(bucket.config.lifecycle).toEqual({ prevent_destroy: true });
  });

  it("makes the state bucket versioned, encrypted, private, owner-enforced and TLS-only", () => {
    expect(onlyResource(synth, "aws_s3_bucket_versioning").config.versioning_configuration).toEqual({
      status: "Enabled",
    });
    expect(onlyResource(synth, "aws_s3_bucket_server_side_encryption_configuration").config.rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
    ]);
    expect(onlyResource(synth, "aws_s3_bucket_public_access_block").config).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(onlyResource(synth, "aws_s3_bucket_ownership_controls").config.rule.object_ownership).toBe(
      "BucketOwnerEnforced",
    );
    const policy = parsePolicy(onlyResource(synth, "aws_s3_bucket_policy").config.policy);
    expect(policy.Statement).toContainEqual({
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [`${ref}.arn}`, `${ref}.arn}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });
});

describe("environment selection", () => {
  it("selects every environment by default", () => {
    expect(selectEnvironments(undefined).map((e) => e.name)).toEqual([...ENVIRONMENT_NAMES]);
    expect(selectEnvironments("").map((e) => e.name)).toEqual([...ENVIRONMENT_NAMES]);
  });

  it("selects the named ones", () => {
    expect(selectEnvironments("prod").map((e) => e.name)).toEqual(["prod"]);
    expect(selectEnvironments("dev, localstack").map((e) => e.name)).toEqual(["dev", "localstack"]);
  });

  it("names the valid environments when given an unknown one", () => {
    expect(() => selectEnvironments("staging")).toThrow(/dev, prod, localstack/);
  });

  it("refuses to synthesize without a processor bundle, saying how to build one", () => {
    const app = Testing.app();
    expect(() =>
      buildApp(app, {
        environments: selectEnvironments("dev"),
        bundleDir: () => "/nonexistent",
        stateDir,
        adminSiteDir: fixtureSiteDir,
      }),
    ).toThrow(/pnpm build:functions/);
  });

  it("refuses to synthesize an AWS environment without the admin app build, saying how to build it", () => {
    expect(() =>
      buildApp(Testing.app(), {
        environments: selectEnvironments("dev"),
        bundleDir: () => fixtureBundleDir,
        stateDir,
        adminSiteDir: "/nonexistent",
      }),
    ).toThrow(/pnpm build:admin/);
  });
});

describe("a full synth of every environment", () => {
  const outdir = mkdtempSync(join(tmpdir(), "photogate-synth-"));
  afterAll(() => {
    vi.restoreAllMocks();
    rmSync(outdir, { recursive: true, force: true });
  });

  it("writes every stack and its assets without touching the network", () => {
    const blocked = (what: string) => () => {
      throw new Error(`synth tried to use the network (${what})`);
    };
    const spies = [
      vi.spyOn(net.Socket.prototype, "connect").mockImplementation(blocked("net.connect")),
      vi.spyOn(dns, "lookup").mockImplementation(blocked("dns.lookup")),
      vi.spyOn(http, "request").mockImplementation(blocked("http.request")),
      vi.spyOn(https, "request").mockImplementation(blocked("https.request")),
      vi.spyOn(globalThis, "fetch").mockImplementation(blocked("fetch")),
    ];

    const app = new App({ outdir });
    const stacks = buildApp(app, {
      environments: selectEnvironments(undefined),
      bundleDir: () => fixtureBundleDir,
      stateDir,
      adminSiteDir: fixtureSiteDir,
      today: TEST_TODAY,
    });
    app.synth();

    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as {
      stacks: Record<string, { synthesizedStackPath: string }>;
    };
    expect(Object.keys(manifest.stacks).sort()).toEqual(
      ["photogate-dev", "photogate-localstack", "photogate-prod", "photogate-prod-bootstrap"].sort(),
    );
    expect(stacks.map((s) => s.node.id).sort()).toEqual(Object.keys(manifest.stacks).sort());
    for (const name of ["photogate-dev", "photogate-localstack", "photogate-prod"]) {
      const stackJson = parse(
        readFileSync(join(outdir, manifest.stacks[name]!.synthesizedStackPath), "utf8"),
      );
      const archive = processorFunction(stackJson).config.filename as string;
      expect(existsSync(join(outdir, "stacks", name, archive))).toBe(true);
    }
    // Four stacks and their assets: ~5 s alone, more on a loaded machine; vitest's 5 s default is too tight.
  }, 60_000);
});
