import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { DirectorySyncResult } from "@photogate/admin-api";
import { createLocalAdminDeps, startAdminApiServer } from "@photogate/admin-api/local";
import {
  claimLeaseSeconds,
  type EdgeConfigJson,
  type EnvironmentConfig,
  edgeConfigJson,
  embeddedEnvironment,
  processorEnvironment,
  type QuotaConfig,
  type ReconcileLimits,
  resourceNames,
} from "@photogate/core";
import { createViewerRequestHandler, parseEdgeConfig } from "@photogate/edge-auth";
import {
  type CredentialStore,
  type DrainReport,
  EMULATOR_SERVICE_CREDENTIALS,
  type EmulatorUserSpec,
  type Progress,
  type S3Notifications,
  type ServiceCredentials,
  silentProgress,
  startEdgeProxy,
  startEmulators,
} from "@photogate/local-emulators";
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
import { startAdminSite } from "./admin-site/server";
import { endDeadLeases } from "./dead-leases";
import { startLocalDirectorySync } from "./directory-sync";
import {
  DEFAULT_BASE_PORT,
  DEFAULT_DATA_DIR,
  type DevStackEndpoints,
  ENDPOINTS_FILE,
  type PortName,
  portsFrom,
  writeEndpoints,
} from "./endpoints";
import { createAlarmWatch, createFileMetrics, METRICS_FILE, observedLogger } from "./operations";
import { startLocalReconciler } from "./reconciler";
import { deadLetterFile } from "./redrive/dead-letter-file";

export interface DevStackOptions {
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
  deliver?: (event: S3Event, processor: DevStackProcessor) => Promise<unknown>;
  /** Browser origins the admin API answers CORS for (the admin app when served apart). */
  adminOrigins?: readonly string[];
  /** Serve a built admin web app from `distDir` (`@photogate/admin`'s ensureAdminBuild makes one). Default: off. */
  adminSite?: { distDir: string };
  /** How long `stop()` keeps delivering notifications before leaving them for the next start. */
  drainTimeoutMs?: number;
  /** Upload limits instead of the environment's `quota` (demos: `pnpm dev --daily-uploads 3`). */
  quota?: QuotaConfig;
  /**
   * Told one line (`alarm  {name}  {what}`) when an alarm of the deployed stack would fire:
   * dead letters, processor errors, quota refusals, reconciler findings; once per minute each.
   */
  alarm?: (line: string) => void;
}

/** The real processor with the local stack's clients. */
export interface DevStackProcessor {
  /** Runs the processor on one event; `overrides` replaces some of its dependencies for this call. */
  process(event: S3Event, overrides?: Partial<ProcessorDeps>): Promise<UploadOutcome[]>;
}

export type SeedUserSpec = EmulatorUserSpec;

/** The seeded accounts `pnpm dev` prints. Local only: these passwords protect nothing real. */
export const DEFAULT_USERS: readonly SeedUserSpec[] = [
  { name: "demo", email: "demo@photogate.local", password: "Demo-photogate-1", groups: [] },
  { name: "support", email: "support@photogate.local", password: "Support-photogate-1", groups: ["support"] },
  { name: "admin", email: "admin@photogate.local", password: "Admin-photogate-1", groups: ["admins"] },
];

/** The local stack's own services sign with these; the S3 gateway lets them through. */
export const SERVICE_CREDENTIALS: ServiceCredentials = EMULATOR_SERVICE_CREDENTIALS;

