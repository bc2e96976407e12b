import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Logger } from "@photogate/core";
import { type EnvironmentConfig, embeddedEnvironment, resourceNames } from "@photogate/core";
import type { S3Event } from "aws-lambda";
import {
  type ProvisionedUserPool,
  provisionUserPool,
  seedUsers,
  userPoolProviderName,
} from "./cognito/provision";
import { startUserPoolEmulator } from "./cognito/user-pool-emulator";
import { CredentialStore, type ServiceCredentials } from "./credentials";
import { ensureTables, startDynamoServer } from "./dynamodb";
import { startDynamoGateway } from "./dynamodb-gateway";
import { edgeOriginRole } from "./edge/origin-access";
import { createJsonAuthorizer, LOCAL_ACCOUNT_ID } from "./iam/json-authorizer";
import { identityPoolRoles, localFunctionRoles } from "./iam/local-roles";
import { startIdentityEndpoint } from "./identity/identity-endpoint";
import { nameBasedUuid } from "./ids";
import { type Progress, silentProgress } from "./progress";
import { startRekognitionEndpoint } from "./rekognition/endpoint";
import { createS3Notifications, type S3Notifications, startS3Gateway, startS3Server } from "./s3";
import { silentLogger } from "./s3/logger";

/** The ports the emulators publish; 0 picks a free one. */
export type EmulatorPort = "s3" | "s3Origin" | "dynamodb" | "cognitoIdp" | "cognitoIdentity" | "rekognition";

export interface EmulatorUserSpec {
  name: string;
  email: string;
  password: string;
  groups: readonly ("support" | "admins")[];
}

export interface EmulatorUser extends Omit<EmulatorUserSpec, "groups"> {
  sub: string;
  groups: ("support" | "admins")[];
}

export interface EmulatorsOptions {
  /** Objects, tables, users and the notification journal; survives restarts. */
  dataDir: string;
  env?: EnvironmentConfig;
  /** Default: a free port for each. */
  ports?: Partial<Record<EmulatorPort, number>>;
  /** Users to create in the pool (idempotent). Default: none. */
  users?: readonly EmulatorUserSpec[];
  /** The account administrator's key: creates the tables and the pool, and S3 lets it through. */
  serviceCredentials?: ServiceCredentials;
  /**
   * Receives the bucket's `uploads/` notifications, each journaled before its upload is answered.
   * Throwing makes it retry, as a failed Lambda invocation does. Default: accepted and dropped.
   */
  deliver?: (event: S3Event) => Promise<unknown>;
  progress?: Progress;
  /** Structured log lines per component (`s3`, `notifications`). Default: discarded. */
  logFor?: (component: string) => Logger;
}

/** Keys of a role the stacks synthesize, held to that role's statements. */
export type RoleKeys = ServiceCredentials;

export interface Emulators {
  region: string;
  names: ReturnType<typeof resourceNames>;
  urls: {
    /** The S3 gateway (SigV4 + IAM) that clients use; closes first on stop. */
    s3: string;
    /** A second gateway for the functions, open until `stop()` so deliveries can drain. */
    s3Service: string;
    dynamodb: string;
    cognitoIdp: string;
    cognitoIdentity: string;
    rekognition: string;
  };
  pool: ProvisionedUserPool;
  providerName: string;
  identityPoolId: string;
  users: EmulatorUser[];
  credentials: CredentialStore;
  serviceCredentials: ServiceCredentials;
  /** Each function's and CloudFront's keys, held to the statements the stacks give them. */
  roles: { processor: RoleKeys; adminApi: RoleKeys; edgeOrigin: RoleKeys };
  notifications: S3Notifications;
  /** Closes the public S3 gateway: nothing new is accepted, deliveries go on. */
  closeFrontDoor(): Promise<void>;
  /** Stops every emulator (call `notifications.drain()` first to finish deliveries). */
  stop(): Promise<void>;
}

