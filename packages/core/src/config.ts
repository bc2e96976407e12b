import { z } from "zod";
import { ConfigError } from "./errors";
import { LAMBDA_RUNTIME_IDS } from "./runtimes";
import { ReconcileLimits } from "./verdict";

/**
 * One typed config for every environment. The stacks synthesize from it, the processor
 * receives its `processing` part at run time, and the local stack creates its emulated
 * resources from it, so names and thresholds cannot drift between them.
 */

/** Rekognition refuses images under 80 px on either side. */
export const REKOGNITION_MIN_EDGE = 80;
/** Rekognition's limit for image bytes sent inline. */
export const REKOGNITION_MAX_BYTES = 5 * 1024 * 1024;

export const ValidationThresholds = z.object({
  /** Faces below this confidence (0–100) are not counted. */
  minFaceConfidence: z.number().min(0).max(100),
  /** Sunglasses reported with at least this confidence reject the photo. */
  sunglassesConfidence: z.number().min(0).max(100),
  /** Eyes reported closed with at least this confidence reject the photo. */
  eyesClosedConfidence: z.number().min(0).max(100),
  maxYawDegrees: z.number().min(0).max(180),
  maxPitchDegrees: z.number().min(0).max(180),
  maxRollDegrees: z.number().min(0).max(180),
  /** Rekognition's face Quality.Sharpness, 0–100. */
  minSharpness: z.number().min(0).max(100),
  /** Face box area as a share of the image area, 0–1. */
  minFaceAreaRatio: z.number().min(0).max(1),
  /** Moderation labels at or above this confidence reject the photo. */
  moderationMinConfidence: z.number().min(0).max(100),
});
export type ValidationThresholds = z.infer<typeof ValidationThresholds>;

export const ProcessingConfig = z.object({
  /** Square thumbnails, one per size (pixels per side). */
  thumbnailSizes: z.array(z.number().int().min(16).max(1024)).min(1),
  /** Long edge of display.webp; also the image Rekognition sees. */
  displayMaxEdge: z.number().int().min(REKOGNITION_MIN_EDGE).max(4096),
  maxUploadBytes: z.number().int().positive(),
  /** Width × height above this is refused before decoding (decompression bombs). */
  maxInputPixels: z.number().int().positive(),
  /** Shortest edge below this is TOO_SMALL; never below Rekognition's 80 px. */
  minImageEdge: z.number().int().min(REKOGNITION_MIN_EDGE),
  sharpTimeoutSeconds: z.number().int().positive(),
  validation: ValidationThresholds,
});
export type ProcessingConfig = z.infer<typeof ProcessingConfig>;

/**
 * Who is told when an alarm fires or clears: one SNS topic per environment, one subscription
 * per address. E-mail subscriptions must be confirmed from the message AWS sends.
 */
export const AlertsConfig = z.object({
  emails: z.array(z.email()).default([]),
  httpsEndpoints: z.array(z.url({ protocol: /^https$/ })).default([]),
});
export type AlertsConfig = z.infer<typeof AlertsConfig>;

export const QuotaLimits = z.object({
  uploads: z.number().int().positive(),
  bytes: z.number().int().positive(),
});
export type QuotaLimits = z.infer<typeof QuotaLimits>;

/**
 * What one owner may upload per UTC day (and, optionally, per UTC month) before further
 * uploads are rejected QUOTA_EXCEEDED without a Rekognition call. Admins can raise one user's
 * limits; those overrides live in DynamoDB, not here.
 */
export const QuotaConfig = z.object({
  daily: QuotaLimits,
  monthly: QuotaLimits.optional(),
});
export type QuotaConfig = z.infer<typeof QuotaConfig>;

/** How long S3 keeps what nobody needs any more. */
export const StorageLifecycleConfig = z.object({
  /** Originals (uploads/) of photos whose verdict is rejected expire after this many days. */
  rejectedOriginalDays: z.number().int().positive(),
  /**
   * Originals whose verdict is failed expire after this; keep it longer than the dead-letter
   * queue's retention (dlqRetentionDays), so every dead letter can still be replayed.
   */
  abandonedUploadDays: z.number().int().positive(),
});
export type StorageLifecycleConfig = z.infer<typeof StorageLifecycleConfig>;

/** An AWS WAF rate-based rule (per client IP) on the upload distribution; off by default. */
export const WafConfig = z.object({
  enabled: z.boolean(),
  /** Requests one IP may make in any 5-minute window before WAF blocks it (AWS minimum 10). */
  requestsPer5Minutes: z.number().int().min(10),
});
export type WafConfig = z.infer<typeof WafConfig>;

export const StateBackend = z.discriminatedUnion("type", [
  z.object({ type: z.literal("local"), path: z.string() }),
  z.object({
    type: z.literal("s3"),
    bucket: z.string(),
    key: z.string(),
    region: z.string(),
  }),
]);
export type StateBackend = z.infer<typeof StateBackend>;

