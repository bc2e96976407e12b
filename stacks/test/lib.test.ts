import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { environments } from "@photogate/core";
import { TerraformStack, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { createAwsProvider } from "../src/lib/aws-provider";
import { configureBackend } from "../src/lib/backend";
import { PolicyDocument, policyJson } from "../src/lib/policy-document";
import { onlyResource, parse, parsePolicy } from "./support";

describe("createAwsProvider", () => {
  it("tags with project and environment and takes the environment's region", () => {
    const synth = parse(Testing.synthScope((scope) => void createAwsProvider(scope, environments.prod)));
    expect(synth.provider?.aws).toEqual([
      { region: "eu-west-1", default_tags: [{ tags: { project: "photogate", environment: "prod" } }] },
    ]);
  });

  it("adds an aliased provider in another region and passes endpoint overrides through", () => {
    const synth = parse(
      Testing.synthScope((scope) => {
        createAwsProvider(scope, environments.localstack);
        createAwsProvider(scope, environments.localstack, {
          alias: "edge",
          region: "us-east-1",
          overrides: { endpoints: [{ s3: "http://localhost:4566" }], skipCredentialsValidation: true },
        });
      }),
    );
    const [main, edge] = synth.provider?.aws ?? [];
    expect(main).not.toHaveProperty("alias");
    expect(edge).toMatchObject({
      alias: "edge",
      region: "us-east-1",
      endpoints: [{ s3: "http://localhost:4566" }],
      skip_credentials_validation: true,
      default_tags: [{ tags: { project: "photogate", environment: "localstack" } }],
    });
  });
});

describe("configureBackend", () => {
  function backendOf(configure: (stack: TerraformStack) => void) {
    const stack = new TerraformStack(Testing.app(), "s");
    configure(stack);
    return parse(Testing.synth(stack)).terraform.backend;
  }

  it("resolves a relative local path against the state directory and keeps an absolute one", () => {
    expect(
      backendOf((s) => configureBackend(s, { type: "local", path: "a.tfstate" }, { stateDir: "/repo" })),
    ).toEqual({ local: { path: "/repo/a.tfstate" } });
    expect(
      backendOf((s) => configureBackend(s, { type: "local", path: "/abs/b.tfstate" }, { stateDir: "/repo" })),
    ).toEqual({ local: { path: "/abs/b.tfstate" } });
  });

  it("uses S3 with encryption and the native lock file, no DynamoDB table", () => {
    const backend = backendOf((s) =>
      configureBackend(s, { type: "s3", bucket: "b", key: "k", region: "eu-west-2" }, { stateDir: "/repo" }),
    );
    expect(backend).toEqual({
      s3: { bucket: "b", key: "k", region: "eu-west-2", encrypt: true, use_lockfile: true },
    });
  });
});

describe("PolicyDocument", () => {
  it("renders statements added after the resource that holds it was created", () => {
    const json = Testing.synthScope((scope) => {
      const document = new PolicyDocument([
        { Sid: "A", Effect: "Deny", Action: "s3:GetObject", Resource: "*" },
      ]);
      new S3BucketPolicy(scope, "policy", { bucket: "b", policy: document.toJsonToken() });
      document.addStatements({
        Sid: "B",
        Effect: "Allow",
        Action: "s3:PutObject",
        Resource: "arn:aws:s3:::b/*",
      });
    });
    const policy = parsePolicy(onlyResource(parse(json), "aws_s3_bucket_policy").config.policy);
    expect(policy.Statement.map((s) => s.Sid)).toEqual(["A", "B"]);
  });

  it("renders AWS's JSON shape with the 2012-10-17 version", () => {
    expect(
      JSON.parse(policyJson([{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "arn:q" }])),
    ).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "arn:q" }],
    });
  });
});
