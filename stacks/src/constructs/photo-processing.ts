import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import type { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import {
  claimLeaseSeconds,
  type EnvironmentConfig,
  type OperationsConfig,
  operationsEnvironment,
  type ProcessingConfig,
  processorEnvironment,
  REGIONAL_RUNTIME,
  type ReconcileRequest,
} from "@photogate/core";
import { processorStatements } from "@photogate/policies";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { functionCode } from "../lib/function-code";
import { scheduleFunction } from "../lib/function-schedule";
import { lambdaRuntime } from "../lib/lambda-runtime";
import { policyJson, serviceTrustPolicy } from "../lib/policy-document";

export { type ProcessorPolicyTargets, processorStatements } from "@photogate/policies";

export interface PhotoProcessingOptions {
  functionName: string;
  dlqName: string;
  /** Directory holding the esbuild bundle (index.mjs and node_modules/sharp); zipped as the code. */
  bundleDir: string;
  processor: EnvironmentConfig["processor"];
  /** Handed to the function as JSON (core's processorEnvironment). */
  processing: ProcessingConfig;
  logRetentionDays: number;
  bucketArn: string;
  photoTable: { name: string; arn: string };
  /**
   * The user pool whose `picture` approved profile-picture uploads set, and the origin serving
   * shared/ for its value; without it (LocalStack) such uploads say NOT_CONFIGURED.
   */
  profilePictures?: { userPoolId: string; userPoolArn: string; pictureBaseUrl: string };
  /** SNS topics (or other ARNs) told when an alarm fires and when it clears; none by default. */
  alarmActions?: string[];
  /** Metrics' environment, the quota (with its usage table's ARN for the role) and the storage lifecycle. */
  operations: OperationsConfig & { usageTableArn?: string };
}

/**
 * The processor: a Lambda function fed by the upload notification, a role that can read
 * uploads/ and write photos/ and nothing more, a dead-letter queue for invocations that
 * still fail after Lambda's retries, and alarms on both.
 */
export class PhotoProcessing extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly rolePolicy: IamRolePolicy;
  readonly deadLetterQueue: SqsQueue;
  readonly logGroup: CloudwatchLogGroup;
  /** Runs the reconciler: invokes the processor with `{ "action": "reconcile" }` on a rate. */
  readonly reconcileSchedule: SchedulerSchedule;
  readonly schedulerRole: IamRole;

  constructor(scope: Construct, id: string, options: PhotoProcessingOptions) {
    super(scope, id);
    const { processor } = options;

    this.deadLetterQueue = new SqsQueue(this, "dlq", {
      name: options.dlqName,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: processor.dlqRetentionDays * 24 * 3600,
    });

    // Created here rather than by Lambda on first run, so retention applies from the start
    // and the role needs no logs:CreateLogGroup.
    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: `/aws/lambda/${options.functionName}`,
      retentionInDays: options.logRetentionDays,
    });

    this.role = new IamRole(this, "role", {
      name: `${options.functionName}-role`,
      assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com"),
    });
    this.rolePolicy = new IamRolePolicy(this, "role-policy", {
      name: "least-privilege",
      role: this.role.id,
      policy: policyJson(
        processorStatements({
          bucketArn: options.bucketArn,
          photoTableArn: options.photoTable.arn,
          deadLetterQueueArn: this.deadLetterQueue.arn,
          logGroupArn: this.logGroup.arn,
          ...(options.profilePictures ? { userPoolArn: options.profilePictures.userPoolArn } : {}),
          ...(options.operations.usageTableArn ? { usageTableArn: options.operations.usageTableArn } : {}),
        }),
      ),
    });

    const code = functionCode(this, "code", options.bundleDir);
    this.function = new LambdaFunction(this, "function", {
      functionName: options.functionName,
      role: this.role.arn,
      runtime: lambdaRuntime(this, options.functionName, REGIONAL_RUNTIME),
      handler: "index.handler",
      architectures: [processor.architecture],
      memorySize: processor.memoryMb,
      timeout: processor.timeoutSeconds,
      filename: code.path,
      // A trigger only (provider ≥ 5.4x keeps AWS's hash in code_sha256): the content hash of
      // the bundle directory changes exactly when the code does, even if zip bytes would not.
      sourceCodeHash: code.assetHash,
      // Caps the account's concurrency this function can take and Rekognition's TPS it can
      // spend; a burst of uploads waits in Lambda's async queue instead of throttling others.
      reservedConcurrentExecutions: processor.reservedConcurrency,
      environment: {
        variables: {
          ...processorEnvironment({
            photoTable: options.photoTable.name,
            processing: options.processing,
            // Reprocess requests name no bucket.
            bucket: Fn.replace(options.bucketArn, "arn:aws:s3:::", ""),
            // A failure before the last attempt publishes a verdict that is not final.
            maxAttempts: processor.maxRetryAttempts + 1,
            // A claim outlives any run Lambda has not killed yet; after it, others may take over.
            leaseSeconds: claimLeaseSeconds(processor),
            reconcile: processor.reconcile,
            ...(options.profilePictures
              ? {
                  userPoolId: options.profilePictures.userPoolId,
                  pictureBaseUrl: options.profilePictures.pictureBaseUrl,
                }
              : {}),
          }),
          ...operationsEnvironment(options.operations),
        },
      },
      dependsOn: [this.logGroup, this.rolePolicy],
    });

    new LambdaFunctionEventInvokeConfig(this, "async-invoke", {
      functionName: this.function.functionName,
      maximumRetryAttempts: processor.maxRetryAttempts,
      maximumEventAgeInSeconds: processor.maxEventAgeSeconds,
      // The S3 event lands here after the last retry, so no upload is silently lost.
      destinationConfig: { onFailure: { destination: this.deadLetterQueue.arn } },
    });

    // EventBridge Scheduler (not a CloudWatch Events rule); its target is still an asynchronous
    // invoke, with this function's own retries.
    const reconcile = scheduleFunction(this, {
      ids: { role: "scheduler-role", policy: "scheduler-role-policy", schedule: "reconcile-schedule" },
      scheduleName: `${options.functionName}-reconcile`,
      roleName: `${options.functionName}-reconcile-schedule`,
      policyName: "invoke-processor",
      sid: "InvokeProcessor",
      description: "Re-drives uploads no run will finish (lost notifications, expired processing leases).",
      everyMinutes: processor.reconcile.scheduleMinutes,
      functionArn: this.function.arn,
      input: JSON.stringify({ action: "reconcile" } satisfies ReconcileRequest),
    });
    this.schedulerRole = reconcile.role;
    this.reconcileSchedule = reconcile.schedule;

    const alarmActions = options.alarmActions ?? [];
    new CloudwatchMetricAlarm(this, "dlq-alarm", {
      alarmName: `${options.functionName}-dead-letters`,
      alarmDescription: "Uploads the processor gave up on are waiting in the dead-letter queue.",
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: this.deadLetterQueue.name },
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      alarmActions,
      okActions: alarmActions,
    });
    new CloudwatchMetricAlarm(this, "errors-alarm", {
      alarmName: `${options.functionName}-errors`,
      alarmDescription: "The processor threw; Lambda retries, then dead-letters the event.",
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: this.function.functionName },
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      alarmActions,
      okActions: alarmActions,
    });
  }

  get functionArn(): string {
    return this.function.arn;
  }

  get functionName(): string {
    return this.function.functionName;
  }

  get roleArn(): string {
    return this.role.arn;
  }
}
