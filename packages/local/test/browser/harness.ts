import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { environments } from "@photogate/core";
import { createClients, createLogger, handleReprocessRequest } from "@photogate/processor";
import {
  type AdminApiServer,
  createLocalAdminDeps,
  type LocalAdminDeps,
  startAdminApiServer,
} from "../../src/admin-api";
import { type AdminSite, ensureAdminBuild, startAdminSite } from "../../src/admin-site";
import { createProgress } from "../../src/progress";
import { type LocalStack, type SeedUserSpec, startLocalStack } from "../../src/stack";

/**
 * The local stack, the admin API behind its API-Gateway-like server and the admin site, all on
 * free ports, for the browser tests (and `tsx test/browser/harness.ts` to look by hand).
 * startLocalStack will start the last two itself once the lead wires them in; until then this
 * does the same few lines.
 */

const FREE_PORTS = {
  edge: 0,
  s3: 0,
  s3Origin: 0,
  dynamodb: 0,
  cognitoIdp: 0,
  cognitoIdentity: 0,
  rekognition: 0,
};

export const HARNESS_USERS: readonly SeedUserSpec[] = [
  { name: "demo", email: "demo@photogate.local", password: "Demo-photogate-1", groups: [] },
  { name: "support", email: "support@photogate.local", password: "Support-photogate-1", groups: ["support"] },
];

export interface AdminHarness {
  stack: LocalStack;
  adminDeps: LocalAdminDeps;
  api: AdminApiServer;
  site: AdminSite;
  stop(): Promise<void>;
}

export async function startAdminHarness(): Promise<AdminHarness> {
  // Progress goes to stderr: a cold build takes a while and says so.
  await ensureAdminBuild({ progress: createProgress() });
  const dataDir = await mkdtemp(join(tmpdir(), "photogate-admin-browser-"));
  const stops: (() => Promise<void>)[] = [() => rm(dataDir, { recursive: true, force: true })];
  const stop = async () => {
    for (const close of stops.splice(0).reverse()) await close().catch(() => {});
  };
  try {
    const stack = await startLocalStack({ dataDir, ports: FREE_PORTS, users: HARNESS_USERS });
    stops.push(() => stack.stop());
    const { endpoints } = stack;
    const credentials = endpoints.serviceCredentials;
    const region = endpoints.region;
    const processorDeps = {
      ...createClients({
        forcePathStyle: true,
        s3: { endpoint: endpoints.urls.s3, region, credentials },
        dynamo: { endpoint: endpoints.urls.dynamodb, region, credentials },
        rekognition: { endpoint: endpoints.urls.rekognition, region, credentials },
      }),
      config: {
        photoTable: endpoints.photoTable,
        bucket: endpoints.bucket,
        processing: environments.local.processing,
        endpointOverride: true,
      },
      log: createLogger(() => {}),
    };
    const adminDeps = createLocalAdminDeps({
      region,
      urls: endpoints.urls,
      credentials,
      names: {
        photoTable: endpoints.photoTable,
        auditTable: endpoints.auditTable,
        bucket: endpoints.bucket,
        userPoolId: endpoints.userPool.id,
      },
      reprocess: (request) =>
        handleReprocessRequest(request, processorDeps as Parameters<typeof handleReprocessRequest>[1]),
      pictureBaseUrl: endpoints.urls.edge,
    });
    stops.push(async () => {
      await adminDeps.idle();
      adminDeps.destroy();
      processorDeps.s3.destroy();
      processorDeps.dynamo.destroy();
      processorDeps.rekognition.destroy();
    });
    const api = await startAdminApiServer({
      region,
      userPool: {
        issuer: endpoints.userPool.issuer,
        jwksUri: `${endpoints.userPool.issuer}/.well-known/jwks.json`,
        adminClientId: endpoints.userPool.adminClientId,
      },
      deps: adminDeps,
    });
    stops.push(() => api.close());
    const site = await startAdminSite({
      config: {
        region,
        userPoolId: endpoints.userPool.id,
        userPoolClientId: endpoints.userPool.adminClientId,
        userPoolEndpoint: endpoints.urls.cognitoIdp,
        authFlow: "USER_PASSWORD_AUTH",
      },
      // Same-origin /api, as the AdminSite distribution serves it.
      apiUpstream: api.url,
      imageOrigins: [endpoints.urls.s3],
    });
    stops.push(() => site.close());
    return { stack, adminDeps, api, site, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// `pnpm exec tsx packages/local/test/browser/harness.ts`: the same setup, to use by hand.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { seedSamplePhotos } = await import("../../src/seed");
  const harness = await startAdminHarness();
  await seedSamplePhotos(harness.stack.endpoints, "demo");
  await harness.stack.notifications.idle();
  console.log(`admin app: ${harness.site.url}  (support@photogate.local / Support-photogate-1)`);
  process.on("SIGINT", () => void harness.stop().then(() => process.exit(0)));
}
