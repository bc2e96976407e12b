import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import {
  type EnvironmentConfig,
  embeddedEnvironment,
  environments,
  resourceNames,
  UPLOAD_CONTENT_TYPES,
} from "@photogate/core";
import { createViewerRequestHandler, parseEdgeConfig } from "@photogate/edge-auth";
import { startEdgeProxy } from "../../src/edge/edge-proxy";
import { startEmulators } from "../../src/emulators";

/**
 * Where the conformance suite runs. The same case files run against each target; a target may
 * only lack a feature (a documented skip), never answer differently.
 *
 * - embedded (default): the emulators, started here on free ports with their own data dir, and
 *   the edge proxy running the real edge handler in front of them (CloudFront's part).
 * - LocalStack: `LOCALSTACK_URL=http://localhost:4566`, with the stacks deployed there
 *   (localstack/README.md). Its free edition has no Cognito (user or identity pools), no
 *   Rekognition and no IAM enforcement: those cases are skipped.
 * - AWS: `PHOTOGATE_CONFORMANCE_AWS=1` with credentials in the environment (the default chain,
 *   an account administrator), `AWS_REGION`, and the deployed stack's ids in
 *   `PHOTOGATE_USER_POOL_ID`, `PHOTOGATE_UPLOAD_CLIENT_ID`, `PHOTOGATE_IDENTITY_POOL_ID`
 *   (`terraform output`); `PHOTOGATE_ENV` names the environment (default `dev`).
 */
export type Feature = "cognito-idp" | "cognito-identity" | "rekognition" | "iam-enforcement";

/** Static AWS keys, as the SDK clients take them. */
export interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface ConformanceTarget {
  name: "embedded" | "localstack" | "aws";
  region: string;
  /** Endpoint overrides; undefined means the service's AWS endpoint. */
  endpoints: Partial<Record<"dynamodb" | "cognitoIdp" | "cognitoIdentity" | "rekognition" | "s3", string>>;
  /** The photo bucket. */
  bucket: string;
  /** The upload distribution (CloudFront, or the local edge proxy); undefined skips the edge cases. */
  edgeUrl: string | undefined;
  /** The account administrator (who deploys): full access. */
  adminCredentials: Keys | undefined;
  userPoolId: string;
  uploadClientId: string;
  identityPoolId: string;
  photoTable: string;
  auditTable: string;
  /** Why the target lacks a feature (the case is skipped), or undefined when it has it. */
  lacks(feature: Feature): string | undefined;
  stop(): Promise<void>;
}

export interface TestUser {
  email: string;
  password: string;
}

export async function startTarget(): Promise<ConformanceTarget> {
  if (process.env.PHOTOGATE_CONFORMANCE_AWS === "1") return awsTarget();
  if (process.env.LOCALSTACK_URL) return localStackTarget(process.env.LOCALSTACK_URL);
  return embeddedTarget();
}

