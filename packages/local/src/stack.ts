import { mkdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  claimLeaseSeconds,
  type EdgeConfigJson,
  type EnvironmentConfig,
  edgeConfigJson,
  environments,
  processorEnvironment,
  type ReconcileLimits,
  resourceNames,
} from "@photogate/core";
import { createViewerRequestHandler, parseEdgeConfig } from "@photogate/edge-auth";
import {
  createClients,
  createLogger,
  handleReprocessRequest,
  type Logger,
  loadConfig as loadProcessorConfig,
  type ProcessorDeps,
  processS3Event,
  type ReconcileReport,
  type UploadOutcome,
} from "@photogate/processor";
import type { S3Event } from "aws-lambda";
import { createLocalAdminDeps, startAdminApiServer } from "./admin-api";
import { ensureAdminBuild, startAdminSite } from "./admin-site";
import { provisionUserPool, seedUsers, userPoolProviderName } from "./cognito/provision";
import { startUserPoolEmulator } from "./cognito/user-pool-emulator";
import { CredentialStore, type ServiceCredentials } from "./credentials";
import { endDeadLeases } from "./dead-leases";
import { ensureTables, startDynamoServer } from "./dynamodb";
import { startDynamoGateway } from "./dynamodb-gateway";
import { startEdgeProxy } from "./edge/edge-proxy";
import { edgeOriginRole } from "./edge/origin-access";
import {
  DEFAULT_BASE_PORT,
  DEFAULT_DATA_DIR,
  ENDPOINTS_FILE,
  type LocalEndpoints,
  type LocalUser,
  type PortName,
  portsFrom,
  writeEndpoints,
} from "./endpoints";
import { createJsonAuthorizer, LOCAL_ACCOUNT_ID } from "./iam/json-authorizer";
import { identityPoolRoles, localFunctionRoles } from "./iam/local-roles";
import { startIdentityEndpoint } from "./identity/identity-endpoint";
import { nameBasedUuid } from "./ids";
import { type Progress, silentProgress } from "./progress";
import { startLocalReconciler } from "./reconciler";
import { startRekognitionEndpoint } from "./rekognition/endpoint";
import {
  createS3Notifications,
  type DrainReport,
  type S3Notifications,
  startS3Gateway,
  startS3Server,
} from "./s3";

export interface LocalStackOptions {
  /** Where emulator data and endpoints.json live; survives restarts. Default: `.photogate/`. */
  dataDir?: string;
  /** Delete dataDir first: a clean start. */
  reset?: boolean;
  /** Fixed ports (the dev runner's defaults: 4500 upwards); 0 picks a free one (tests). */
  ports?: Partial<Record<PortName, number>>;
  env?: EnvironmentConfig;
  /** Users to create (idempotent). Default: the demo user and the support user. */
  users?: readonly SeedUserSpec[];
  progress?: Progress;
  /** Structured log lines of the processor, S3 and notifications. Default: discarded. */
  log?: Logger;
  /**
   * Wraps each notification delivery (tests use it to deliver twice or to fail an attempt
   * midway). Throwing makes the notification retry, as a failed Lambda invocation does.
   */
  deliver?: (event: S3Event, processor: LocalProcessor) => Promise<unknown>;
  /** Browser origins the admin API answers CORS for (the admin app when served apart). */
  adminOrigins?: readonly string[];
  /** Serve the admin web app (building it first if its sources changed). Default: off. */
  adminApp?: boolean;
  /** How long `stop()` keeps delivering notifications before leaving them for the next start. */
  drainTimeoutMs?: number;
}

/** The real processor with the local stack's clients. */
export interface LocalProcessor {
  /** Runs the processor on one event; `overrides` replaces some of its dependencies for this call. */
  process(event: S3Event, overrides?: Partial<ProcessorDeps>): Promise<UploadOutcome[]>;
}

export interface SeedUserSpec {
  name: string;
  email: string;
  password: string;
  groups: readonly ("support" | "admins")[];
}

