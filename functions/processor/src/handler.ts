import { createLogger } from "@photogate/core";
import { createClients } from "./clients";
import { loadConfig, loadOperationsConfig } from "./config";
import { classifyInvocation } from "./invocation";
import { createProcessorMetrics } from "./metrics";
import { handleReprocessRequest, processS3Event, type UploadOutcome } from "./process-upload";
import { type ReconcileReport, reconcile } from "./reconcile";

// Read once per cold start: a bad config fails the init, visibly, instead of every photo.
const config = loadConfig();
const operations = loadOperationsConfig();
const metrics = createProcessorMetrics({ environment: operations.environment });
const deps = {
  ...createClients({ forcePathStyle: config.endpointOverride }),
  config,
  operations,
  metrics,
  log: createLogger(),
};

/**
 * S3 invokes this asynchronously with notifications; the admin API invokes it asynchronously
 * with `{ "action": "reprocess", "owner", "photoId" }`; the schedule with `{ "action": "reconcile" }`.
 * Throwing makes Lambda retry the event
 * and, after its retries, send it to the on-failure destination (the DLQ); content problems
 * never throw. A payload that is neither is refused with an INVALID_INVOCATION error.
 */
export async function handler(
  event: unknown,
  context?: { getRemainingTimeInMillis(): number },
): Promise<UploadOutcome[] | ReconcileReport> {
  let invocation: ReturnType<typeof classifyInvocation>;
  try {
    invocation = classifyInvocation(event);
  } catch (error) {
    deps.log.error("invocation.refused", { error });
    throw error;
  }
  try {
    if (invocation.kind === "reprocess") return [await handleReprocessRequest(invocation.request, deps)];
    if (invocation.kind === "reconcile") {
      return await reconcile(deps, {
        limits: config.reconcile,
        ...(context ? { remainingMs: () => context.getRemainingTimeInMillis() } : {}),
      });
    }
    return await processS3Event(invocation.event, deps);
  } finally {
    metrics.flush();
  }
}
