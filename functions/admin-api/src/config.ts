import { type AdminApiConfig, AdminApiEnv, parseConfig } from "@photogate/core";

export { ADMIN_API_ENV as ENV, type AdminApiConfig } from "@photogate/core";

/**
 * The admin API's run-time configuration, read once at cold start from the variables core's
 * `adminApiEnvironment` renders (the AdminApi construct sets them). A bad value fails the cold
 * start with a message naming the variable an operator has to fix.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): AdminApiConfig {
  return parseConfig(AdminApiEnv, env, "the admin API's environment variables");
}
