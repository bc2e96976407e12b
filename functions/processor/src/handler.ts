import type { S3Event } from "aws-lambda";
import { createClients } from "./clients";
import { loadConfig } from "./config";
import { createLogger } from "./log";
import { processS3Event } from "./process-upload";

// Read once per cold start: a bad config fails the init, visibly, instead of every photo.
const config = loadConfig();
const deps = {
  ...createClients({ forcePathStyle: config.endpointOverride }),
  config,
  log: createLogger(),
};

/**
 * S3 invokes this asynchronously. Throwing makes Lambda retry the event and, after its
 * retries, send it to the on-failure destination (the DLQ); content problems never throw.
 */
export async function handler(event: S3Event): Promise<void> {
  await processS3Event(event, deps);
}