/** The seeded accounts `pnpm dev` prints. Local only: these passwords protect nothing real. */
export const DEFAULT_USERS: readonly SeedUserSpec[] = [
  { name: "demo", email: "demo@photogate.local", password: "Demo-photogate-1", groups: [] },
  { name: "support", email: "support@photogate.local", password: "Support-photogate-1", groups: ["support"] },
  { name: "admin", email: "admin@photogate.local", password: "Admin-photogate-1", groups: ["admins"] },
];

/** The local stack's own services sign with these; the S3 gateway lets them through. */
export const SERVICE_CREDENTIALS: ServiceCredentials = {
  accessKeyId: "PHOTOGATELOCAL",
  secretAccessKey: "photogate-local-service-secret",
};

export interface LocalStack {
  endpoints: LocalEndpoints;
  /** Resolves once every upload notification so far has been processed (or dead-lettered). */
  notifications: S3Notifications;
  credentials: CredentialStore;
  processor: LocalProcessor;
  /** Resolves when every reprocess the admin API started so far has finished. */
  adminIdle(): Promise<void>;
  /** Notifications an earlier run left undelivered, queued again at start. */
  redelivered: number;
  /**
   * Runs the reconciler now (it also runs at start-up and every minute): uploads with no final
   * record and expired processing leases are processed again.
   */
  reconcile(limits?: Partial<ReconcileLimits>): Promise<ReconcileReport>;
  /**
   * Closes the front doors (edge, S3 gateway, admin API and site), delivers notifications for up
   * to `drainTimeoutMs`, leaves the rest in the journal, then stops the emulators; safe to call twice.
   */
  stop(): Promise<DrainReport>;
}

const silentLog: Logger = createLogger(() => {});