async function embeddedTarget(): Promise<ConformanceTarget> {
  const dataDir = await mkdtemp(join(tmpdir(), "photogate-conformance-"));
  const env = embeddedEnvironment;
  const emulators = await startEmulators({ dataDir, env });
  const { urls, pool, region, names } = emulators;
  const edgeConfig = parseEdgeConfig({
    region,
    userPoolId: pool.userPoolId,
    issuer: pool.issuer,
    clientIds: [pool.uploadClientId],
    tokenUse: "access",
    jwks: await (await fetch(pool.jwksUri)).json(),
    maxUploadBytes: env.processing.maxUploadBytes,
    allowedContentTypes: [...UPLOAD_CONTENT_TYPES],
    publicSharing: env.publicSharing,
  });
  const edge = await startEdgeProxy({
    viewerRequest: createViewerRequestHandler(edgeConfig),
    origin: { url: urls.s3, bucket: names.bucket, region, credentials: emulators.roles.edgeOrigin },
  });
  return {
    name: "embedded",
    region,
    endpoints: {
      dynamodb: urls.dynamodb,
      cognitoIdp: urls.cognitoIdp,
      cognitoIdentity: urls.cognitoIdentity,
      rekognition: urls.rekognition,
      s3: urls.s3,
    },
    bucket: names.bucket,
    edgeUrl: edge.url,
    adminCredentials: { ...emulators.serviceCredentials },
    userPoolId: pool.userPoolId,
    uploadClientId: pool.uploadClientId,
    identityPoolId: emulators.identityPoolId,
    photoTable: names.photoTable,
    auditTable: names.auditTable,
    lacks: () => undefined,
    stop: async () => {
      await edge.close();
      await emulators.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function deployedEnv(): EnvironmentConfig {
  const name = (process.env.PHOTOGATE_ENV ?? "dev") as keyof typeof environments;
  const env = environments[name];
  if (!env) throw new Error(`PHOTOGATE_ENV=${name} is not one of ${Object.keys(environments).join(", ")}`);
  return env;
}

const FREE = "LocalStack's free edition has no ";
const LOCALSTACK_LACKS: Record<Feature, string> = {
  "cognito-idp": `${FREE}Cognito user pools (https://docs.localstack.cloud/references/coverage/coverage_cognito-idp/)`,
  "cognito-identity": `${FREE}Cognito identity pools (https://docs.localstack.cloud/aws/services/cognito-idp/)`,
  rekognition: `${FREE}Rekognition (https://docs.localstack.cloud/references/coverage/)`,
  "iam-enforcement": `${FREE}IAM enforcement (https://docs.localstack.cloud/aws/capabilities/security-testing/iam-policy-enforcement/)`,
};

/** Which target the environment selects and what it lacks, known before it starts (for skips). */
export function plannedTarget(): Pick<ConformanceTarget, "name" | "lacks"> {
  if (process.env.PHOTOGATE_CONFORMANCE_AWS === "1") return { name: "aws", lacks: () => undefined };
  if (process.env.LOCALSTACK_URL)
    return { name: "localstack", lacks: (feature) => LOCALSTACK_LACKS[feature] };
  return { name: "embedded", lacks: () => undefined };
}

function localStackTarget(url: string): ConformanceTarget {
  const names = resourceNames(embeddedEnvironment);
  return {
    name: "localstack",
    region: process.env.AWS_REGION ?? embeddedEnvironment.region,
    endpoints: { dynamodb: url, cognitoIdp: url, cognitoIdentity: url, rekognition: url, s3: url },
    bucket: names.bucket,
    edgeUrl: process.env.PHOTOGATE_EDGE_URL,
    adminCredentials: { accessKeyId: "test", secretAccessKey: "test" },
    userPoolId: process.env.PHOTOGATE_USER_POOL_ID ?? "",
    uploadClientId: process.env.PHOTOGATE_UPLOAD_CLIENT_ID ?? "",
    identityPoolId: process.env.PHOTOGATE_IDENTITY_POOL_ID ?? "",
    photoTable: names.photoTable,
    auditTable: names.auditTable,
    lacks: (feature) => LOCALSTACK_LACKS[feature],
    stop: async () => {},
  };
}

function awsTarget(): ConformanceTarget {
  const env = deployedEnv();
  const names = resourceNames(env);
  const required = (name: string) => {
    const value = process.env[name];
    if (!value)
      throw new Error(`PHOTOGATE_CONFORMANCE_AWS=1 needs ${name} (terraform output of the deployed stack)`);
    return value;
  };
  return {
    name: "aws",
    region: process.env.AWS_REGION ?? env.region,
    endpoints: {},
    bucket: names.bucket,
    edgeUrl: process.env.PHOTOGATE_EDGE_URL,
    adminCredentials: undefined,
    userPoolId: required("PHOTOGATE_USER_POOL_ID"),
    uploadClientId: required("PHOTOGATE_UPLOAD_CLIENT_ID"),
    identityPoolId: required("PHOTOGATE_IDENTITY_POOL_ID"),
    photoTable: names.photoTable,
    auditTable: names.auditTable,
    lacks: () => undefined,
    stop: async () => {},
  };
}

/** An SDK client config for one service of the target, signed by `credentials` (default: the administrator). */
export function clientConfig(
  target: ConformanceTarget,
  service: keyof ConformanceTarget["endpoints"],
  credentials: ConformanceTarget["adminCredentials"] = target.adminCredentials,
) {
  const endpoint = target.endpoints[service];
  return {
    region: target.region,
    maxAttempts: 1,
    ...(endpoint ? { endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  };
}

/** The URL a raw request to the service goes to. */
export function serviceUrl(target: ConformanceTarget, service: keyof ConformanceTarget["endpoints"]): string {
  const host = {
    dynamodb: "dynamodb",
    cognitoIdp: "cognito-idp",
    cognitoIdentity: "cognito-identity",
    rekognition: "rekognition",
    s3: "s3",
  };
  return target.endpoints[service] ?? `https://${host[service]}.${target.region}.amazonaws.com`;
}

/**
 * Creates a confirmed user with a permanent password, as an administrator would
 * (AdminCreateUser without a message, then AdminSetUserPassword); `remove` deletes it.
 */
export async function createTestUser(
  target: ConformanceTarget,
): Promise<TestUser & { remove(): Promise<void> }> {
  const idp = new CognitoIdentityProviderClient(clientConfig(target, "cognitoIdp"));
  const email = `conformance-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const password = `Conformance-${Math.random().toString(36).slice(2, 10)}-1!`;
  await idp.send(
    new AdminCreateUserCommand({
      UserPoolId: target.userPoolId,
      Username: email,
      MessageAction: "SUPPRESS",
      UserAttributes: [
        { Name: "email", Value: email },
        { Name: "email_verified", Value: "true" },
      ],
    }),
  );
  await idp.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: target.userPoolId,
      Username: email,
      Password: password,
      Permanent: true,
    }),
  );
  return {
    email,
    password,
    remove: async () => {
      await idp
        .send(new AdminDeleteUserCommand({ UserPoolId: target.userPoolId, Username: email }))
        .catch(() => {});
      idp.destroy();
    },
  };
}
