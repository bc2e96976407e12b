import { claimLeaseSeconds, defaultProcessing, defaultQuota, environments } from "@photogate/core";
// The function's own config loader: what the construct sets must be what the function accepts.
import { loadConfig, loadOperationsConfig } from "@photogate/processor/config";
import { Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { PhotoProcessing, type PhotoProcessingOptions } from "../src/constructs/photo-processing";
import {
  asList,
  fixtureBundleDir,
  normaliseSynth,
  onlyResource,
  parse,
  parsePolicy,
  resourceWhere,
  useTestRuntimePolicy,
} from "./support";

const processor = { ...environments.dev.processor, reservedConcurrency: 7, maxRetryAttempts: 1 };
const bucketArn = "arn:aws:s3:::test-photos";
const tableArn = "arn:aws:dynamodb:eu-west-1:111122223333:table/t-photos";

/** Synthesizes a stack holding only the construct, with the default options except for `overrides`. */
function synthProcessing(overrides: Partial<PhotoProcessingOptions> = {}): string {
  return Testing.synthScope((scope) => {
    useTestRuntimePolicy(scope);
    new PhotoProcessing(scope, "processing", {
      functionName: "t-processor",
      dlqName: "t-processor-dlq",
      bundleDir: fixtureBundleDir,
      processor,
      processing: defaultProcessing,
      logRetentionDays: 30,
      bucketArn,
      photoTable: { name: "t-photos", arn: tableArn },
      operations: { environment: "dev" },
      ...overrides,
    });
  });
}

const json = synthProcessing();
const synth = parse(json);
const fn = onlyResource(synth, "aws_lambda_function");
const queue = onlyResource(synth, "aws_sqs_queue");
const logGroup = onlyResource(synth, "aws_cloudwatch_log_group");
const role = resourceWhere(synth, "aws_iam_role", (c) => c.name === "t-processor-role");
const rolePolicy = resourceWhere(
  synth,
  "aws_iam_role_policy",
  (c) => c.role === `\${aws_iam_role.${role.name}.id}`,
);
const statements = parsePolicy(rolePolicy.config.policy).Statement;
const queueArn = `\${aws_sqs_queue.${queue.name}.arn}`;

describe("PhotoProcessing function", () => {
  it("matches the snapshot", () => {
    expect(normaliseSynth(json)).toMatchSnapshot();
  });

  it("runs the bundle on Node 24 with the environment's size and architecture", () => {
    expect(fn.config).toMatchObject({
      function_name: "t-processor",
      runtime: "nodejs24.x",
      handler: "index.handler",
      architectures: ["arm64"],
      memory_size: processor.memoryMb,
      timeout: processor.timeoutSeconds,
      role: `\${aws_iam_role.${role.name}.arn}`,
    });
    expect(fn.config.filename).toMatch(/^assets\/.+\/archive\.zip$/);
    expect(fn.config.source_code_hash).toMatch(/^[0-9A-F]{32}$/);
  });

  it("passes the quota with its table and the storage lifecycle when given, and may count in that table", () => {
    const usageArn = "arn:aws:dynamodb:eu-west-1:111122223333:table/t-usage";
    const lifecycle = { rejectedOriginalDays: 30, abandonedUploadDays: 7 };
    const withQuota = parse(
      synthProcessing({
        operations: {
          environment: "prod",
          quota: { usageTable: "t-usage", limits: defaultQuota },
          usageTableArn: usageArn,
          storageLifecycle: lifecycle,
        },
      }),
    );
    const variables = onlyResource(withQuota, "aws_lambda_function").config.environment.variables;
    expect(variables).toMatchObject({
      PHOTOGATE_ENVIRONMENT: "prod",
      PHOTOGATE_USAGE_TABLE: "t-usage",
      PHOTOGATE_QUOTA: JSON.stringify(defaultQuota),
      PHOTOGATE_STORAGE_LIFECYCLE: JSON.stringify(lifecycle),
    });
    // By construction: the processor's own loader reads back the construct's options.
    expect(loadOperationsConfig(variables)).toEqual({
      environment: "prod",
      quota: { usageTable: "t-usage", limits: defaultQuota },
      storageLifecycle: lifecycle,
    });
    const policy = parsePolicy(
      resourceWhere(withQuota, "aws_iam_role_policy", (c) => c.name === "least-privilege").config.policy,
    );
    const onUsage = policy.Statement.filter((s) => asList(s.Resource).includes(usageArn));
    expect(onUsage.flatMap((s) => asList(s.Action)).sort()).toEqual([
      "dynamodb:GetItem",
      "dynamodb:UpdateItem",
    ]);
  });

  it("passes exactly the variables the processor reads", () => {
    const variables = fn.config.environment.variables;
    expect(Object.keys(variables).sort()).toEqual([
      "PHOTOGATE_BUCKET",
      "PHOTOGATE_CLAIM_LEASE_SECONDS",
      "PHOTOGATE_ENVIRONMENT",
      "PHOTOGATE_MAX_ATTEMPTS",
      "PHOTOGATE_PHOTO_TABLE",
      "PHOTOGATE_PROCESSING",
      "PHOTOGATE_RECONCILE",
    ]);
    // The lease outlives the function's timeout, so a live run is never taken over.
    expect(Number(variables.PHOTOGATE_CLAIM_LEASE_SECONDS)).toBeGreaterThan(processor.timeoutSeconds);
    const { scheduleMinutes: _, ...limits } = processor.reconcile;
    expect(JSON.parse(variables.PHOTOGATE_RECONCILE)).toEqual(limits);
    expect(variables.PHOTOGATE_PHOTO_TABLE).toBe("t-photos");
    expect(JSON.parse(variables.PHOTOGATE_PROCESSING)).toEqual(defaultProcessing);
    // Terraform's replace() of the bucket ARN: the name, known only once the bucket exists.
    expect(variables.PHOTOGATE_BUCKET).toMatch(
      /^\$\{replace\("arn:aws:s3:::test-photos", "arn:aws:s3:::", ""\)\}$/,
    );
    // maxRetryAttempts 1: the first try and one retry
    expect(variables.PHOTOGATE_MAX_ATTEMPTS).toBe("2");
  });

  it("sets variables the processor's own loader reads back as the construct's options", () => {
    const withPictures = parse(
      synthProcessing({
        profilePictures: {
          userPoolId: "eu-west-1_Pics1",
          userPoolArn: "arn:aws:cognito-idp:eu-west-1:111122223333:userpool/eu-west-1_Pics1",
          pictureBaseUrl: "https://d111.cloudfront.net",
        },
      }),
    );
    const variables = onlyResource(withPictures, "aws_lambda_function").config.environment.variables;
    const { scheduleMinutes: _, ...reconcile } = processor.reconcile;
    expect(loadConfig(variables)).toEqual({
      photoTable: "t-photos",
      processing: defaultProcessing,
      endpointOverride: false,
      // Terraform's expression stands for the name until apply.
      bucket: variables.PHOTOGATE_BUCKET,
      maxAttempts: processor.maxRetryAttempts + 1,
      leaseSeconds: claimLeaseSeconds(processor),
      reconcile,
      userPoolId: "eu-west-1_Pics1",
      pictureBaseUrl: "https://d111.cloudfront.net",
    });
    // Without profile pictures the same loader still accepts what is set.
    expect(loadConfig(fn.config.environment.variables)).not.toHaveProperty("userPoolId");
    expect(loadOperationsConfig(variables)).toEqual({ environment: "dev" });
  });

  it("reserves the configured concurrency", () => {
    expect(fn.config.reserved_concurrent_executions).toBe(7);
  });

  it("creates its log group first, with the configured retention", () => {
    expect(logGroup.config).toMatchObject({ name: "/aws/lambda/t-processor", retention_in_days: 30 });
    expect(fn.config.depends_on).toContain(`aws_cloudwatch_log_group.${logGroup.name}`);
    expect(fn.config.depends_on).toContain(`aws_iam_role_policy.${rolePolicy.name}`);
  });

  it("sends failed asynchronous invocations to an encrypted dead-letter queue", () => {
    expect(queue.config).toMatchObject({
      name: "t-processor-dlq",
      sqs_managed_sse_enabled: true,
      message_retention_seconds: processor.dlqRetentionDays * 86400,
    });
    const { config } = onlyResource(synth, "aws_lambda_function_event_invoke_config");
    expect(config).toMatchObject({
      function_name: `\${aws_lambda_function.${fn.name}.function_name}`,
      maximum_retry_attempts: 1,
      maximum_event_age_in_seconds: processor.maxEventAgeSeconds,
      destination_config: { on_failure: { destination: queueArn } },
    });
  });

  it("alarms on dead letters and on function errors", () => {
    const alarms = Object.values(synth.resource.aws_cloudwatch_metric_alarm ?? {});
    const byMetric = Object.fromEntries(alarms.map((a) => [a.metric_name, a]));
    expect(byMetric.ApproximateNumberOfMessagesVisible).toMatchObject({
      namespace: "AWS/SQS",
      threshold: 0,
      comparison_operator: "GreaterThanThreshold",
      dimensions: { QueueName: `\${aws_sqs_queue.${queue.name}.name}` },
    });
    expect(byMetric.Errors).toMatchObject({ namespace: "AWS/Lambda", threshold: 0 });
  });

  it("tells the given alarm actions when an alarm fires and when it clears", () => {
    const topic = "arn:aws:sns:eu-west-1:111122223333:t-alarms";
    const withTopic = parse(synthProcessing({ alarmActions: [topic] }));
    const alarms = Object.values(withTopic.resource.aws_cloudwatch_metric_alarm ?? {});
    expect(alarms).toHaveLength(2);
    for (const alarm of alarms) {
      expect(alarm.alarm_actions).toEqual([topic]);
      expect(alarm.ok_actions).toEqual([topic]);
    }
  });
});

describe("PhotoProcessing reconciler schedule", () => {
  const schedule = onlyResource(synth, "aws_scheduler_schedule");
  const schedulerRole = resourceWhere(
    synth,
    "aws_iam_role",
    (c) => c.name === "t-processor-reconcile-schedule",
  );
  const schedulerPolicy = resourceWhere(
    synth,
    "aws_iam_role_policy",
    (c) => c.role === `\${aws_iam_role.${schedulerRole.name}.id}`,
  );

  it("invokes the processor with the reconcile payload at the configured rate", () => {
    expect(schedule.config).toMatchObject({
      schedule_expression: `rate(${processor.reconcile.scheduleMinutes} minutes)`,
      flexible_time_window: { mode: "OFF" },
      target: {
        arn: `\${aws_lambda_function.${fn.name}.arn}`,
        role_arn: `\${aws_iam_role.${schedulerRole.name}.arn}`,
      },
    });
    expect(JSON.parse(schedule.config.target.input)).toEqual({ action: "reconcile" });
  });

  it("runs as a role EventBridge Scheduler of this account assumes, allowed to invoke only the processor", () => {
    const trust = parsePolicy(schedulerRole.config.assume_role_policy).Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0]).toMatchObject({
      Principal: { Service: "scheduler.amazonaws.com" },
      Action: "sts:AssumeRole",
    });
    expect(trust[0]!.Condition?.StringEquals?.["aws:SourceAccount"]).toMatch(/aws_caller_identity/);
    expect(parsePolicy(schedulerPolicy.config.policy).Statement).toEqual([
      {
        Sid: "InvokeProcessor",
        Effect: "Allow",
        Action: "lambda:InvokeFunction",
        Resource: `\${aws_lambda_function.${fn.name}.arn}`,
      },
    ]);
  });
});