/** The key the emulators' administrator signs with unless another is given. */
export const EMULATOR_SERVICE_CREDENTIALS: ServiceCredentials = {
  accessKeyId: "PHOTOGATELOCAL",
  secretAccessKey: "photogate-local-service-secret",
};

/**
 * Starts every AWS emulator photogate uses, configured from the same environment config the
 * stacks synthesize from: S3 (s3rver behind SigV4/IAM gateways) with bucket notifications,
 * DynamoDB with the photo and audit tables, the user pool with its groups, clients and users,
 * the identity pool, and Rekognition. Loopback only.
 */
export async function startEmulators(options: EmulatorsOptions): Promise<Emulators> {
  const env = options.env ?? embeddedEnvironment;
  const names = resourceNames(env);
  const { dataDir } = options;
  const host = "127.0.0.1";
  const ports = {
    s3: 0,
    s3Origin: 0,
    dynamodb: 0,
    cognitoIdp: 0,
    cognitoIdentity: 0,
    rekognition: 0,
    ...options.ports,
  };
  const progress = options.progress ?? silentProgress;
  const logFor = options.logFor ?? (() => silentLogger);
  const region = env.region;
  const service = options.serviceCredentials ?? EMULATOR_SERVICE_CREDENTIALS;
  const deliver = options.deliver ?? (async () => {});

  const frontDoors: (() => Promise<void>)[] = [];
  const stops: (() => Promise<void>)[] = [];
  const closeFrontDoor = async () => {
    for (const close of frontDoors.splice(0).reverse()) await close().catch(() => {});
  };
  const stop = async () => {
    await closeFrontDoor();
    for (const close of stops.splice(0).reverse()) await close().catch(() => {});
  };
  // Connected before any port that accepts uploads opens, so every accepted write is journaled.
  const notifications = createS3Notifications({
    region,
    dataDir,
    deliver,
    logger: logFor("notifications"),
  });

  try {
    await mkdir(dataDir, { recursive: true });
    const credentials = new CredentialStore(service);
    // SigV4 and IAM for the JSON services (DynamoDB, Rekognition): the roles' synthesized policies.
    const authorizer = createJsonAuthorizer({ sessionRoles: identityPoolRoles(env) });
    const [s3, dynamo, userPool, rekognition] = await Promise.all([
      progress.step("S3 (s3rver)", async () => {
        const server = await startS3Server({
          dataDir: join(dataDir, "s3"),
          port: ports.s3Origin,
          host,
          buckets: [{ name: names.bucket, cors: { allowedOrigins: env.uploadOrigins } }],
          // No direct keys: only the gateway (SigV4 + IAM) reaches s3rver.
          accessKeys: [],
          region,
          logger: logFor("s3"),
        });
        stops.push(() => server.close());
        const unsubscribe = notifications.connect(server.events);
        stops.push(async () => unsubscribe());
        return server;
      }),
      progress.step("DynamoDB (dynalite) and the photo and audit tables", async () => {
        // On a Unix socket in the data dir, dynalite has no port that would bypass the gateway.
        const socketPath = resolve(dataDir, "dynamodb.sock");
        const server = await startDynamoServer({
          dataDir: join(dataDir, "dynamodb"),
          ...(process.platform !== "win32" && socketPath.length <= 100 ? { socketPath } : { port: 0, host }),
        });
        stops.push(() => server.close());
        // dynalite checks no signature: only the gateway (SigV4 + IAM) is published.
        const gateway = await startDynamoGateway({
          upstreamUrl: server.url,
          ...(server.socketPath ? { upstreamSocket: server.socketPath } : {}),
          credentials,
          authorizer,
          region,
          accountId: LOCAL_ACCOUNT_ID,
          port: ports.dynamodb,
          host,
        });
        stops.push(() => gateway.close());
        const client = new DynamoDBClient({ endpoint: gateway.url, region, credentials: service });
        try {
          await ensureTables(client, env);
        } finally {
          client.destroy();
        }
        return gateway;
      }),
      progress.step("user pool (cognito-local), groups, clients and users", async () => {
        const emulator = await startUserPoolEmulator({
          dataDir: join(dataDir, "cognito"),
          port: ports.cognitoIdp,
          host,
          auth: { credentials, authorizer, region },
        });
        stops.push(() => emulator.close());
        const idp = new CognitoIdentityProviderClient({
          endpoint: emulator.url,
          region,
          credentials: service,
        });
        try {
          const pool = await provisionUserPool(idp, env);
          const users = options.users ?? [];
          const seeded = await seedUsers(idp, pool, users);
          const created: EmulatorUser[] = users.map((u, i) => ({
            name: u.name,
            email: u.email,
            password: u.password,
            sub: seeded[i]!.sub,
            groups: [...u.groups],
          }));
          return { url: emulator.url, pool, users: created };
        } finally {
          idp.destroy();
        }
      }),
      progress.step("Rekognition-compatible endpoint (loading the face and moderation models)", async () => {
        const endpoint = await startRekognitionEndpoint({
          port: ports.rekognition,
          host,
          auth: { credentials, authorizer, region },
        });
        stops.push(() => endpoint.close());
        return endpoint;
      }),
    ]);

    const { pool } = userPool;
    const functionRoles = localFunctionRoles(env, pool.userPoolId);
    credentials.addRole(functionRoles.processor);
    credentials.addRole(functionRoles.adminApi);
    const edgeRole = credentials.addRole(edgeOriginRole(env, LOCAL_ACCOUNT_ID));
    const providerName = userPoolProviderName(region, pool.userPoolId);
    const identityPoolId = `${region}:${nameBasedUuid(`${names.identityPool}/${pool.userPoolId}`)}`;

    const identity = await progress.step("identity-pool endpoint", async () => {
      const endpoint = await startIdentityEndpoint({
        port: ports.cognitoIdentity,
        host,
        region,
        identityPoolId,
        providers: {
          [providerName]: { issuer: pool.issuer, jwksUri: pool.jwksUri, clientIds: [pool.uploadClientId] },
        },
        credentials,
        allowGuests: env.publicSharing,
      });
      stops.push(() => endpoint.close());
      return endpoint;
    });

    const gatewayOptions = {
      upstreamUrl: s3.url,
      upstreamCredentials: s3.gatewayCredentials,
      host,
      credentials,
      bucketArns: [`arn:aws:s3:::${names.bucket}`],
      region,
      publicSharing: env.publicSharing,
      logger: logFor("s3"),
    };
    const gateway = await progress.step("S3 gateway (SigV4 + the identity-pool policy)", async () => {
      const started = await startS3Gateway({ ...gatewayOptions, port: ports.s3 });
      frontDoors.push(() => started.close());
      return started;
    });
    const serviceGateway = await startS3Gateway({ ...gatewayOptions, port: 0 });
    stops.push(() => serviceGateway.close());

    return {
      region,
      names,
      urls: {
        s3: gateway.url,
        s3Service: serviceGateway.url,
        dynamodb: dynamo.url,
        cognitoIdp: userPool.url,
        cognitoIdentity: identity.url,
        rekognition: rekognition.url,
      },
      pool,
      providerName,
      identityPoolId,
      users: userPool.users,
      credentials,
      serviceCredentials: { ...service },
      roles: {
        processor: keysOf(functionRoles.processor),
        adminApi: keysOf(functionRoles.adminApi),
        edgeOrigin: keysOf(edgeRole),
      },
      notifications,
      closeFrontDoor,
      stop,
    };
  } catch (error) {
    await notifications.drain(0);
    await stop();
    throw error;
  }
}

/** A role's access key pair, as an SDK client takes it. */
function keysOf(role: ServiceCredentials): RoleKeys {
  return { accessKeyId: role.accessKeyId, secretAccessKey: role.secretAccessKey };
}
