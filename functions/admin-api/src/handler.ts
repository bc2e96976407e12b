import { createLogger } from "@photogate/core";
import { publishVerdict } from "@photogate/publishing";
import { type AdminApiEvent, type AdminApiResult, handleAdminRequest } from "./api";
import { awsRedrive, createClients, lambdaProcessorInvoker } from "./clients";
import { loadConfig, loadOperationsConfig } from "./config";
import type { AdminApiDeps } from "./deps";
import { type DirectorySyncResult, syncDirectory } from "./directory";
import { createAdminApiMetrics } from "./metrics";

// Read once per cold start: a bad config fails the init, visibly, instead of every request.
const config = loadConfig();
const operations = loadOperationsConfig();
const metrics = createAdminApiMetrics({ environment: operations.environment });
const clients = createClients({ forcePathStyle: config.endpointOverride });
const log = createLogger();
const deps: AdminApiDeps = {
  ...clients,
  config,
  log,
  metrics,
  ...(operations.quota ? { quota: operations.quota } : {}),
  invokeProcessor: lambdaProcessorInvoker(config.processorFunction),
  deadLetters: awsRedrive(config.deadLetterQueueUrl, config.processorFunction),
  publisher: {
    publishVerdict: (record) => publishVerdict({ s3: clients.s3, bucket: config.bucket, log }, record),
  },
};

/** API Gateway HTTP API (payload 2.0) behind the Cognito JWT authorizer of the admin app client. */
export async function handler(event: AdminApiEvent): Promise<AdminApiResult> {
  try {
    return await handleAdminRequest(event, deps);
  } finally {
    metrics.flush();
  }
}

/** The EventBridge schedule's target (same bundle, another `handler`): the user directory re-sync. */
export async function syncDirectoryHandler(): Promise<DirectorySyncResult> {
  return syncDirectory(deps);
}