describe("PhotoProcessing role", () => {
  it("can be assumed by Lambda only", () => {
    const trust = parsePolicy(role.config.assume_role_policy);
    expect(trust.Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
  });

  it("has one inline policy and no managed policy attachments", () => {
    expect(synth.resource.aws_iam_role_policy_attachment).toBeUndefined();
    const policies = Object.values(synth.resource.aws_iam_role_policy ?? {}) as { role: string }[];
    expect(policies.filter((p) => p.role === `\${aws_iam_role.${role.name}.id}`)).toHaveLength(1);
  });

  it("grants only Allow statements and no wildcard actions", () => {
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(statement.Effect).toBe("Allow");
      for (const action of asList(statement.Action)) expect(action).not.toContain("*");
      expect(statement).not.toHaveProperty("NotAction");
      expect(statement).not.toHaveProperty("NotResource");
    }
  });

  it('uses resource "*" only for the two Rekognition actions that cannot be scoped', () => {
    const wildcard = statements.filter((s) => asList(s.Resource).includes("*"));
    const actions = wildcard.flatMap((s) => asList(s.Action)).sort();
    expect(actions).toEqual(["rekognition:DetectFaces", "rekognition:DetectModerationLabels"]);
    for (const s of wildcard) expect(asList(s.Resource)).toEqual(["*"]);
    // Everything else is pinned to a named resource: no "arn:aws:s3:::*"-style service wildcards.
    const others = statements.filter((s) => !wildcard.includes(s)).flatMap((s) => asList(s.Resource));
    for (const resource of others)
      expect(resource).toMatch(/^(arn:aws:[a-z0-9-]+:[^*]*[^:*]|\$\{[^}]+\})(\/[a-z]+\/\*|:\*)?$/);
  });

  it("reads uploads/ and photos/, writes photos/, writes and deletes shared/, lists only shared/", () => {
    const s3 = statements.filter((s) => asList(s.Action).some((a) => a.startsWith("s3:")));
    const grants = s3
      .flatMap((s) => asList(s.Action).map((a) => `${a} ${asList(s.Resource).join(",")}`))
      .sort();
    expect(grants).toEqual([
      `s3:DeleteObject ${bucketArn}/shared/*`,
      `s3:GetObject ${bucketArn}/photos/*`,
      `s3:GetObject ${bucketArn}/uploads/*`,
      `s3:ListBucket ${bucketArn}`,
      `s3:ListBucket ${bucketArn}`,
      `s3:PutObject ${bucketArn}/photos/*`,
      `s3:PutObject ${bucketArn}/shared/*`,
      `s3:PutObjectTagging ${bucketArn}/uploads/*`,
    ]);
    const lists = s3.filter((s) => asList(s.Action).includes("s3:ListBucket"));
    expect(lists.map((l) => l.Condition)).toEqual([
      { StringLike: { "s3:prefix": "shared/*" } },
      { StringLike: { "s3:prefix": "uploads/*" } },
    ]);
  });

  it("touches DynamoDB items of the photo table only, without delete or scan; queries only the status index", () => {
    const dynamo = statements.filter((s) => asList(s.Action).some((a) => a.startsWith("dynamodb:")));
    expect(dynamo.map((s) => [asList(s.Action).sort(), asList(s.Resource)])).toEqual([
      [["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], [tableArn]],
      [["dynamodb:Query"], [`${tableArn}/index/byStatus`]],
    ]);
  });

  it("sends only to its own dead-letter queue and writes only to its own log group", () => {
    const sqs = statements.filter((s) => asList(s.Action).some((a) => a.startsWith("sqs:")));
    expect(sqs.map((s) => [asList(s.Action), asList(s.Resource)])).toEqual([
      [["sqs:SendMessage"], [queueArn]],
    ]);
    const logs = statements.filter((s) => asList(s.Action).some((a) => a.startsWith("logs:")));
    expect(logs.flatMap((s) => asList(s.Resource))).toEqual([
      `\${aws_cloudwatch_log_group.${logGroup.name}.arn}:*`,
    ]);
    expect(logs.flatMap((s) => asList(s.Action))).not.toContain("logs:CreateLogGroup");
  });
});
