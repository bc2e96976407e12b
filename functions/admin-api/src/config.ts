import {
  type AdminApiConfig,
  AdminApiEnv,
  type OperationsConfig,
  OperationsEnv,
  parseConfig,
} from "@photogate/core";

export {
  ADMIN_API_ENV as ENV,
  type AdminApiConfig,
  OPERATIONS_ENV,
  type OperationsConfig,
} from "@photogate/core";

/**
 * The admin API's run-time configuration, read once at cold start from the variables core's
 * `adminApiEnvironment` renders (the AdminApi construct sets them). A bad value fails the cold
 * start with a message naming the variable an operator has to fix.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): AdminApiConfig {
  return parseConfig(AdminApiEnv, env, "the admin API's environment variables");
}

/**
 * The operations settings (metrics, quota, storage lifecycle), read once at cold start from the
 * variables core's `operationsEnvironment` renders.
 */
export function loadOperationsConfig(
  env: Record<string, string | undefined> = process.env,
): OperationsConfig {
  return parseConfig(OperationsEnv, env, "the admin API's operations variables");
}
