import type { EnvironmentName, QuotaConfig, StorageLifecycleConfig } from "@photogate/core";

/** What a function needs for metrics, the per-user quota and the storage lifecycle. */
export interface FunctionOperations {
  /** The `environment` dimension of every metric the function emits. */
  environment: EnvironmentName;
  /** The quota's usage table and the environment's limits; absent: no quota. */
  quota?: { usageTableName: string; limits: QuotaConfig };
  /** When rejected and failed originals expire (the processor records it); absent: not recorded. */
  storageLifecycle?: StorageLifecycleConfig;
}

/**
 * The environment variables the functions' operations-config.ts read (PHOTOGATE_ENVIRONMENT,
 * PHOTOGATE_USAGE_TABLE with PHOTOGATE_QUOTA, PHOTOGATE_STORAGE_LIFECYCLE).
 */
export function operationsVariables(operations: FunctionOperations): Record<string, string> {
  return {
    PHOTOGATE_ENVIRONMENT: operations.environment,
    ...(operations.quota
      ? {
          PHOTOGATE_USAGE_TABLE: operations.quota.usageTableName,
          PHOTOGATE_QUOTA: JSON.stringify(operations.quota.limits),
        }
      : {}),
    ...(operations.storageLifecycle
      ? { PHOTOGATE_STORAGE_LIFECYCLE: JSON.stringify(operations.storageLifecycle) }
      : {}),
  };
}
