import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
// The function's own config loader: what the construct sets must be what the function accepts.
import { loadConfig, loadOperationsConfig } from "@photogate/admin-api/config";
import { environments } from "@photogate/core";
import { Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { ADMIN_COGNITO_ACTIONS, AdminApi, type AdminApiOptions } from "../src/constructs/admin-api";
import {
  asList,
  fixtureBundleDir,
  normaliseSynth,
  onlyResource,
  parse,
  parsePolicy,
  useTestRuntimePolicy,
} from "./support";

const env = environments.dev;
const account = "111122223333";
const region = env.region;
const poolId = `${region}_AdminTest1`;
const poolArn = `arn:aws:cognito-idp:${region}:${account}:userpool/${poolId}`;
const photoTableArn = `arn:aws:dynamodb:${region}:${account}:table/t-photos`;
const auditTableArn = `arn:aws:dynamodb:${region}:${account}:table/t-audit`;
const bucketArn = "arn:aws:s3:::t-photos-bucket";
const usageTableArn = `arn:aws:dynamodb:${region}:${account}:table/t-usage`;
const processorArn = `arn:aws:lambda:${region}:${account}:function:t-processor`;
const dlqArn = `arn:aws:sqs:${region}:${account}:t-processor-dlq`;
const dlqUrl = `https://sqs.${region}.amazonaws.com/${account}/t-processor-dlq`;
const functionName = `${env.namePrefix}-admin-api`;
const logGroupArn = `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/${functionName}`;

const baseOptions: AdminApiOptions = {
  env,
  bundleDir: fixtureBundleDir,
  userPool: { id: poolId, arn: poolArn },
  adminClientId: "adminclient123",
  photoTable: { name: "t-photos", arn: photoTableArn },
  auditTable: { name: "t-audit", arn: auditTableArn },
  photoBucket: { name: "t-photos-bucket", arn: bucketArn },
  processor: { name: "t-processor", arn: processorArn },
  deadLetterQueue: { url: dlqUrl, arn: dlqArn },
  corsAllowedOrigins: ["http://localhost:5173"],
  logRetentionDays: 30,
  presignSeconds: 120,
  usageTable: { name: "t-usage", arn: usageTableArn },
};

function synthApi(overrides: Partial<AdminApiOptions> = {}) {
  const json = Testing.synthScope((scope) => {
    useTestRuntimePolicy(scope);
    new AdminApi(scope, "admin-api", { ...baseOptions, ...overrides });
  });
  return { json, synth: parse(json) };
}

const { json, synth } = synthApi();
const api = onlyResource(synth, "aws_apigatewayv2_api");
const authorizer = onlyResource(synth, "aws_apigatewayv2_authorizer");
const integration = onlyResource(synth, "aws_apigatewayv2_integration");
const route = onlyResource(synth, "aws_apigatewayv2_route");
const stage = onlyResource(synth, "aws_apigatewayv2_stage");
const fn = onlyResource(synth, "aws_lambda_function");
const permission = onlyResource(synth, "aws_lambda_permission");
const role = onlyResource(synth, "aws_iam_role");
const rolePolicy = onlyResource(synth, "aws_iam_role_policy");
const statements = parsePolicy(rolePolicy.config.policy).Statement;
const logGroups = Object.entries(synth.resource.aws_cloudwatch_log_group ?? {});
const ref = (type: string, name: string, attribute: string) => `\${${type}.${name}.${attribute}}`;
const apiRef = (attribute: string) => ref("aws_apigatewayv2_api", api.name, attribute);

describe("AdminApi: HTTP API and authorizer", () => {
  it("matches the snapshot", () => {
    expect(normaliseSynth(json)).toMatchSnapshot();
  });

  it("is an HTTP API", () => {
    expect(api.config).toMatchObject({ name: functionName, protocol_type: "HTTP" });
  });

  it("verifies tokens of the admin app client of this user pool, from the Authorization header", () => {
    expect(authorizer.config).toMatchObject({
      api_id: apiRef("id"),
      authorizer_type: "JWT",
      identity_sources: ["$request.header.Authorization"],
      jwt_configuration: {
        issuer: `https://cognito-idp.${region}.amazonaws.com/${poolId}`,
        audience: ["adminclient123"],
      },
    });
  });

  it("sends every request through one JWT-protected $default route to the function", () => {
    expect(route.config).toEqual({
      api_id: apiRef("id"),
      route_key: "$default",
      target: `integrations/${ref("aws_apigatewayv2_integration", integration.name, "id")}`,
      authorization_type: "JWT",
      authorizer_id: ref("aws_apigatewayv2_authorizer", authorizer.name, "id"),
    });
    expect(resourcesOfRoutes()).toHaveLength(1);
  });

  it("with the upload client, adds only the user routes (picture, reports) behind an authorizer of that client", () => {
    const { synth: withUsers } = synthApi({ uploadClientId: "uploadclient456" });
    const routes = Object.entries(withUsers.resource.aws_apigatewayv2_route ?? {});
    const authorizers = Object.entries(withUsers.resource.aws_apigatewayv2_authorizer ?? {});
    expect(routes.map(([, r]) => r.route_key).sort()).toEqual([
      "$default",
      "POST /reports",
      "PUT /me/profile-picture",
    ]);
    const audienceOf = (name: string) =>
      (
        authorizers.find(([id]) => `\${aws_apigatewayv2_authorizer.${id}.id}` === name)?.[1]
          .jwt_configuration as {
          audience: string[];
        }
      )?.audience;
    const byKey = Object.fromEntries(routes.map(([, r]) => [r.route_key, r]));
    for (const key of ["PUT /me/profile-picture", "POST /reports"]) {
      expect(audienceOf(String(byKey[key]!.authorizer_id))).toEqual(["uploadclient456"]);
      expect(byKey[key]).toMatchObject({ authorization_type: "JWT" });
    }
    expect(audienceOf(String(byKey.$default!.authorizer_id))).toEqual(["adminclient123"]);
  });

  it("proxies to the function with payload format 2.0", () => {
    expect(integration.config).toMatchObject({
      integration_type: "AWS_PROXY",
      integration_method: "POST",
      integration_uri: ref("aws_lambda_function", fn.name, "invoke_arn"),
      payload_format_version: "2.0",
    });
  });

  it("lets only this API invoke the function", () => {
    expect(permission.config).toMatchObject({
      action: "lambda:InvokeFunction",
      principal: "apigateway.amazonaws.com",
      function_name: ref("aws_lambda_function", fn.name, "function_name"),
      source_arn: `${apiRef("execution_arn")}/*`,
    });
  });

  it("allows exactly the configured CORS origins, without credentials", () => {
    expect(api.config.cors_configuration).toEqual({
      allow_origins: ["http://localhost:5173"],
      allow_methods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
      allow_headers: ["authorization", "content-type"],
      allow_credentials: false,
      max_age: 600,
    });
  });

  it("has no CORS configuration at all when no origin is given", () => {
    const { synth: noCors } = synthApi({ corsAllowedOrigins: [] });
    expect(onlyResource(noCors, "aws_apigatewayv2_api").config).not.toHaveProperty("cors_configuration");
  });

  it("refuses a CORS origin that is a Terraform reference (it would cycle with the site's CSP)", () => {
    expect(() =>
      Testing.synthScope((scope) => {
        useTestRuntimePolicy(scope);
        const other = new AdminApi(scope, "first", baseOptions);
        new AdminApi(scope, "second", {
          ...baseOptions,
          env: { ...env, namePrefix: "photogate-other" },
          corsAllowedOrigins: [other.apiEndpoint],
        });
      }),
    ).toThrow(/literal origins/);
  });

  it("refuses a CORS origin with a path or a wildcard", () => {
    for (const origin of ["https://admin.example.com/app", "*"]) {
      expect(() => synthApi({ corsAllowedOrigins: [origin] }), origin).toThrow(/scheme and host/);
    }
  });

  it("deploys a $default stage automatically, throttled, with JSON access logs kept for the retention", () => {
    const access = logGroups.find(([, c]) => c.name === `/aws/apigateway/${functionName}`);
    expect(access?.[1]).toMatchObject({ retention_in_days: 30 });
    expect(stage.config).toMatchObject({
      api_id: apiRef("id"),
      name: "$default",
      auto_deploy: true,
      access_log_settings: { destination_arn: ref("aws_cloudwatch_log_group", access![0], "arn") },
      default_route_settings: { throttling_rate_limit: 20, throttling_burst_limit: 40 },
    });
    const format = JSON.parse(stage.config.access_log_settings.format);
    expect(format).toMatchObject({
      requestId: "$context.requestId",
      status: "$context.status",
      sub: "$context.authorizer.claims.sub",
      authorizerError: "$context.authorizer.error",
    });
  });

  it("takes throttling limits from the options", () => {
    const { synth: custom } = synthApi({ throttle: { rateLimit: 5, burstLimit: 10 } });
    expect(onlyResource(custom, "aws_apigatewayv2_stage").config.default_route_settings).toEqual({
      throttling_rate_limit: 5,
      throttling_burst_limit: 10,
    });
  });
});

function resourcesOfRoutes() {
  return Object.keys(synth.resource.aws_apigatewayv2_route ?? {});
}

describe("AdminApi: function", () => {
  it("runs the bundle on Node 24 with index.handler, after its log group and policy exist", () => {
    expect(fn.config).toMatchObject({
      function_name: functionName,
      runtime: "nodejs24.x",
      handler: "index.handler",
      architectures: ["arm64"],
      role: ref("aws_iam_role", role.name, "arn"),
    });
    expect(fn.config.filename).toMatch(/^assets\/.+\/archive\.zip$/);
    const logs = logGroups.find(([, c]) => c.name === `/aws/lambda/${functionName}`);
    expect(logs?.[1]).toMatchObject({ retention_in_days: 30 });
    expect(fn.config.depends_on).toEqual([
      `aws_cloudwatch_log_group.${logs![0]}`,
      `aws_iam_role_policy.${rolePolicy.name}`,
    ]);
  });

  it("sets exactly the variables functions/admin-api/src/config.ts reads, and they load", () => {
    const variables = fn.config.environment.variables as Record<string, string>;
    expect(variables).toEqual({
      PHOTOGATE_PHOTO_TABLE: "t-photos",
      PHOTOGATE_AUDIT_TABLE: "t-audit",
      PHOTOGATE_BUCKET: "t-photos-bucket",
      PHOTOGATE_USER_POOL_ID: poolId,
      PHOTOGATE_PROCESSOR_FUNCTION: "t-processor",
      PHOTOGATE_DLQ_URL: dlqUrl,
      PHOTOGATE_PRESIGN_SECONDS: "120",
      PHOTOGATE_ENVIRONMENT: env.name,
      PHOTOGATE_USAGE_TABLE: "t-usage",
      PHOTOGATE_QUOTA: JSON.stringify(env.quota),
    });

    expect(loadConfig(variables)).toMatchObject({
      photoTable: "t-photos",
      auditTable: "t-audit",
      bucket: "t-photos-bucket",
      userPoolId: poolId,
      processorFunction: "t-processor",
      deadLetterQueueUrl: dlqUrl,
      presignSeconds: 120,
    });
    expect(loadOperationsConfig(variables)).toEqual({
      environment: env.name,
      quota: { usageTable: "t-usage", limits: env.quota },
    });
  });

  it("passes the picture base URL only when given", () => {
    const { synth: withPicture } = synthApi({ pictureBaseUrl: "https://cdn.example.com" });
    const variables = onlyResource(withPicture, "aws_lambda_function").config.environment.variables;
    expect(variables.PHOTOGATE_PICTURE_BASE_URL).toBe("https://cdn.example.com");
    expect(loadConfig(variables).pictureBaseUrl).toBe("https://cdn.example.com");
    expect(fn.config.environment.variables).not.toHaveProperty("PHOTOGATE_PICTURE_BASE_URL");
  });
});

describe("AdminApi: role policy", () => {
  const byService = (prefix: string) =>
    statements.filter((s) => asList(s.Action).some((a) => a.startsWith(prefix)));
  const grants = (prefix: string) =>
    byService(prefix)
      .flatMap((s) => asList(s.Action).flatMap((a) => asList(s.Resource).map((r) => `${a} ${r}`)))
      .sort();

  it("can be assumed by Lambda only, and is the role's only policy", () => {
    expect(parsePolicy(role.config.assume_role_policy).Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    expect(synth.resource.aws_iam_role_policy_attachment).toBeUndefined();
  });

  it('has only Allow statements, no "*" action and no "*" resource', () => {
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(statement.Effect).toBe("Allow");
      expect(statement).not.toHaveProperty("NotAction");
      expect(statement).not.toHaveProperty("NotResource");
      for (const action of asList(statement.Action)) expect(action).not.toContain("*");
      for (const resource of asList(statement.Resource)) {
        expect(resource).not.toBe("*");
        // A wildcard only ever ends a key prefix or a log group's streams.
        expect(resource).toMatch(/^[^*]+(\/\*|\/\*\/status\.json|:\*)?$/);
      }
    }
  });

  it("uses exactly the listed Cognito admin actions, on this pool only", () => {
    const cognito = byService("cognito-idp:");
    expect(cognito.flatMap((s) => asList(s.Resource))).toEqual([poolArn]);
    expect(cognito.flatMap((s) => asList(s.Action)).sort()).toEqual([...ADMIN_COGNITO_ACTIONS].sort());
  });

  it("treats the audit table as append-only: PutItem and Query, no update or delete", () => {
    const audit = statements.filter((s) => asList(s.Resource).some((r) => r.startsWith(auditTableArn)));
    expect(audit.flatMap((s) => asList(s.Action)).sort()).toEqual(["dynamodb:PutItem", "dynamodb:Query"]);
    expect(audit.flatMap((s) => asList(s.Resource))).toEqual([
      auditTableArn,
      `${auditTableArn}/index/byActor`,
      `${auditTableArn}/index/byDay`,
    ]);
  });

  it("reads, moderates and deletes photo records, without Scan or batch writes", () => {
    expect(grants("dynamodb:").filter((g) => g.includes(photoTableArn))).toEqual(
      ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"].flatMap((a) => [
        `${a} ${photoTableArn}`,
        `${a} ${photoTableArn}/index/byOwner`,
        `${a} ${photoTableArn}/index/byPhotoId`,
        `${a} ${photoTableArn}/index/byReview`,
        `${a} ${photoTableArn}/index/byStatus`,
      ]),
    );
    // Every DynamoDB grant names one of the three tables.
    for (const grant of grants("dynamodb:"))
      expect(grant).toMatch(/ arn:.*:table\/t-(photos|audit|usage)(\/|$)/);
  });

  it("reads uploads/ and photos/, writes only status files and shared/, deletes the three prefixes", () => {
    const list = byService("s3:").find((s) => asList(s.Action).includes("s3:ListBucket"));
    expect(list?.Condition).toEqual({ StringLike: { "s3:prefix": ["photos/*", "shared/*"] } });
    expect(grants("s3:")).toEqual(
      [
        `s3:DeleteObject ${bucketArn}/photos/*`,
        `s3:DeleteObject ${bucketArn}/shared/*`,
        `s3:DeleteObject ${bucketArn}/uploads/*`,
        `s3:GetObject ${bucketArn}/photos/*`,
        `s3:GetObject ${bucketArn}/uploads/*`,
        `s3:ListBucket ${bucketArn}`,
        `s3:PutObject ${bucketArn}/photos/*/status.json`,
        `s3:PutObject ${bucketArn}/shared/*`,
      ].sort(),
    );
  });

  it("redrives the processor's DLQ only: receive, delete, visibility and attributes, nothing else", () => {
    expect(grants("sqs:")).toEqual(
      [
        `sqs:ChangeMessageVisibility ${dlqArn}`,
        `sqs:DeleteMessage ${dlqArn}`,
        `sqs:GetQueueAttributes ${dlqArn}`,
        `sqs:ReceiveMessage ${dlqArn}`,
      ].sort(),
    );
  });

  it("invokes the processor only, and writes only its own log group", () => {
    expect(grants("lambda:")).toEqual([`lambda:InvokeFunction ${processorArn}`]);
    const logs = logGroups.find(([, c]) => c.name === `/aws/lambda/${functionName}`)!;
    expect(grants("logs:")).toEqual([
      `logs:CreateLogStream ${ref("aws_cloudwatch_log_group", logs[0], "arn")}:*`,
      `logs:PutLogEvents ${ref("aws_cloudwatch_log_group", logs[0], "arn")}:*`,
    ]);
  });
});

