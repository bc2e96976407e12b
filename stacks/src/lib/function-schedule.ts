import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import type { Construct } from "constructs";
import { policyJson } from "./policy-document";

export interface FunctionScheduleOptions {
  /** Construct ids of the three resources, so each caller keeps its Terraform addresses. */
  ids: { role: string; policy: string; schedule: string };
  /** The schedule's name; its role is named `{roleName}`. */
  scheduleName: string;
  roleName: string;
  /** The inline policy's name and its one statement's Sid. */
  policyName: string;
  sid: string;
  description: string;
  /** A whole number of minutes between runs. */
  everyMinutes: number;
  functionArn: string;
  /** The event the function receives (JSON), when it needs one. */
  input?: string;
}

/**
 * A Lambda function run on an EventBridge Scheduler rate: a role the scheduler assumes, pinned
 * to this account (no confused deputy), that may invoke this one function, and the schedule.
 * The scheduler invokes asynchronously (the function's own async retries apply) and does not
 * retry a failed delivery: the next run comes within minutes and does the same work.
 */
export function scheduleFunction(
  scope: Construct,
  options: FunctionScheduleOptions,
): { role: IamRole; schedule: SchedulerSchedule } {
  const { ids, everyMinutes } = options;
  const account =
    (scope.node.tryFindChild("account") as DataAwsCallerIdentity | undefined) ??
    new DataAwsCallerIdentity(scope, "account");
  const role = new IamRole(scope, ids.role, {
    name: options.roleName,
    assumeRolePolicy: policyJson([
      {
        Effect: "Allow",
        Principal: { Service: "scheduler.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": account.accountId } },
      },
    ]),
  });
  new IamRolePolicy(scope, ids.policy, {
    name: options.policyName,
    role: role.id,
    policy: policyJson([
      { Sid: options.sid, Effect: "Allow", Action: "lambda:InvokeFunction", Resource: options.functionArn },
    ]),
  });
  const schedule = new SchedulerSchedule(scope, ids.schedule, {
    name: options.scheduleName,
    description: options.description,
    scheduleExpression: `rate(${everyMinutes} minute${everyMinutes === 1 ? "" : "s"})`,
    flexibleTimeWindow: { mode: "OFF" },
    target: {
      arn: options.functionArn,
      roleArn: role.arn,
      ...(options.input === undefined ? {} : { input: options.input }),
      retryPolicy: { maximumRetryAttempts: 0 },
    },
  });
  return { role, schedule };
}