export const ENVIRONMENT_NAMES = ["dev", "prod", "localstack"] as const;
export const EnvironmentName = z.enum(ENVIRONMENT_NAMES);
export type EnvironmentName = z.infer<typeof EnvironmentName>;

/**
 * Where an environment is deployed: AWS itself, or LocalStack (whose free edition has S3,
 * Lambda, DynamoDB and SQS; photogate's own local endpoints stand in for Cognito and the edge).
 */
export const DeployTarget = z.enum(["aws", "localstack"]);
export type DeployTarget = z.infer<typeof DeployTarget>;

export const EnvironmentConfig = z.object({
  name: EnvironmentName,
  target: DeployTarget,
  region: z.string(),
  /** Prefix of every resource name in this environment. */
  namePrefix: z.string().regex(/^[a-z][a-z0-9-]{2,30}$/),
  /** S3 bucket names are global: change this before deploying to your account. */
  bucketName: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/),
  /** Origins allowed to upload from a browser (CORS). */
  uploadOrigins: z.array(z.string().url()),
  /** Days after which an incomplete multipart upload is aborted and its parts deleted. */
  abortIncompleteUploadDays: z.number().int().positive(),
  logRetentionDays: z.number().int().positive(),
  /** Protects the tables (and, later, the user pool) from `terraform destroy`. */
  deletionProtection: z.boolean(),
  /**
   * Guests (no token at the edge, the identity pool's unauthenticated role) may read shared/,
   * the approved copies. Off everywhere by default: signed-in users only.
   */
  publicSharing: z.boolean(),
  processor: z.object({
    architecture: z.enum(["arm64", "x86_64"]),
    memoryMb: z.number().int().min(512).max(10240),
    timeoutSeconds: z.number().int().min(10).max(900),
    /** Caps concurrent processors so a burst cannot exhaust the account or Rekognition's TPS. */
    reservedConcurrency: z.number().int().min(1),
    /** Lambda's own retries of a failed asynchronous invocation (0–2) before the DLQ. */
    maxRetryAttempts: z.number().int().min(0).max(2),
    maxEventAgeSeconds: z.number().int().min(60).max(21600),
    dlqRetentionDays: z.number().int().min(1).max(14),
    /** The reconciler: how often it runs, and the bounds of one run (see ReconcileLimits). */
    reconcile: ReconcileLimits.extend({
      scheduleMinutes: z.number().int().min(1).max(1440),
    }),
  }),
  stateBackend: StateBackend,
  processing: ProcessingConfig,
  alerts: AlertsConfig,
  quota: QuotaConfig,
  storageLifecycle: StorageLifecycleConfig,
  waf: WafConfig,
  /**
   * Runtime id → why this environment still deploys onto it although it is within 90 days of
   * (or past) its deprecation date (packages/core/src/runtimes.ts). Empty: synthesis refuses.
   * Every use is logged as a warning at synthesis.
   */
  runtimeAcknowledgements: z.partialRecord(z.enum(LAMBDA_RUNTIME_IDS), z.string().trim().min(1)).default({}),
});
export type EnvironmentConfig = z.infer<typeof EnvironmentConfig>;

/** Parses `value` with `schema`, or throws a ConfigError that names every bad field. */
export function parseConfig<S extends z.ZodType>(schema: S, value: unknown, source: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ConfigError(`Invalid configuration in ${source}:\n${z.prettifyError(result.error)}`);
}

export const defaultProcessing: ProcessingConfig = {
  thumbnailSizes: [128, 256, 512],
  displayMaxEdge: 1600,
  maxUploadBytes: 25 * 1024 * 1024,
  maxInputPixels: 50_000_000,
  minImageEdge: 200,
  sharpTimeoutSeconds: 20,
  validation: {
    minFaceConfidence: 90,
    sunglassesConfidence: 80,
    eyesClosedConfidence: 80,
    maxYawDegrees: 25,
    maxPitchDegrees: 25,
    maxRollDegrees: 30,
    minSharpness: 20,
    minFaceAreaRatio: 0.04,
    moderationMinConfidence: 60,
  },
};

const baseProcessor: EnvironmentConfig["processor"] = {
  architecture: "arm64",
  memoryMb: 1536,
  timeoutSeconds: 60,
  reservedConcurrency: 10,
  maxRetryAttempts: 2,
  maxEventAgeSeconds: 6 * 3600,
  dlqRetentionDays: 14,
  // Every 5 minutes, uploads older than 10 minutes (Lambda's retries of a failed event take
  // up to ~3 minutes); 5,000 keys listed and 20 photos processed at most per run.
  reconcile: { scheduleMinutes: 5, olderThanSeconds: 600, maxKeysPerRun: 5000, maxRedrivesPerRun: 20 },
};

