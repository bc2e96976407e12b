import { randomBytes } from "node:crypto";
import { type EnvironmentConfig, resourceNames } from "@photogate/core";
import {
  adminApiStatements,
  authenticatedRoleStatements,
  processorStatements,
  unauthenticatedRoleStatements,
} from "@photogate/policies";
import type { RoleCredentials, SessionRole } from "../credentials";
import { LOCAL_ACCOUNT_ID } from "./json-authorizer";

/** The ARNs the stacks' policies name, resolved for the local account and region. */
function localArns(env: EnvironmentConfig, accountId = LOCAL_ACCOUNT_ID) {
  const names = resourceNames(env);
  const at = (service: string) => `arn:aws:${service}:${env.region}:${accountId}`;
  return {
    bucket: `arn:aws:s3:::${names.bucket}`,
    table: (name: string) => `${at("dynamodb")}:table/${name}`,
    photoTable: `${at("dynamodb")}:table/${names.photoTable}`,
    auditTable: `${at("dynamodb")}:table/${names.auditTable}`,
    usageTable: `${at("dynamodb")}:table/${names.usageTable}`,
    userTable: `${at("dynamodb")}:table/${names.userTable}`,
    userPool: (userPoolId: string) => `${at("cognito-idp")}:userpool/${userPoolId}`,
    processor: `${at("lambda")}:function:${names.processorFunction}`,
    processorDlq: `${at("sqs")}:${names.processorDlq}`,
    logGroup: (functionName: string) => `${at("logs")}:log-group:/aws/lambda/${functionName}`,
  };
}

/**
 * A policy document as AWS receives it: Terraform's `$${…}` escape (which the synthesized JSON
 * holds) becomes the `${…}` policy variable.
 */
export function policyDocument(statements: readonly object[]): unknown {
  return JSON.parse(JSON.stringify({ Version: "2012-10-17", Statement: statements }).replaceAll("$${", "${"));
}

/** Fresh keys for a function role, shaped like an IAM user's (AKIA…), unguessable. */
function roleKeys(): { accessKeyId: string; secretAccessKey: string } {
  return {
    accessKeyId: `AKIA${randomBytes(8).toString("hex").toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString("base64url"),
  };
}

/**
 * The processor's and the admin API's execution roles, with the statements the stacks synthesize
 * for them (`processorStatements`, `adminApiStatements`) and new keys each start.
 */
export function localFunctionRoles(
  env: EnvironmentConfig,
  userPoolId: string,
): { processor: RoleCredentials; adminApi: RoleCredentials } {
  const names = resourceNames(env);
  const arns = localArns(env);
  const adminApiFunction = `${env.namePrefix}-admin-api`;
  return {
    processor: {
      ...roleKeys(),
      roleName: `${names.processorFunction}-role`,
      policy: policyDocument(
        processorStatements({
          bucketArn: arns.bucket,
          photoTableArn: arns.photoTable,
          deadLetterQueueArn: arns.processorDlq,
          logGroupArn: arns.logGroup(names.processorFunction),
          // Sets `picture` when a profile-picture upload is approved (issue 13).
          userPoolArn: arns.userPool(userPoolId),
          usageTableArn: arns.usageTable,
        }),
      ),
    },
    adminApi: {
      ...roleKeys(),
      roleName: `${adminApiFunction}-role`,
      policy: policyDocument(
        adminApiStatements({
          userPoolArn: arns.userPool(userPoolId),
          photoTableArn: arns.photoTable,
          auditTableArn: arns.auditTable,
          bucketArn: arns.bucket,
          processorArn: arns.processor,
          deadLetterQueueArn: arns.processorDlq,
          logGroupArn: arns.logGroup(adminApiFunction),
          usageTableArn: arns.usageTable,
          userTableArn: arns.userTable,
        }),
      ),
    },
  };
}

/** The identity pool's two roles as the stacks name and write them. */
export function identityPoolRoles(
  env: EnvironmentConfig,
): Record<SessionRole, { roleName: string; policy: unknown }> {
  const bucket = localArns(env).bucket;
  return {
    authenticated: {
      roleName: `${env.namePrefix}-identity-authenticated`,
      policy: policyDocument(authenticatedRoleStatements(bucket)),
    },
    unauthenticated: {
      roleName: `${env.namePrefix}-identity-guest`,
      policy: policyDocument(unauthenticatedRoleStatements(bucket, env.publicSharing)),
    },
  };
}
