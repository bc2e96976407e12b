import { ConfigError, EnvironmentName, parseConfig, QuotaConfig } from "@photogate/core";

/**
 * The admin API's operational settings (metrics, the usage table it reports and overrides),
 * read once at cold start next to `loadConfig`'s, from the variables the AdminApi construct sets.
 */
export const OPERATIONS_ENV = {
  /** The `environment` dimension of every metric (dev, prod, local). */
  environment: "PHOTOGATE_ENVIRONMENT",
  usageTable: "PHOTOGATE_USAGE_TABLE",
  /** JSON of core's QuotaConfig: the environment's default limits. */
  quota: "PHOTOGATE_QUOTA",
} as const;

export interface AdminOperationsConfig {
  environment: EnvironmentName;
  /** Absent: the usage routes answer NOT_SUPPORTED. */
  quota?: { usageTable: string; limits: QuotaConfig };
}

export function loadOperationsConfig(
  env: Record<string, string | undefined> = process.env,
): AdminOperationsConfig {
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
    throw new ConfigError(`${OPERATIONS_ENV.usageTable} and ${OPERATIONS_ENV.quota} must be set together`);
  }
  if (!usageTable || !rawQuota) return { environment };
  let json: unknown;
  try {
    json = JSON.parse(rawQuota);
  } catch (error) {
    throw new ConfigError(`${OPERATIONS_ENV.quota} is not valid JSON`, { cause: error });
  }
  return { environment, quota: { usageTable, limits: parseConfig(QuotaConfig, json, OPERATIONS_ENV.quota) } };
}
