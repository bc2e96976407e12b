import {
  ConfigError,
  claimLeaseSeconds,
  ProcessingConfig,
  parseConfig,
  ReconcileLimits,
} from "@photogate/core";

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
  /** The photo bucket (PHOTOGATE_BUCKET); reprocess requests name no bucket, so they need it. */
  bucket?: string;
  /**
   * Invocations Lambda makes of one event before the DLQ (PHOTOGATE_MAX_ATTEMPTS, 1 + its
   * retries; default 3). A failure before the last attempt publishes a verdict that is not final.
   */
  maxAttempts?: number;
  /**
   * How long a `processing` claim holds the photo (PHOTOGATE_CLAIM_LEASE_SECONDS, core's
   * claimLeaseSeconds of the function's timeout). Without it, the lease of the longest Lambda
   * timeout: a live run is never taken over, a crashed one waits longer.
   */
  leaseSeconds?: number;
  /** Bounds of a reconciler run (PHOTOGATE_RECONCILE, JSON of core's ReconcileLimits). */
  reconcile?: ReconcileLimits;
  /**
   * The user pool whose `picture` an approved profile-picture upload sets (PHOTOGATE_USER_POOL_ID);
   * without it (LocalStack has no Cognito) such uploads say NOT_CONFIGURED in their verdict.
   */
  userPoolId?: string;
  /** Origin serving shared/ (the distribution), for the `picture` value (PHOTOGATE_PICTURE_BASE_URL). */
  pictureBaseUrl?: string;
}

export const ENV = {
  photoTable: "PHOTOGATE_PHOTO_TABLE",
  processing: "PHOTOGATE_PROCESSING",
  bucket: "PHOTOGATE_BUCKET",
  maxAttempts: "PHOTOGATE_MAX_ATTEMPTS",
  leaseSeconds: "PHOTOGATE_CLAIM_LEASE_SECONDS",
  reconcile: "PHOTOGATE_RECONCILE",
  userPoolId: "PHOTOGATE_USER_POOL_ID",
  pictureBaseUrl: "PHOTOGATE_PICTURE_BASE_URL",
} as const;

export const DEFAULT_LEASE_SECONDS = claimLeaseSeconds({ timeoutSeconds: 900 });

/** Lambda's default for asynchronous invocations: the first try and two retries. */
export const DEFAULT_MAX_ATTEMPTS = 3;

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
  const bucket = env[ENV.bucket]?.trim();
  const rawAttempts = env[ENV.maxAttempts]?.trim();
  const maxAttempts = rawAttempts ? Number(rawAttempts) : DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 3) {
    throw new ConfigError(`${ENV.maxAttempts} must be a whole number from 1 to 3, not "${rawAttempts}"`);
  }
  const rawLease = env[ENV.leaseSeconds]?.trim();
  const leaseSeconds = rawLease ? Number(rawLease) : DEFAULT_LEASE_SECONDS;
  if (!Number.isInteger(leaseSeconds) || leaseSeconds < 1 || leaseSeconds > 3600) {
    throw new ConfigError(
      `${ENV.leaseSeconds} must be a whole number of seconds from 1 to 3600, not "${rawLease}"`,
    );
  }
  const rawReconcile = env[ENV.reconcile]?.trim();
  let reconcile: ReconcileLimits | undefined;
  if (rawReconcile) {
    try {
      reconcile = parseConfig(ReconcileLimits, JSON.parse(rawReconcile), ENV.reconcile);
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(`${ENV.reconcile} is not valid JSON`, { cause: error });
    }
  }
  const userPoolId = env[ENV.userPoolId]?.trim();
  if (userPoolId && !/^[\w-]+_[0-9a-zA-Z]+$/.test(userPoolId)) {
    throw new ConfigError(`${ENV.userPoolId} must look like {region}_{id}, not "${userPoolId}"`);
  }
  const pictureBaseUrl = env[ENV.pictureBaseUrl]?.trim().replace(/\/+$/, "");
  if (pictureBaseUrl && !/^https?:\/\/[^/\s]+$/.test(pictureBaseUrl)) {
    throw new ConfigError(
      `${ENV.pictureBaseUrl} must be an origin such as https://d111.cloudfront.net, not "${pictureBaseUrl}"`,
    );
  }
  return {
    photoTable,
    processing: parseConfig(ProcessingConfig, json, ENV.processing),
    endpointOverride: Boolean(env.AWS_ENDPOINT_URL || env.AWS_ENDPOINT_URL_S3),
    ...(bucket ? { bucket } : {}),
    maxAttempts,
    leaseSeconds,
    ...(reconcile ? { reconcile } : {}),
    ...(userPoolId ? { userPoolId } : {}),
    ...(pictureBaseUrl ? { pictureBaseUrl } : {}),
  };
}