export interface DevStack {
  endpoints: DevStackEndpoints;
  /** Resolves once every upload notification so far has been processed (or dead-lettered). */
  notifications: S3Notifications;
  credentials: CredentialStore;
  processor: DevStackProcessor;
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
   * Re-syncs the admin users search's directory from the user pool now (it also runs at start-up
   * and every 30 s): users created or changed outside the admin API show up.
   */
  syncDirectory(): Promise<DirectorySyncResult>;
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
export async function startDevStack(options: DevStackOptions = {}): Promise<DevStack> {
  const env = options.env ?? embeddedEnvironment;
  const names = resourceNames(env);
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  // Loopback only: the emulators do not authenticate, and the edge and S3 gateway are for this machine.
  const host = "127.0.0.1";
  const ports = { ...portsFrom(DEFAULT_BASE_PORT), ...options.ports };
  const progress = options.progress ?? silentProgress;
  const alarms = options.alarm ? createAlarmWatch(options.alarm) : undefined;
  const log = alarms
    ? observedLogger(options.log ?? silentLog, (entry) => alarms.observeLog(entry))
    : (options.log ?? silentLog);
  const quota = options.quota ?? env.quota;
  const region = env.region;
  const service = SERVICE_CREDENTIALS;
  const startedAt = Date.now();

  // Stop order: nothing new accepted, then in-flight deliveries drained, then the emulators.
  const frontDoors: (() => Promise<void>)[] = [];
  const stops: (() => Promise<void>)[] = [];
  let processorReady: (processor: DevStackProcessor | Error) => void = () => {};
  const processorPromise = new Promise<DevStackProcessor | Error>((resolve) => {
    processorReady = resolve;
  });
  const deliver =
    options.deliver ?? ((event: S3Event, processor: DevStackProcessor) => processor.process(event));
  let notifications: S3Notifications | undefined;
  let stopping: Promise<DrainReport> | undefined;
  const stopWithin = (drainTimeoutMs: number) => {
    stopping ??= (async () => {
      for (const close of frontDoors.splice(0).reverse()) await close().catch(() => {});
      processorReady(new Error("the local stack stopped before its processor started"));
      const report = (await notifications?.drain(drainTimeoutMs)) ?? { drained: 0, pending: 0 };
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

    const emulators = await startEmulators({
      dataDir,
      env,
      ports: {
        s3: ports.s3,
        s3Origin: ports.s3Origin,
        dynamodb: ports.dynamodb,
        cognitoIdp: ports.cognitoIdp,
        cognitoIdentity: ports.cognitoIdentity,
        rekognition: ports.rekognition,
      },
      users: options.users ?? DEFAULT_USERS,
      serviceCredentials: service,
      deliver: async (event) => {
        const processor = await processorPromise;
        if (processor instanceof Error) throw processor;
        return deliver(event, processor);
      },
      progress,
      logFor: (component) => log.child({ component }),
    });
    const started = emulators.notifications;
    notifications = started;
    frontDoors.push(() => emulators.closeFrontDoor());
    stops.push(() => emulators.stop());
    const { pool, urls, credentials, providerName, identityPoolId } = emulators;
    const processorKeys = emulators.roles.processor;

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
        origin: { url: urls.s3, bucket: names.bucket, region, credentials: emulators.roles.edgeOrigin },
      });
      frontDoors.push(() => proxy.close());
      return proxy;
    });

    const processorLog = log.child({ component: "processor" });
    const processorDeps = {
      ...createClients({
        forcePathStyle: true,
        s3: {
          endpoint: urls.s3Service,
          region,
          credentials: service,
          requestChecksumCalculation: "WHEN_REQUIRED",
          responseChecksumValidation: "WHEN_REQUIRED",
        },
        dynamo: { endpoint: urls.dynamodb, region, credentials: processorKeys },
        rekognition: { endpoint: urls.rekognition, region, credentials: processorKeys },
        // Sets `picture` for approved profile-picture uploads, with the processor role's keys.
        cognito: { endpoint: urls.cognitoIdp, region, credentials: processorKeys },
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
        AWS_ENDPOINT_URL_S3: urls.s3Service,
      }),
      operations: {
        quota: { usageTable: names.usageTable, limits: quota },
        storageLifecycle: env.storageLifecycle,
      },
      // EMF lines go to a file in the data dir, not the console (operations.ts).
      metrics: createFileMetrics(join(dataDir, METRICS_FILE), env.name, (line) =>
        alarms?.observeMetrics(line),
      ),
      log: processorLog,
    };
    stops.push(async () => {
      processorDeps.s3.destroy();
      processorDeps.dynamo.destroy();
      processorDeps.rekognition.destroy();
      processorDeps.cognito.destroy();
    });

    const processor: DevStackProcessor = {
      process: (event, overrides) => processS3Event(event, { ...processorDeps, ...overrides }),
    };
    const redelivered = await started.redeliverPending((events) =>
      endDeadLeases(processorDeps.dynamo, names.photoTable, events, processorLog),
    );
    processorReady(processor);
    const reconciler = startLocalReconciler({
      deps: processorDeps,
      notificationsIdle: () => started.idle(),
      startedAt,
      log: log.child({ component: "reconciler" }),
    });
    stops.push(() => reconciler.stop());

    const adminDeps = withQuota(
      names.usageTable,
      quota,
      createLocalAdminDeps({
        region,
        urls,
        credentials: service,
        roleCredentials: emulators.roles.adminApi,
        names,
        userPoolId: pool.userPoolId,
        // On AWS the admin API invokes the processor function asynchronously; here it calls it.
        reprocess: (request) => handleReprocessRequest(request, processorDeps),
        // Replays go the way S3's notifications go, through the same delivery.
        deadLetterSource: () => deadLetterFile(started.deadLetterFile),
        replayDeadLetter: (payload) => deliver(payload as S3Event, processor),
        pictureBaseUrl: edge.url,
        log: log.child({ component: "admin-api" }),
      }),
    );
    const adminApi = await progress.step("admin API (API Gateway + JWT authorizer stand-in)", async () => {
      const server = await startAdminApiServer({
        port: ports.adminApi,
        host,
        region,
        userPool: pool,
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

    // After the API's own stops are registered: stopping runs them in reverse, so this stops first.
    const directorySync = await progress.step("user directory (admin users search)", () =>
      startLocalDirectorySync({ deps: adminDeps, log: log.child({ component: "directory" }) }),
    );
    stops.push(() => directorySync.stop());

    const adminSite = options.adminSite;
    const adminApp = adminSite
      ? await (async () => {
          const { distDir } = adminSite;
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
                userPoolEndpoint: urls.cognitoIdp,
              },
              imageOrigins: [urls.s3],
            });
            frontDoors.push(() => site.close());
            return site;
          });
        })()
      : undefined;

    const endpoints: DevStackEndpoints = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      region,
      urls: {
        edge: edge.url,
        s3: urls.s3,
        dynamodb: urls.dynamodb,
        cognitoIdp: urls.cognitoIdp,
        cognitoIdentity: urls.cognitoIdentity,
        rekognition: urls.rekognition,
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
      users: emulators.users,
    };
    await writeEndpoints(dataDir, endpoints);

    return {
      endpoints,
      notifications: started,
      credentials,
      processor,
      adminIdle: () => adminDeps.idle(),
      reconcile: (limits) => reconciler.run(limits),
      syncDirectory: () => directorySync.run(),
      redelivered,
      stop,
    };
  } catch (error) {
    await stopWithin(0);
    throw error;
  }
}

/** The admin API's deps with the usage table and limits the processor counts against. */
function withQuota<D extends object>(usageTable: string, limits: QuotaConfig, deps: D): D {
  return Object.assign(deps, { quota: { usageTable, limits } });
}
