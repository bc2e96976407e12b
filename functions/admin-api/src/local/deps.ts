import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { publishVerdict } from "@photogate/publishing";
import type { DeadLetterSource } from "@photogate/redrive";
import { type AdminApiDeps, createClients, createLogger, type Logger, type ProcessorInvoker } from "../index";
import { addLocalCognitoShims } from "./cognito-shims";

export interface LocalAdminDepsOptions {
  region: string;
  /** The local stack's endpoints: `endpoints.urls` of startDevStack. */
  urls: { cognitoIdp: string; dynamodb: string; s3: string };
  /** The local services' own key (SERVICE_CREDENTIALS): the S3 gateway lets it through. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /**
   * The admin API role's keys (held to `adminApiStatements`), for DynamoDB and the user pool; S3
   * still gets `credentials`. Default: `credentials`.
   */
  roleCredentials?: { accessKeyId: string; secretAccessKey: string };
  /**
   * The local stack's resource names (core's `resourceNames`, or the emulators' `names`); the
   * admin API reads these. Without `userTable` the users search walks the user pool.
   */
  names: { photoTable: string; auditTable: string; bucket: string; userTable?: string };
  userPoolId: string;
  /**
   * Runs the real processor on a reprocess request (`handleReprocessRequest` with the local
   * processor's deps). Started and not awaited, like Lambda's `Event` invocation; a failure is
   * logged, as Lambda would send it to the processor's DLQ.
   */
  reprocess: (request: Parameters<ProcessorInvoker>[0]) => Promise<unknown>;
  /** Opens the local notifier's dead letters (the dev runner's `<dataDir>/dlq.jsonl`) for one redrive run. */
  deadLetterSource: () => DeadLetterSource;
  /** Runs the processor on a dead-lettered event and resolves when it succeeded, like a notification delivery. */
  replayDeadLetter: (payload: unknown) => Promise<unknown>;
  presignSeconds?: number;
  /** Origin serving shared/ (the edge proxy), for the `picture` attribute. */
  pictureBaseUrl?: string;
  log?: Logger;
}

export interface LocalAdminDeps extends AdminApiDeps {
  cognito: CognitoIdentityProviderClient;
  /** Destroys the clients. */
  destroy(): void;
  /** Resolves when every reprocess started so far has finished (tests wait on it). */
  idle(): Promise<void>;
}

/** The admin API's dependencies against the local stack: a few lines in startDevStack. */
export function createLocalAdminDeps(options: LocalAdminDepsOptions): LocalAdminDeps {
  const { region, urls, credentials, names } = options;
  const log = options.log ?? createLogger(() => {});
  const clients = createClients({
    forcePathStyle: true,
    cognito: { endpoint: urls.cognitoIdp, region, credentials: options.roleCredentials ?? credentials },
    dynamo: { endpoint: urls.dynamodb, region, credentials: options.roleCredentials ?? credentials },
    // The S3 gateway checks presigned URLs as S3 does, so the app's images load through it.
    s3: { endpoint: urls.s3, region, credentials },
  });
  addLocalCognitoShims(clients.cognito, options.userPoolId);
  const running = new Set<Promise<unknown>>();
  return {
    ...clients,
    config: {
      photoTable: names.photoTable,
      auditTable: names.auditTable,
      bucket: names.bucket,
      userPoolId: options.userPoolId,
      userTable: names.userTable,
      presignSeconds: options.presignSeconds ?? 300,
      pictureBaseUrl: options.pictureBaseUrl,
    },
    log,
    deadLetters: {
      source: options.deadLetterSource,
      replay: async (payload) => {
        await options.replayDeadLetter(payload);
      },
      // The local API has no 30 s integration limit, but a person is waiting on the button.
      budgetMs: 20_000,
      concurrency: 2,
    },
    publisher: {
      publishVerdict: (record) => publishVerdict({ s3: clients.s3, bucket: names.bucket, log }, record),
    },
    invokeProcessor: async (request) => {
      const run = options
        .reprocess(request)
        .catch((error: unknown) => log.error("reprocess.failed", { ...request, error }))
        .finally(() => running.delete(run));
      running.add(run);
    },
    destroy() {
      clients.cognito.destroy();
      clients.dynamo.destroy();
      clients.s3.destroy();
    },
    async idle() {
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
