import { ConfigError, ProcessingConfig, parseConfig } from "@photogate/core";

/**
 * The processor's run-time configuration, read once at cold start. The CDKTF stack sets
 * exactly these variables; a bad value fails the cold start with a message naming the field,
 * rather than failing every photo later.
 */
export interface ProcessorConfig {
  /** DynamoDB table holding photo records (PHOTOGATE_PHOTO_TABLE). */
  photoTable: string;
  /** Thresholds and sizes (PHOTOGATE_PROCESSING, JSON of core's ProcessingConfig). */
  processing: ProcessingConfig;
  /**
   * True when an endpoint override (LocalStack, the local stack, s3rver) is set: those need
   * path-style S3 URLs. The SDK reads the endpoint variables itself.
   */
  endpointOverride: boolean;
}

export const ENV = {
  photoTable: "PHOTOGATE_PHOTO_TABLE",
  processing: "PHOTOGATE_PROCESSING",
} as const;

export function loadConfig(env: Record<string, string | undefined> = process.env): ProcessorConfig {
  const photoTable = env[ENV.photoTable]?.trim();
  if (!photoTable) throw new ConfigError(`${ENV.photoTable} is not set: it must name the photo table`);
  const rawProcessing = env[ENV.processing];
  if (!rawProcessing) {
    throw new ConfigError(`${ENV.processing} is not set: it must hold the processing config as JSON`);
  }
  let json: unknown;
  try {
    json = JSON.parse(rawProcessing);
  } catch (error) {
    throw new ConfigError(`${ENV.processing} is not valid JSON`, { cause: error });
  }
  return {
    photoTable,
    processing: parseConfig(ProcessingConfig, json, ENV.processing),
    endpointOverride: Boolean(env.AWS_ENDPOINT_URL || env.AWS_ENDPOINT_URL_S3),
  };
}
