import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { claimLeaseSeconds, embeddedEnvironment, uploadKey } from "@photogate/core";
import {
  type Emulators,
  type EmulatorUser,
  nameBasedUuid,
  samplePhotos,
  startEmulators,
} from "@photogate/local-emulators";
import {
  createClients,
  createLogger,
  handleReprocessRequest,
  type ProcessorDeps,
  processS3Event,
} from "@photogate/processor";
import { type DirectorySyncResult, syncDirectory } from "../../src/directory";
import { createLocalAdminDeps, type LocalAdminDeps, startAdminApiServer } from "../../src/local";

/** The users the integration tests sign in as. Local only: these passwords protect nothing real. */
const USERS = [
  { name: "demo", email: "demo@photogate.local", password: "Demo-photogate-1", groups: [] },
  { name: "support", email: "support@photogate.local", password: "Support-photogate-1", groups: ["support"] },
  { name: "admin", email: "admin@photogate.local", password: "Admin-photogate-1", groups: ["admins"] },
] as const;

export interface SeededSample {
  name: string;
  photoId: string;
  /** What the processor makes of it (e.g. "rejected: NO_FACE"). */
  expect: string;
}

export interface LocalAdminApi {
  emulators: Emulators;
  /** The admin API's base URL (API Gateway's JWT authorizer stand-in in front of the real handler). */
  url: string;
  users: EmulatorUser[];
  user(name: (typeof USERS)[number]["name"]): EmulatorUser;
  /** Writes the sample photos under a user's uploads/ and waits for the processor's verdicts. */
  seedSamples(userName: string): Promise<SeededSample[]>;
  /** The admin API's own deps (its role's clients), for running directory syncs by hand. */
  adminDeps: LocalAdminDeps;
  /** Re-syncs the user directory from the pool, as the schedule does on AWS. */
  syncDirectory(): Promise<DirectorySyncResult>;
  stop(): Promise<void>;
}

/**
 * The admin API on the emulators, the way the dev runner wires it, with the real processor fed
 * by the bucket's notifications (so the photos have real verdicts) and reprocess requests.
 */
export async function startLocalAdminApi(
  options: { allowedOrigins?: readonly string[] } = {},
): Promise<LocalAdminApi> {
  const env = embeddedEnvironment;
  const dataDir = await mkdtemp(join(tmpdir(), "photogate-admin-api-"));
  let processorDeps: ProcessorDeps | undefined;
  const emulators = await startEmulators({
    dataDir,
    env,
    users: USERS,
    deliver: async (event) => {
      if (!processorDeps) throw new Error("the processor is not wired yet");
      return processS3Event(event, processorDeps);
    },
  }).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  const { urls, region, names, pool, roles } = emulators;
  const deps: ProcessorDeps = {
    ...createClients({
      forcePathStyle: true,
      s3: { endpoint: urls.s3Service, region, credentials: emulators.serviceCredentials },
      dynamo: { endpoint: urls.dynamodb, region, credentials: roles.processor },
      rekognition: { endpoint: urls.rekognition, region, credentials: roles.processor },
      cognito: { endpoint: urls.cognitoIdp, region, credentials: roles.processor },
    }),
    config: {
      photoTable: names.photoTable,
      processing: env.processing,
      endpointOverride: true,
      bucket: names.bucket,
      maxAttempts: 3,
      leaseSeconds: claimLeaseSeconds(env.processor),
      userPoolId: pool.userPoolId,
    },
    log: createLogger(() => {}),
  };
  processorDeps = deps;
  const adminDeps: LocalAdminDeps = createLocalAdminDeps({
    region,
    urls,
    credentials: emulators.serviceCredentials,
    roleCredentials: roles.adminApi,
    names,
    userPoolId: pool.userPoolId,
    reprocess: (request) => handleReprocessRequest(request, deps),
    deadLetterSource: () => {
      throw new Error("these tests redrive no dead letters");
    },
    replayDeadLetter: async () => {},
  });
  // As the dev runner does at start-up: the seeded users enter the user directory.
  await syncDirectory(adminDeps);
  const server = await startAdminApiServer({
    region,
    userPool: pool,
    deps: adminDeps,
    allowedOrigins: options.allowedOrigins ?? [],
  });
  const s3 = new S3Client({
    endpoint: urls.s3,
    region,
    credentials: emulators.serviceCredentials,
    forcePathStyle: true,
  });
  const user = (name: string) => {
    const found = emulators.users.find((u) => u.name === name);
    if (!found) throw new Error(`no user "${name}" in the emulated pool`);
    return found;
  };

  return {
    emulators,
    url: server.url,
    users: emulators.users,
    user,
    adminDeps,
    syncDirectory: () => syncDirectory(adminDeps),
    async seedSamples(userName) {
      const owner = user(userName).sub;
      const seeded: SeededSample[] = [];
      for (const sample of await samplePhotos()) {
        const photoId = nameBasedUuid(`sample/${owner}/${sample.name}`);
        await s3.send(
          new PutObjectCommand({
            Bucket: names.bucket,
            Key: uploadKey(owner, photoId, "jpg"),
            Body: sample.jpeg,
            ContentType: "image/jpeg",
          }),
        );
        seeded.push({ name: sample.name, photoId, expect: sample.expect });
      }
      await emulators.notifications.idle();
      return seeded;
    },
    async stop() {
      await server.close();
      await adminDeps.idle();
      adminDeps.destroy();
      s3.destroy();
      await emulators.closeFrontDoor();
      await emulators.notifications.drain(10_000);
      deps.s3.destroy();
      deps.dynamo.destroy();
      deps.rekognition.destroy();
      deps.cognito?.destroy();
      await emulators.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
