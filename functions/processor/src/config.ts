import {
  type OperationsConfig,
  OperationsEnv,
  type ProcessorConfig,
  ProcessorEnv,
  parseConfig,
} from "@photogate/core";

export {
  DEFAULT_LEASE_SECONDS,
  DEFAULT_MAX_ATTEMPTS,
  OPERATIONS_ENV,
  type OperationsConfig,
  PROCESSOR_ENV as ENV,
  type ProcessorConfig,
  type QuotaSettings,
} from "@photogate/core";

/**
 * The processor's run-time configuration, read once at cold start from the variables core's
 * `processorEnvironment` renders (the PhotoProcessing construct and the local stack set them).
 * A bad value fails the cold start with a message naming the variable, rather than failing
 * every photo later.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): ProcessorConfig {
  return parseConfig(ProcessorEnv, env, "the processor's environment variables");
}

/**
 * The operations settings (metrics, quota, storage lifecycle), read once at cold start from the
 * variables core's `operationsEnvironment` renders.
 */
export function loadOperationsConfig(
  env: Record<string, string | undefined> = process.env,
): OperationsConfig {
  return parseConfig(OperationsEnv, env, "the processor's operations variables");
}