/**
 * 50 uploads and 250 MB a day: a person replacing a profile photo uploads a handful; 50 leaves
 * room for retries while capping one account's Rekognition spend at about $0.10 a day
 * (docs/operations.md has the arithmetic).
 */
export const defaultQuota: QuotaConfig = {
  daily: { uploads: 50, bytes: 250 * 1024 * 1024 },
  monthly: { uploads: 500, bytes: 2 * 1024 * 1024 * 1024 },
};

const defaultLifecycle: StorageLifecycleConfig = { rejectedOriginalDays: 30, abandonedUploadDays: 15 };
const wafOff: WafConfig = { enabled: false, requestsPer5Minutes: 300 };
const noAlerts: AlertsConfig = { emails: [], httpsEndpoints: [] };

export const environments: Record<EnvironmentName, EnvironmentConfig> = {
  dev: {
    name: "dev",
    target: "aws",
    region: "eu-west-1",
    namePrefix: "photogate-dev",
    bucketName: "photogate-dev-photos",
    uploadOrigins: ["http://localhost:5173"],
    abortIncompleteUploadDays: 1,
    logRetentionDays: 14,
    deletionProtection: false,
    publicSharing: false,
    processor: baseProcessor,
    stateBackend: { type: "local", path: "terraform.dev.tfstate" },
    processing: defaultProcessing,
    alerts: noAlerts,
    quota: defaultQuota,
    storageLifecycle: defaultLifecycle,
    waf: wafOff,
    runtimeAcknowledgements: {},
  },
  prod: {
    name: "prod",
    target: "aws",
    region: "eu-west-1",
    namePrefix: "photogate-prod",
    bucketName: "photogate-prod-photos",
    uploadOrigins: ["https://app.example.com"],
    abortIncompleteUploadDays: 1,
    logRetentionDays: 90,
    deletionProtection: true,
    publicSharing: false,
    processor: { ...baseProcessor, reservedConcurrency: 50 },
    stateBackend: {
      type: "s3",
      bucket: "photogate-prod-tfstate",
      key: "photogate/prod.tfstate",
      region: "eu-west-1",
    },
    processing: defaultProcessing,
    alerts: { emails: ["photogate-alerts@example.com"], httpsEndpoints: [] },
    quota: defaultQuota,
    storageLifecycle: defaultLifecycle,
    waf: wafOff,
    runtimeAcknowledgements: {},
  },
  localstack: {
    name: "localstack",
    target: "localstack",
    region: "us-east-1",
    namePrefix: "photogate-localstack",
    bucketName: "photogate-localstack-photos",
    uploadOrigins: ["http://localhost:5173"],
    abortIncompleteUploadDays: 1,
    logRetentionDays: 1,
    deletionProtection: false,
    publicSharing: false,
    // LocalStack runs the function in a container of the host's kind, usually x86_64.
    processor: { ...baseProcessor, architecture: "x86_64", reservedConcurrency: 2 },
    stateBackend: { type: "local", path: "terraform.localstack.tfstate" },
    processing: defaultProcessing,
    alerts: noAlerts,
    quota: defaultQuota,
    storageLifecycle: defaultLifecycle,
    waf: wafOff,
    runtimeAcknowledgements: {},
  },
};

/**
 * The embedded dev stack (`pnpm dev`) and the emulators' tests: LocalStack's settings under
 * names of its own (`photogate-local-*`), so it is never mistaken for a deployed environment.
 */
export const embeddedEnvironment: EnvironmentConfig = {
  ...environments.localstack,
  namePrefix: "photogate-local",
  bucketName: "photogate-local-photos",
};

/** Looks up and validates one environment; the error lists the valid names. */
export function loadEnvironment(name: string): EnvironmentConfig {
  const parsed = EnvironmentName.safeParse(name);
  if (!parsed.success) {
    throw new ConfigError(`Unknown environment "${name}": use one of ${ENVIRONMENT_NAMES.join(", ")}`);
  }
  return parseConfig(EnvironmentConfig, environments[parsed.data], `environment "${name}"`);
}

/** Resource names derived from the environment, in one place. */
export function resourceNames(env: EnvironmentConfig) {
  return {
    bucket: env.bucketName,
    photoTable: `${env.namePrefix}-photos`,
    auditTable: `${env.namePrefix}-audit`,
    usageTable: `${env.namePrefix}-usage`,
    userTable: `${env.namePrefix}-user-directory`,
    processorFunction: `${env.namePrefix}-processor`,
    processorDlq: `${env.namePrefix}-processor-dlq`,
    userPool: `${env.namePrefix}-users`,
    uploadClient: `${env.namePrefix}-upload`,
    adminClient: `${env.namePrefix}-admin`,
    // Identity pool names allow only word characters and spaces.
    identityPool: `${env.namePrefix.replaceAll("-", "_")}_identities`,
    edgeFunction: `${env.namePrefix}-edge-auth`,
  };
}
