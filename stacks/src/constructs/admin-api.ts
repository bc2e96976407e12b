import { Apigatewayv2Api } from "@cdktf/provider-aws/lib/apigatewayv2-api";
import { Apigatewayv2Authorizer } from "@cdktf/provider-aws/lib/apigatewayv2-authorizer";
import { Apigatewayv2Integration } from "@cdktf/provider-aws/lib/apigatewayv2-integration";
import { Apigatewayv2Route } from "@cdktf/provider-aws/lib/apigatewayv2-route";
import { Apigatewayv2Stage } from "@cdktf/provider-aws/lib/apigatewayv2-stage";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import type { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import {
  adminApiEnvironment,
  cognitoIssuer,
  type EnvironmentConfig,
  operationsEnvironment,
  PROFILE_PICTURE_ROUTE,
  REGIONAL_RUNTIME,
  USER_ROUTES,
} from "@photogate/core";
import { adminApiStatements } from "@photogate/policies";
import { type TerraformAsset, Token } from "cdktf";
import { Construct } from "constructs";
import { functionCode } from "../lib/function-code";
import { scheduleFunction } from "../lib/function-schedule";
import { lambdaRuntime } from "../lib/lambda-runtime";
import { policyJson, serviceTrustPolicy } from "../lib/policy-document";

export {
  ADMIN_COGNITO_ACTIONS,
  type AdminApiPolicyTargets,
  adminApiStatements,
} from "@photogate/policies";

/** A resource this construct grants access to, by name (for the function) and ARN (for IAM). */
export interface NamedResource {
  name: string;
  arn: string;
}

export interface AdminApiOptions {
  env: EnvironmentConfig;
  /** Directory holding the admin API's esbuild bundle (index.mjs); zipped as the code. */
  bundleDir: string;
  /** The user pool whose admin app client signs the tokens, and whose users the API manages. */
  userPool: { id: string; arn: string };
  /** The admin app client: the JWT authorizer's only audience. */
  adminClientId: string;
  /**
   * The upload (end-user) client: with it, each of core's USER_ROUTES (`PUT /me/profile-picture`,
   * `POST /reports`) gets its own route and a JWT authorizer for this client's tokens only; the
   * admin routes still take admin-client tokens only.
   */
  uploadClientId?: string;
  photoTable: NamedResource;
  auditTable: NamedResource;
  photoBucket: NamedResource;
  /** The processor, invoked by "reprocess" (asynchronously) and by redrive (synchronously). */
  processor: NamedResource;
  /** The processor's DLQ (its on-failure destination), which admins redrive. */
  deadLetterQueue: { url: string; arn: string };
  /**
   * Origins allowed to call the API cross-origin. Literal origins only (e.g. a local Vite dev
   * server): the deployed admin site reaches the API same-origin through its own distribution
   * (`/api/*`, see AdminSite), and naming the site's CloudFront domain here would make a
   * dependency cycle with the site's CSP. Empty: no CORS configuration at all.
   */
  corsAllowedOrigins: string[];
  /** Function and access log retention; defaults to the environment's. */
  logRetentionDays?: number;
  /** Lifetime of presigned image URLs; the function defaults to 300 s. */
  presignSeconds?: number;
  /** Origin serving shared/ for the Cognito `picture` attribute. */
  pictureBaseUrl?: string;
  /** Stage-wide throttling; defaults to 20 requests/s with bursts of 40 (a support team, not the public). */
  throttle?: { rateLimit: number; burstLimit: number };
  /** The quota's usage table (support reads usage, admins override limits); absent: no usage routes. */
  usageTable?: NamedResource;
  /**
   * The user directory (core's userTable) the users search reads; with it, a second function in
   * the same bundle (`index.syncDirectoryHandler`) re-syncs it from Cognito on a schedule.
   */
  userTable?: NamedResource;
  /** Minutes between directory re-syncs (the longest a sign-up waits to be searchable); default 5. */
  directorySyncMinutes?: number;
  /** Defaults to 512 MB and 15 s (API Gateway gives up on an integration after 30 s). */
  memoryMb?: number;
  timeoutSeconds?: number;
  architecture?: "arm64" | "x86_64";
}

const DEFAULT_THROTTLE = { rateLimit: 20, burstLimit: 40 };

/** One JSON line per request; the caller's `sub` (not email) keeps the log useful but lean on PII. */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  time: "$context.requestTime",
  ip: "$context.identity.sourceIp",
  method: "$context.httpMethod",
  path: "$context.path",
  status: "$context.status",
  latencyMs: "$context.responseLatency",
  responseLength: "$context.responseLength",
  sub: "$context.authorizer.claims.sub",
  authorizerError: "$context.authorizer.error",
  integrationError: "$context.integrationErrorMessage",
});

/**
 * The admin API: an HTTP API whose every route needs a token from the admin app client
 * (API Gateway verifies it; the function checks the support/admins groups), one Lambda proxy
 * integration behind the `$default` route (the routes table lives in the function), access
 * logs, throttling, and a role that can do exactly what the routes need.
 */
