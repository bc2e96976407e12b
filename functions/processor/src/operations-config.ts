import {
  ConfigError,
  EnvironmentName,
  parseConfig,
  QuotaConfig,
  StorageLifecycleConfig,
} from "@photogate/core";

/**
 * The processor's operational settings (metrics, per-user quota, storage lifecycle), read once
 * at cold start next to `loadConfig`'s, from the variables the PhotoProcessing construct sets.
 */
export const OPERATIONS_ENV = {
  /** The `environment` dimension of every metric (dev, prod, local). */
  environment: "PHOTOGATE_ENVIRONMENT",
  /** The usage table the quota counts in. */
  usageTable: "PHOTOGATE_USAGE_TABLE",
  /** JSON of core's QuotaConfig: the environment's default limits. */
  quota: "PHOTOGATE_QUOTA",
  /** JSON of core's StorageLifecycleConfig: when rejected and failed originals expire. */
  storageLifecycle: "PHOTOGATE_STORAGE_LIFECYCLE",
} as const;

export interface QuotaSettings {
  usageTable: string;
  limits: QuotaConfig;
}

export interface OperationsConfig {
  environment: EnvironmentName;
  /** Absent: no quota is enforced (both the table and the limits must be set, or neither). */
  quota?: QuotaSettings;
  /** Absent: records carry no `originalExpiresAt`. */
  storageLifecycle?: StorageLifecycleConfig;
}

export function loadOperationsConfig(
  env: Record<string, string | undefined> = process.env,
): OperationsConfig {
  const rawEnvironment = env[OPERATIONS_ENV.environment]?.trim();
  if (!rawEnvironment) {
    throw new ConfigError(
      `${OPERATIONS_ENV.environment} is not set: it must name the environment (dev, prod, local)`,
    );
  }
  const environment = parseConfig(EnvironmentName, rawEnvironment, OPERATIONS_ENV.environment);
  const usageTable = env[OPERATIONS_ENV.usageTable]?.trim();
  const rawQuota = env[OPERATIONS_ENV.quota]?.trim();
  if (Boolean(usageTable) !== Boolean(rawQuota)) {
    throw new ConfigError(
      `${OPERATIONS_ENV.usageTable} and ${OPERATIONS_ENV.quota} must be set together (the quota needs its table)`,
    );
  }
  const rawLifecycle = env[OPERATIONS_ENV.storageLifecycle]?.trim();
  return {
    environment,
    ...(usageTable && rawQuota
      ? { quota: { usageTable, limits: parseJson(QuotaConfig, rawQuota, OPERATIONS_ENV.quota) } }
      : {}),
    ...(rawLifecycle
      ? {
          storageLifecycle: parseJson(StorageLifecycleConfig, rawLifecycle, OPERATIONS_ENV.storageLifecycle),
        }
      : {}),
  };
}

function parseJson<S extends Parameters<typeof parseConfig>[0]>(schema: S, raw: string, name: string) {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new ConfigError(`${name} is not valid JSON`, { cause: error });
  }
  return parseConfig(schema, json, name);
}
