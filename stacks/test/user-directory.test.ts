import { runSimulation } from "@cloud-copilot/iam-simulate";
import { loadConfig } from "@photogate/admin-api/config";
import { environments } from "@photogate/core";
import { Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { AdminApi, type AdminApiOptions } from "../src/constructs/admin-api";
import { PhotoTables } from "../src/constructs/photo-tables";
import { fixtureBundleDir, onlyResource, parse, resourceWhere, useTestRuntimePolicy } from "./support";

const env = environments.dev;
const account = "111122223333";
const region = env.region;
const poolId = `${region}_AdminTest1`;
const table = (name: string) => `arn:aws:dynamodb:${region}:${account}:table/${name}`;
const userTableArn = table("t-user-directory");
const functionName = `${env.namePrefix}-admin-api`;

const options: AdminApiOptions = {
  env,
  bundleDir: fixtureBundleDir,
  userPool: { id: poolId, arn: `arn:aws:cognito-idp:${region}:${account}:userpool/${poolId}` },
  adminClientId: "adminclient123",
  photoTable: { name: "t-photos", arn: table("t-photos") },
  auditTable: { name: "t-audit", arn: table("t-audit") },
  photoBucket: { name: "t-photos-bucket", arn: "arn:aws:s3:::t-photos-bucket" },
  processor: { name: "t-processor", arn: `arn:aws:lambda:${region}:${account}:function:t-processor` },
  deadLetterQueue: {
    url: `https://sqs.${region}.amazonaws.com/${account}/t-dlq`,
    arn: `arn:aws:sqs:${region}:${account}:t-dlq`,
  },
  corsAllowedOrigins: [],
  userTable: { name: "t-user-directory", arn: userTableArn },
  directorySyncMinutes: 10,
};

const synth = parse(
  Testing.synthScope((scope) => {
    useTestRuntimePolicy(scope);
    new AdminApi(scope, "admin-api", options);
  }),
);
const byName = (name: string) => (c: Record<string, unknown>) => c.function_name === name;
const api = resourceWhere(synth, "aws_lambda_function", byName(functionName));
const sync = resourceWhere(synth, "aws_lambda_function", byName(`${functionName}-directory-sync`));
const schedule = onlyResource(synth, "aws_scheduler_schedule");

describe("AdminApi with a user directory", () => {
  it("runs the re-sync from the API's own zip, with another handler", () => {
    expect(sync.config.handler).toBe("index.syncDirectoryHandler");
    expect(api.config.handler).toBe("index.handler");
    expect(sync.config.filename).toBe(api.config.filename);
    expect(sync.config.source_code_hash).toBe(api.config.source_code_hash);
    expect(sync.config.role).toBe(api.config.role);
  });

  it("gives both functions the directory table, in variables the function accepts", () => {
    const variables = api.config.environment.variables as Record<string, string>;
    expect(sync.config.environment.variables).toEqual(variables);
    expect(loadConfig(variables).userTable).toBe("t-user-directory");
  });

  it("invokes the re-sync on the configured rate, through a role that may invoke only it", () => {
    expect(schedule.config.schedule_expression).toBe("rate(10 minutes)");
    expect(schedule.config.target.arn).toBe(`\${aws_lambda_function.${sync.name}.arn}`);
    const invoke = resourceWhere(synth, "aws_iam_role_policy", (c) => c.name === "invoke-directory-sync");
    expect(JSON.parse(String(invoke.config.policy)).Statement).toEqual([
      {
        Sid: "InvokeDirectorySync",
        Effect: "Allow",
        Action: "lambda:InvokeFunction",
        Resource: `\${aws_lambda_function.${sync.name}.arn}`,
      },
    ]);
  });

  it("refuses a schedule that is not a whole number of minutes", () => {
    expect(() =>
      Testing.synthScope((scope) => {
        useTestRuntimePolicy(scope);
        new AdminApi(scope, "admin-api", { ...options, directorySyncMinutes: 0.5 });
      }),
    ).toThrow(/directorySyncMinutes must be a whole number from 1 to 1440, not 0.5/);
  });

  it("keys the directory table as core's userTable says", () => {
    const tables = parse(
      Testing.synthScope((scope) => {
        new PhotoTables(scope, "tables", {
          photoTableName: "p",
          auditTableName: "a",
          userTableName: "u",
          deletionProtection: false,
        });
      }),
    );
    const users = resourceWhere(tables, "aws_dynamodb_table", (c) => c.name === "u");
    expect(users.config).toMatchObject({
      hash_key: "pool",
      range_key: "sub",
      billing_mode: "PAY_PER_REQUEST",
    });
  });
});

describe("AdminApi role on the user directory, simulated", () => {
  const rolePolicy = resourceWhere(synth, "aws_iam_role_policy", (c) => c.name === "least-privilege");
  const policy = JSON.parse(
    String(rolePolicy.config.policy).replace(
      /\$\{aws_cloudwatch_log_group\.[^.]+\.arn\}/g,
      `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/${functionName}`,
    ),
  );
  const decide = async (action: string, resource: string) => {
    const result = await runSimulation(
      {
        request: {
          principal: `arn:aws:iam::${account}:role/${functionName}-role`,
          action,
          resource: { resource, accountId: account },
          contextVariables: {},
        },
        identityPolicies: [{ name: "least-privilege", policy }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    if (result.resultType === "error") throw new Error(JSON.stringify(result.errors));
    return result.overallResult;
  };

  it.each([
    ["dynamodb:Query", userTableArn],
    ["dynamodb:PutItem", userTableArn],
    ["dynamodb:DeleteItem", userTableArn],
  ])("may %s on %s", async (action, resource) => {
    expect(await decide(action, resource)).toBe("Allowed");
  });

  it.each([
    ["dynamodb:Scan", userTableArn],
    ["dynamodb:UpdateItem", userTableArn],
    ["dynamodb:BatchWriteItem", userTableArn],
    ["dynamodb:DeleteTable", userTableArn],
    ["dynamodb:PutItem", table("another-directory")],
  ])("may not %s on %s", async (action, resource) => {
    expect(await decide(action, resource)).not.toBe("Allowed");
  });
});