export class AdminApi extends Construct {
  readonly api: Apigatewayv2Api;
  readonly authorizer: Apigatewayv2Authorizer;
  readonly stage: Apigatewayv2Stage;
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly rolePolicy: IamRolePolicy;
  readonly logGroup: CloudwatchLogGroup;
  readonly accessLogGroup: CloudwatchLogGroup;
  /** The user directory's scheduled re-sync, when there is a directory. */
  readonly directorySync?: { function: LambdaFunction; schedule: SchedulerSchedule };

  constructor(scope: Construct, id: string, options: AdminApiOptions) {
    super(scope, id);
    const { env } = options;
    const name = `${env.namePrefix}-admin-api`;
    const retentionInDays = options.logRetentionDays ?? env.logRetentionDays;

    for (const origin of options.corsAllowedOrigins) {
      if (Token.isUnresolved(origin)) {
        throw new Error(
          "AdminApi corsAllowedOrigins must be literal origins: a Terraform reference (such as the admin " +
            "site's CloudFront domain) makes a cycle with the site's CSP. The site calls the API same-origin.",
        );
      }
      if (!/^https?:\/\/[^/]+$/.test(origin)) {
        throw new Error(`AdminApi CORS origin "${origin}" must be a scheme and host, with no path`);
      }
    }

    // Created before the function, so retention applies from the start and the role needs
    // no logs:CreateLogGroup.
    this.logGroup = new CloudwatchLogGroup(this, "logs", { name: `/aws/lambda/${name}`, retentionInDays });
    this.accessLogGroup = new CloudwatchLogGroup(this, "access-logs", {
      name: `/aws/apigateway/${name}`,
      retentionInDays,
    });

    this.role = new IamRole(this, "role", {
      name: `${name}-role`,
      assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com"),
    });
    this.rolePolicy = new IamRolePolicy(this, "role-policy", {
      name: "least-privilege",
      role: this.role.id,
      policy: policyJson(
        adminApiStatements({
          userPoolArn: options.userPool.arn,
          photoTableArn: options.photoTable.arn,
          auditTableArn: options.auditTable.arn,
          bucketArn: options.photoBucket.arn,
          processorArn: options.processor.arn,
          deadLetterQueueArn: options.deadLetterQueue.arn,
          logGroupArn: this.logGroup.arn,
          ...(options.usageTable ? { usageTableArn: options.usageTable.arn } : {}),
          ...(options.userTable ? { userTableArn: options.userTable.arn } : {}),
        }),
      ),
    });

    const code = functionCode(this, "code", options.bundleDir);
    const environment = {
      variables: {
        ...adminApiEnvironment({
          photoTable: options.photoTable.name,
          auditTable: options.auditTable.name,
          bucket: options.photoBucket.name,
          userPoolId: options.userPool.id,
          processorFunction: options.processor.name,
          deadLetterQueueUrl: options.deadLetterQueue.url,
          presignSeconds: options.presignSeconds,
          pictureBaseUrl: options.pictureBaseUrl,
          userTable: options.userTable?.name,
        }),
        ...operationsEnvironment({
          environment: options.env.name,
          ...(options.usageTable
            ? { quota: { usageTable: options.usageTable.name, limits: options.env.quota } }
            : {}),
        }),
      },
    };
    this.function = new LambdaFunction(this, "function", {
      functionName: name,
      description: "photogate admin API (support and admins)",
      role: this.role.arn,
      runtime: lambdaRuntime(this, name, REGIONAL_RUNTIME),
      handler: "index.handler",
      architectures: [options.architecture ?? "arm64"],
      memorySize: options.memoryMb ?? 512,
      timeout: options.timeoutSeconds ?? 15,
      filename: code.path,
      // An update trigger: the bundle directory's content hash changes exactly when the code does.
      sourceCodeHash: code.assetHash,
      environment,
      dependsOn: [this.logGroup, this.rolePolicy],
    });
    if (options.userTable) {
      this.directorySync = this.directorySyncOf(name, code, environment, options);
    }

    const cors = options.corsAllowedOrigins;
    this.api = new Apigatewayv2Api(this, "api", {
      name,
      protocolType: "HTTP",
      description: "photogate admin API",
      ...(cors.length === 0
        ? {}
        : {
            corsConfiguration: {
              allowOrigins: [...cors],
              allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
              allowHeaders: ["authorization", "content-type"],
              // Bearer tokens, not cookies: the browser never needs to send credentials.
              allowCredentials: false,
              maxAge: 600,
            },
          }),
    });

    this.authorizer = new Apigatewayv2Authorizer(this, "authorizer", {
      apiId: this.api.id,
      name: "admin-client-jwt",
      authorizerType: "JWT",
      identitySources: ["$request.header.Authorization"],
      jwtConfiguration: {
        issuer: cognitoIssuer(env.region, options.userPool.id),
        // Matched against `aud` (ID tokens) or `client_id` (access tokens): admin client only,
        // so an upload-app token is refused before the function runs.
        audience: [options.adminClientId],
      },
    });

    const integration = new Apigatewayv2Integration(this, "integration", {
      apiId: this.api.id,
      integrationType: "AWS_PROXY",
      integrationMethod: "POST",
      integrationUri: this.function.invokeArn,
      payloadFormatVersion: "2.0",
    });

    // One catch-all route: the function's routes table decides paths and methods, and there is
    // no route API Gateway would forward without a verified token.
    new Apigatewayv2Route(this, "default-route", {
      apiId: this.api.id,
      routeKey: "$default",
      target: `integrations/${integration.id}`,
      authorizationType: "JWT",
      authorizerId: this.authorizer.id,
    });

    if (options.uploadClientId) {
      const userAuthorizer = new Apigatewayv2Authorizer(this, "user-authorizer", {
        apiId: this.api.id,
        name: "upload-client-jwt",
        authorizerType: "JWT",
        identitySources: ["$request.header.Authorization"],
        jwtConfiguration: {
          issuer: cognitoIssuer(env.region, options.userPool.id),
          audience: [options.uploadClientId],
        },
      });
      // The user-facing routes (choose a picture, report a photo): a more specific route key
      // wins over $default, so only these paths and methods take user tokens.
      for (const route of USER_ROUTES) {
        // The profile-picture route keeps the id it was first deployed under.
        const id =
          route === PROFILE_PICTURE_ROUTE ? "profile-picture-route" : `user-route-${route.path.slice(1)}`;
        new Apigatewayv2Route(this, id, {
          apiId: this.api.id,
          routeKey: route.routeKey,
          target: `integrations/${integration.id}`,
          authorizationType: "JWT",
          authorizerId: userAuthorizer.id,
        });
      }
    }

    const throttle = options.throttle ?? DEFAULT_THROTTLE;
    this.stage = new Apigatewayv2Stage(this, "stage", {
      apiId: this.api.id,
      name: "$default",
      autoDeploy: true,
      accessLogSettings: { destinationArn: this.accessLogGroup.arn, format: ACCESS_LOG_FORMAT },
      defaultRouteSettings: {
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
      },
    });

    new LambdaPermission(this, "invoke-permission", {
      statementId: "AllowAdminApiInvoke",
      action: "lambda:InvokeFunction",
      functionName: this.function.functionName,
      principal: "apigateway.amazonaws.com",
      // This API only (any stage and route): another API in the account cannot invoke it.
      sourceArn: `${this.api.executionArn}/*`,
    });
  }