/**
 * Starts all of photogate on this machine: S3 (s3rver behind an AWS-style gateway), DynamoDB
 * (dynalite), the user pool (cognito-local), the identity-pool and Rekognition endpoints, the
 * edge proxy running the real edge handler, and the real processor fed by bucket notifications.
 * Names and settings come from the same environment config the stacks synthesize from.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const env = options.env ?? environments.local;
  const names = resourceNames(env);
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  // Loopback only: the emulators do not authenticate, and the edge and S3 gateway are for this machine.
  const host = "127.0.0.1";
  const ports = { ...portsFrom(DEFAULT_BASE_PORT), ...options.ports };
  const progress = options.progress ?? silentProgress;
  const log = options.log ?? silentLog;
  const region = env.region;
  const service = SERVICE_CREDENTIALS;
  const startedAt = Date.now();

  // Stop order: nothing new accepted, then in-flight deliveries drained, then the emulators.
  const frontDoors: (() => Promise<void>)[] = [];
  const stops: (() => Promise<void>)[] = [];
  let processorReady: (processor: LocalProcessor | Error) => void = () => {};
  const processorPromise = new Promise<LocalProcessor | Error>((resolve) => {
    processorReady = resolve;
  });
  const deliver =
    options.deliver ?? ((event: S3Event, processor: LocalProcessor) => processor.process(event));
  // Connected before any port that accepts uploads opens, so every accepted write is journaled.
  const notifications = createS3Notifications({
    region,
    dataDir,
    deliver: async (event) => {
      const processor = await processorPromise;
      if (processor instanceof Error) throw processor;
      return deliver(event, processor);
    },
    logger: log.child({ component: "notifications" }),
  });
  let stopping: Promise<DrainReport> | undefined;
  const stopWithin = (drainTimeoutMs: number) => {
    stopping ??= (async () => {
      for (const close of frontDoors.splice(0).reverse()) await close().catch(() => {});
      processorReady(new Error("the local stack stopped before its processor started"));
      const report = await notifications.drain(drainTimeoutMs);
      for (const close of stops.splice(0).reverse()) await close().catch(() => {});
      return report;
    })();
    return stopping;
  };
  const stop = () => stopWithin(options.drainTimeoutMs ?? 10_000);

  try {
    if (options.reset)
      await progress.step(`removing ${dataDir}`, () => rm(dataDir, { recursive: true, force: true }));
    await mkdir(dataDir, { recursive: true });
    // Last to go on stop: scripts then see at once that nothing is running.
    stops.push(() => rm(join(dataDir, ENDPOINTS_FILE), { force: true }));

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
          logger: log.child({ component: "s3" }),
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
          const users = options.users ?? DEFAULT_USERS;
          const seeded = await seedUsers(idp, pool, users);
          const localUsers: LocalUser[] = users.map((u, i) => ({
            name: u.name,
            email: u.email,
            password: u.password,
            sub: seeded[i]!.sub,
            groups: [...u.groups],
          }));
          return { url: emulator.url, pool, users: localUsers };
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
    // Each function signs with its own role's keys, held to the statements the stacks give it.
    const roles = localFunctionRoles(env, pool.userPoolId);
    credentials.addRole(roles.processor);
    credentials.addRole(roles.adminApi);
    const edgeRole = credentials.addRole(edgeOriginRole(env, LOCAL_ACCOUNT_ID));
    const processorKeys = keysOf(roles.processor);
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
      logger: log,
    };
    const gateway = await progress.step("S3 gateway (SigV4 + the identity-pool policy)", async () => {
      const started = await startS3Gateway({ ...gatewayOptions, port: ports.s3 });
      frontDoors.push(() => started.close());
      return started;
    });
    // The processor's own way in, still open while deliveries drain after the public doors closed.
    const serviceGateway = await startS3Gateway({ ...gatewayOptions, port: 0 });
    stops.push(() => serviceGateway.close());

    const edge = await progress.step("edge proxy (the real Lambda@Edge handler)", async () => {
      // Baked once at start, as the deployed function's config.json is at deploy time.
      // Checked by parseEdgeConfig below, as the edge checks the JWKS Terraform baked.
      const jwks = (await (await fetch(pool.jwksUri)).json()) as EdgeConfigJson["jwks"];
      const config = parseEdgeConfig(
        edgeConfigJson({
          region,
          userPoolId: pool.userPoolId,
          // The emulator's loopback issuer, where AWS has Cognito's.
          issuer: pool.issuer,
          clientIds: [pool.uploadClientId],
          jwks,
          maxUploadBytes: env.processing.maxUploadBytes,
          publicSharing: env.publicSharing,
        }),
      );
      const proxy = await startEdgeProxy({
        port: ports.edge,
        host,
        viewerRequest: createViewerRequestHandler(config),
        // Origin access as CloudFront's OAC has it: the bucket policy's statements, no more.
        origin: { url: gateway.url, bucket: names.bucket, region, credentials: keysOf(edgeRole) },
      });
      frontDoors.push(() => proxy.close());
      return proxy;
    });

    const processorLog = log.child({ component: "processor" });
    const processorDeps = {
      ...createClients({
        forcePathStyle: true,
        s3: {
          endpoint: serviceGateway.url,
          region,
          credentials: service,
          requestChecksumCalculation: "WHEN_REQUIRED",
          responseChecksumValidation: "WHEN_REQUIRED",
        },
        dynamo: { endpoint: dynamo.url, region, credentials: processorKeys },
        rekognition: { endpoint: rekognition.url, region, credentials: processorKeys },
        // Sets `picture` for approved profile-picture uploads, with the processor role's keys.
        cognito: { endpoint: userPool.url, region, credentials: processorKeys },
      }),
      // The variables PhotoProcessing sets on AWS, read by the processor's own loader.
      config: loadProcessorConfig({
        ...processorEnvironment({
          photoTable: names.photoTable,
          processing: env.processing,
          bucket: names.bucket,
          // The notifier's first delivery and its retries, like Lambda's asynchronous invocations.
          maxAttempts: 3,
          leaseSeconds: claimLeaseSeconds(env.processor),
          userPoolId: pool.userPoolId,
          pictureBaseUrl: edge.url,
        }),
        AWS_ENDPOINT_URL_S3: serviceGateway.url,
      }),
      log: processorLog,
    };
    stops.push(async () => {
      processorDeps.s3.destroy();
      processorDeps.dynamo.destroy();
      processorDeps.rekognition.destroy();
      processorDeps.cognito.destroy();
    });

    const processor: LocalProcessor = {
      process: (event, overrides) => processS3Event(event, { ...processorDeps, ...overrides }),
    };
    const redelivered = await notifications.redeliverPending((events) =>
      endDeadLeases(processorDeps.dynamo, names.photoTable, events, processorLog),
    );
    processorReady(processor);
    const reconciler = startLocalReconciler({
      deps: processorDeps,
      notificationsIdle: () => notifications.idle(),
      startedAt,
      log: log.child({ component: "reconciler" }),
    });
    stops.push(() => reconciler.stop());

    const adminDeps = createLocalAdminDeps({
      region,
      urls: { cognitoIdp: userPool.url, dynamodb: dynamo.url, s3: gateway.url },
      credentials: service,
      roleCredentials: keysOf(roles.adminApi),
      names: {
        photoTable: names.photoTable,
        auditTable: names.auditTable,
        bucket: names.bucket,
        userPoolId: pool.userPoolId,
      },
      // On AWS the admin API invokes the processor function asynchronously; here it calls it.
      reprocess: (request) => handleReprocessRequest(request, processorDeps),
      // Replays go the way S3's notifications go, through the same delivery.
      deadLetterFile: notifications.deadLetterFile,
      replayDeadLetter: (payload) => deliver(payload as S3Event, processor),
      pictureBaseUrl: edge.url,
      log: log.child({ component: "admin-api" }),
    });
    const adminApi = await progress.step("admin API (API Gateway + JWT authorizer stand-in)", async () => {
      const server = await startAdminApiServer({
        port: ports.adminApi,
        host,
        region,
        userPool: {
          issuer: pool.issuer,
          jwksUri: pool.jwksUri,
          adminClientId: pool.adminClientId,
          uploadClientId: pool.uploadClientId,
        },
        deps: adminDeps,
        allowedOrigins: options.adminOrigins ?? [],
      });
      frontDoors.push(async () => {
        await server.close();
        await adminDeps.idle();
      });
      stops.push(async () => adminDeps.destroy());
      return server;
    });

    const adminApp = options.adminApp
      ? await (async () => {
          const { distDir } = await ensureAdminBuild({ progress });
          return progress.step("admin app", async () => {
            const site = await startAdminSite({
              port: ports.admin,
              host,
              distDir,
              // Same-origin /api, as the AdminSite distribution serves it on AWS.
              apiUpstream: adminApi.url,
              config: {
                region,
                userPoolId: pool.userPoolId,
                userPoolClientId: pool.adminClientId,
                userPoolEndpoint: userPool.url,
                authFlow: "USER_PASSWORD_AUTH",
              },
              imageOrigins: [gateway.url],
            });
            frontDoors.push(() => site.close());
            return site;
          });
        })()
      : undefined;

    const endpoints: LocalEndpoints = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      region,
      urls: {
        edge: edge.url,
        s3: gateway.url,
        dynamodb: dynamo.url,
        cognitoIdp: userPool.url,
        cognitoIdentity: identity.url,
        rekognition: rekognition.url,
        adminApi: adminApi.url,
        ...(adminApp ? { admin: adminApp.url } : {}),
      },
      bucket: names.bucket,
      photoTable: names.photoTable,
      auditTable: names.auditTable,
      userPool: {
        id: pool.userPoolId,
        issuer: pool.issuer,
        providerName,
        uploadClientId: pool.uploadClientId,
        adminClientId: pool.adminClientId,
      },
      identityPoolId,
      serviceCredentials: { ...service },
      users: userPool.users,
    };
    await writeEndpoints(dataDir, endpoints);

    return {
      endpoints,
      notifications,
      credentials,
      processor,
      adminIdle: () => adminDeps.idle(),
      reconcile: (limits) => reconciler.run(limits),
      redelivered,
      stop,
    };
  } catch (error) {
    await stopWithin(0);
    throw error;
  }
}

/** A role's access key pair, as an SDK client takes it. */
function keysOf(role: ServiceCredentials): ServiceCredentials {
  return { accessKeyId: role.accessKeyId, secretAccessKey: role.secretAccessKey };
}