describe("AdminApi role, simulated", () => {
  // The only Terraform reference in the policy is the function's own log group.
  const policy = JSON.parse(
    String(rolePolicy.config.policy).replace(/\$\{aws_cloudwatch_log_group\.[^.]+\.arn\}/g, logGroupArn),
  );
  const roleArn = `arn:aws:iam::${account}:role/${functionName}-role`;
  const owner = "0f8fad5b-d9cb-469f-a165-70867728950e";
  const photo = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
  const bucket = bucketArn;

  async function decide(
    action: string,
    resource: string,
    identityPolicy: unknown = policy,
    contextVariables: Record<string, string> = {},
  ): Promise<string> {
    const simulation: Simulation = {
      request: {
        principal: roleArn,
        action,
        resource: { resource, accountId: account },
        contextVariables,
      },
      identityPolicies: [{ name: "least-privilege", policy: identityPolicy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    };
    const result = await runSimulation(simulation, {});
    if (result.resultType === "error") throw new Error(JSON.stringify(result.errors));
    return result.overallResult;
  }

  it("resolved every reference before simulating", () => {
    expect(JSON.stringify(policy)).not.toContain("${");
  });

  it.each([
    ["cognito-idp:ListUsers", poolArn],
    ["cognito-idp:AdminDisableUser", poolArn],
    ["cognito-idp:AdminDeleteUser", poolArn],
    // issue 13: the user's own choice of picture, and clearing it with the photo it names
    ["cognito-idp:AdminUpdateUserAttributes", poolArn],
    ["cognito-idp:AdminDeleteUserAttributes", poolArn],
    ["lambda:InvokeFunction", processorArn],
    ["sqs:ReceiveMessage", dlqArn],
    ["sqs:DeleteMessage", dlqArn],
    ["sqs:ChangeMessageVisibility", dlqArn],
    ["sqs:GetQueueAttributes", dlqArn],
    ["s3:GetObject", `${bucket}/uploads/${owner}/${photo}.jpg`],
    ["s3:GetObject", `${bucket}/photos/${owner}/${photo}/thumb-256.webp`],
    ["s3:PutObject", `${bucket}/photos/${owner}/${photo}/status.json`],
    ["s3:PutObject", `${bucket}/shared/${owner}/${photo}/display.webp`],
    ["s3:DeleteObject", `${bucket}/uploads/${owner}/${photo}.jpg`],
    ["s3:DeleteObject", `${bucket}/photos/${owner}/${photo}/display.webp`],
    ["dynamodb:Query", `${photoTableArn}/index/byStatus`],
    // users search by photo id: whose photo it is
    ["dynamodb:Query", `${photoTableArn}/index/byPhotoId`],
    ["dynamodb:UpdateItem", photoTableArn],
    ["dynamodb:DeleteItem", photoTableArn],
    ["dynamodb:PutItem", auditTableArn],
    ["dynamodb:Query", `${auditTableArn}/index/byDay`],
    ["logs:PutLogEvents", `${logGroupArn}:log-stream:2024/01/01/[$LATEST]abc`],
    // usage for support, the limits override for admins
    ["dynamodb:GetItem", usageTableArn],
    ["dynamodb:PutItem", usageTableArn],
  ])("may %s on %s", async (action, resource) => {
    expect(await decide(action, resource)).toBe("Allowed");
  });

  it.each([
    ["cognito-idp:ListUsers", `arn:aws:cognito-idp:${region}:${account}:userpool/${region}_OtherPool`],
    [
      "cognito-idp:AdminUpdateUserAttributes",
      `arn:aws:cognito-idp:${region}:${account}:userpool/${region}_OtherPool`,
    ],
    ["cognito-idp:UpdateUserPoolClient", poolArn],
    ["cognito-idp:DeleteUserPool", poolArn],
    ["cognito-idp:CreateGroup", poolArn],
    ["cognito-idp:AdminSetUserPassword", poolArn],
    ["lambda:InvokeFunction", `arn:aws:lambda:${region}:${account}:function:someone-else`],
    ["lambda:UpdateFunctionCode", processorArn],
    ["sqs:ReceiveMessage", `arn:aws:sqs:${region}:${account}:another-queue`],
    ["sqs:DeleteMessage", `arn:aws:sqs:${region}:${account}:another-queue`],
    ["sqs:SendMessage", dlqArn],
    ["sqs:PurgeQueue", dlqArn],
    ["sqs:DeleteQueue", dlqArn],
    ["s3:PutObject", `${bucket}/uploads/${owner}/${photo}.jpg`],
    ["s3:PutObject", `${bucket}/photos/${owner}/${photo}/display.webp`],
    ["s3:PutObject", `${bucket}/other.txt`],
    ["s3:GetObject", `${bucket}/other.txt`],
    ["s3:DeleteObject", `arn:aws:s3:::another-bucket/uploads/${owner}/${photo}.jpg`],
    ["dynamodb:DeleteItem", auditTableArn],
    ["dynamodb:UpdateItem", auditTableArn],
    ["dynamodb:BatchWriteItem", auditTableArn],
    ["dynamodb:Scan", photoTableArn],
    ["dynamodb:Scan", `${photoTableArn}/index/byPhotoId`],
    ["dynamodb:PutItem", photoTableArn],
    ["dynamodb:GetItem", `arn:aws:dynamodb:${region}:${account}:table/other`],
    ["logs:CreateLogGroup", `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/other`],
    ["iam:PassRole", roleArn],
    // counting uploads is the processor's alone
    ["dynamodb:UpdateItem", usageTableArn],
    ["dynamodb:DeleteItem", usageTableArn],
    ["dynamodb:Scan", usageTableArn],
  ])("may not %s on %s", async (action, resource) => {
    expect(await decide(action, resource)).not.toBe("Allowed");
  });

  it("may list a photo's photos/ and shared/ folders, and nothing else in the bucket", async () => {
    const list = (prefix?: string) =>
      decide("s3:ListBucket", bucket, policy, prefix === undefined ? {} : { "s3:prefix": prefix });
    expect(await list(`photos/${owner}/${photo}/`)).toBe("Allowed");
    expect(await list(`shared/${owner}/${photo}/`)).toBe("Allowed");
    expect(await list(`uploads/${owner}/`)).not.toBe("Allowed");
    expect(await list("")).not.toBe("Allowed");
    expect(await list()).not.toBe("Allowed");
  });

  it("would catch an audit delete if one were granted (the denials above are not vacuous)", async () => {
    const widened = {
      ...policy,
      Statement: [
        ...policy.Statement,
        { Effect: "Allow", Action: "dynamodb:DeleteItem", Resource: auditTableArn },
      ],
    };
    expect(await decide("dynamodb:DeleteItem", auditTableArn, widened)).toBe("Allowed");
  });
});