  /** `https://{api-id}.execute-api.{region}.amazonaws.com` (the `$default` stage has no path). */
  get apiEndpoint(): string {
    return this.api.apiEndpoint;
  }

  get apiId(): string {
    return this.api.id;
  }

  get functionName(): string {
    return this.function.functionName;
  }

  get roleArn(): string {
    return this.role.arn;
  }

  /**
   * The directory re-sync: the admin API's own zip and role with another `handler` (no second
   * bundle to build), logging to the API's log group, invoked by EventBridge Scheduler.
   */
  private directorySyncOf(
    name: string,
    code: TerraformAsset,
    environment: { variables: Record<string, string> },
    options: AdminApiOptions,
  ): { function: LambdaFunction; schedule: SchedulerSchedule } {
    const minutes = options.directorySyncMinutes ?? 5;
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
      throw new Error(`AdminApi directorySyncMinutes must be a whole number from 1 to 1440, not ${minutes}`);
    }
    const syncFunction = new LambdaFunction(this, "directory-sync", {
      functionName: `${name}-directory-sync`,
      description: "photogate user directory: re-sync from the user pool",
      role: this.role.arn,
      runtime: lambdaRuntime(this, `${name}-directory-sync`, REGIONAL_RUNTIME),
      handler: "index.syncDirectoryHandler",
      architectures: [options.architecture ?? "arm64"],
      memorySize: options.memoryMb ?? 512,
      // ListUsers pages of 60: a large pool takes a while, far below this.
      timeout: 300,
      filename: code.path,
      sourceCodeHash: code.assetHash,
      environment,
      // The API's log group, which the role may already write: no second logs grant.
      loggingConfig: { logFormat: "Text", logGroup: this.logGroup.name },
      dependsOn: [this.logGroup, this.rolePolicy],
    });
    const { schedule } = scheduleFunction(this, {
      ids: {
        role: "directory-sync-schedule-role",
        policy: "directory-sync-schedule-policy",
        schedule: "directory-sync-schedule",
      },
      scheduleName: `${name}-directory-sync`,
      roleName: `${name}-directory-sync-schedule`,
      policyName: "invoke-directory-sync",
      sid: "InvokeDirectorySync",
      description: "Brings the user directory in step with the user pool (sign-ups, changes made elsewhere).",
      everyMinutes: minutes,
      functionArn: syncFunction.arn,
    });
    return { function: syncFunction, schedule };
  }
}
