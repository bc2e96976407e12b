import { z } from "zod";
import { EnvironmentName, ProcessingConfig, QuotaConfig, StorageLifecycleConfig } from "./config";
import { claimLeaseSeconds } from "./lease";
import { ReconcileLimits } from "./verdict";

/**
 * The environment variables of the two regional functions: their names, a schema per function
 * that the function's config loader parses `process.env` with, and the inverse (typed values →
 * the variables map) that the stacks and the local stack set. The schemas are keyed by variable
 * name, so a bad value fails the cold start with a message naming the variable to fix.
 */

/** An unset or blank variable counts as absent, as Lambda's console leaves blank values behind. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), schema.optional());

/** A variable that must be set: a missing one says what it should hold. */
const required = (what: string) =>
  z
    .string({ error: `is not set: it must ${what}` })
    .trim()
    .min(1, `is empty: it must ${what}`);

/** A variable holding JSON of `schema`; its fields' problems are reported under the variable's name. */
const jsonOf = <T extends z.ZodType>(schema: T, what: string) =>
  z
    .string({ error: `is not set: it must hold ${what} as JSON` })
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: `is not valid JSON: it must hold ${what}` });
        return z.NEVER;
      }
    })
    .pipe(schema);

/** A whole number in [min, max], read from a string; the message repeats the bad value. */
const wholeNumber = (min: number, max: number, what: string) =>
  z.preprocess(
    (v) => (typeof v === "string" ? v.trim() : v),
    z.string().transform((raw, ctx) => {
      const value = Number(raw);
      if (raw === "" || !Number.isInteger(value) || value < min || value > max) {
        ctx.addIssue({ code: "custom", message: `must be ${what} from ${min} to ${max}, not "${raw}"` });
        return z.NEVER;
      }
      return value;
    }),
  );

const USER_POOL_ID = /^[\w-]+_[0-9a-zA-Z]+$/;
const ORIGIN = /^https?:\/\/[^/\s]+$/;
const trimSlashes = (url: string) => url.replace(/\/+$/, "");

/** Endpoint overrides the SDK reads itself; photogate only needs to know one is set. */
const EndpointOverrides = {
  AWS_ENDPOINT_URL: z.string().optional(),
  AWS_ENDPOINT_URL_S3: z.string().optional(),
};
const hasEndpointOverride = (e: { AWS_ENDPOINT_URL?: string; AWS_ENDPOINT_URL_S3?: string }) =>
  Boolean(e.AWS_ENDPOINT_URL || e.AWS_ENDPOINT_URL_S3);

// ---------------------------------------------------------------------------------------------
// Processor

export const PROCESSOR_ENV = {
  photoTable: "PHOTOGATE_PHOTO_TABLE",
  processing: "PHOTOGATE_PROCESSING",
  bucket: "PHOTOGATE_BUCKET",
  maxAttempts: "PHOTOGATE_MAX_ATTEMPTS",
  leaseSeconds: "PHOTOGATE_CLAIM_LEASE_SECONDS",
  reconcile: "PHOTOGATE_RECONCILE",
  userPoolId: "PHOTOGATE_USER_POOL_ID",
  pictureBaseUrl: "PHOTOGATE_PICTURE_BASE_URL",
} as const;

/** Without a lease set: the lease of the longest Lambda timeout, so a live run is never taken over. */
export const DEFAULT_LEASE_SECONDS = claimLeaseSeconds({ timeoutSeconds: 900 });

/** Lambda's default for asynchronous invocations: the first try and two retries. */
export const DEFAULT_MAX_ATTEMPTS = 3;

/** The processor's run-time configuration, read once at cold start. */
export interface ProcessorConfig {
  /** DynamoDB table holding photo records. */
  photoTable: string;
  /** Thresholds and sizes. */
  processing: ProcessingConfig;
  /**
   * True when an endpoint override (LocalStack, the local stack, s3rver) is set: those need
   * path-style S3 URLs. The SDK reads the endpoint variables itself.
   */
  endpointOverride: boolean;
  /** The photo bucket; reprocess requests name no bucket, so they need it. */
  bucket?: string;
  /**
   * Invocations Lambda makes of one event before the DLQ (1 + its retries; default 3). A failure
   * before the last attempt publishes a verdict that is not final.
   */
  maxAttempts?: number;
  /** How long a `processing` claim holds the photo (claimLeaseSeconds of the function's timeout). */
  leaseSeconds?: number;
  /** Bounds of a reconciler run. */
  reconcile?: ReconcileLimits;
  /**
   * The user pool whose `picture` an approved profile-picture upload sets; without it
   * (LocalStack has no Cognito) such uploads say NOT_CONFIGURED in their verdict.
   */
  userPoolId?: string;
  /** Origin serving shared/ (the distribution), for the `picture` value. */
  pictureBaseUrl?: string;
}

/** What the processor's environment carries: its config without what the runtime tells it. */
export type ProcessorEnvValues = Omit<ProcessorConfig, "endpointOverride">;

export const ProcessorEnv = z
  .object({
    [PROCESSOR_ENV.photoTable]: required("name the photo table"),
    [PROCESSOR_ENV.processing]: jsonOf(ProcessingConfig, "the processing config (core's ProcessingConfig)"),
    [PROCESSOR_ENV.bucket]: optional(z.string().trim()),
    [PROCESSOR_ENV.maxAttempts]: optional(
      wholeNumber(1, 3, "a whole number of attempts (Lambda's first try and its retries)"),
    ),
    [PROCESSOR_ENV.leaseSeconds]: optional(wholeNumber(1, 3600, "a whole number of seconds")),
    [PROCESSOR_ENV.reconcile]: optional(jsonOf(ReconcileLimits, "the reconciler's limits")),
    [PROCESSOR_ENV.userPoolId]: optional(
      z
        .string()
        .trim()
        .regex(USER_POOL_ID, "must look like {region}_{id}: the id of the user pool, not its name or ARN"),
    ),
    [PROCESSOR_ENV.pictureBaseUrl]: optional(
      z
        .string()
        .trim()
        .transform(trimSlashes)
        .pipe(
          z.string().regex(ORIGIN, "must be an origin such as https://d111.cloudfront.net, with no path"),
        ),
    ),
    ...EndpointOverrides,
  })
  .transform(
    (e): ProcessorConfig => ({
      photoTable: e[PROCESSOR_ENV.photoTable],
      processing: e[PROCESSOR_ENV.processing],
      endpointOverride: hasEndpointOverride(e),
      ...(e[PROCESSOR_ENV.bucket] ? { bucket: e[PROCESSOR_ENV.bucket] } : {}),
      maxAttempts: e[PROCESSOR_ENV.maxAttempts] ?? DEFAULT_MAX_ATTEMPTS,
      leaseSeconds: e[PROCESSOR_ENV.leaseSeconds] ?? DEFAULT_LEASE_SECONDS,
      ...(e[PROCESSOR_ENV.reconcile] ? { reconcile: e[PROCESSOR_ENV.reconcile] } : {}),
      ...(e[PROCESSOR_ENV.userPoolId] ? { userPoolId: e[PROCESSOR_ENV.userPoolId] } : {}),
      ...(e[PROCESSOR_ENV.pictureBaseUrl] ? { pictureBaseUrl: e[PROCESSOR_ENV.pictureBaseUrl] } : {}),
    }),
  );

/** The variables that give the processor `values`: what the stacks and the local stack set. */
export function processorEnvironment(values: ProcessorEnvValues): Record<string, string> {
  const variables: Record<string, string> = {
    [PROCESSOR_ENV.photoTable]: values.photoTable,
    [PROCESSOR_ENV.processing]: JSON.stringify(values.processing),
  };
  if (values.bucket !== undefined) variables[PROCESSOR_ENV.bucket] = values.bucket;
  if (values.maxAttempts !== undefined) variables[PROCESSOR_ENV.maxAttempts] = String(values.maxAttempts);
  if (values.leaseSeconds !== undefined) variables[PROCESSOR_ENV.leaseSeconds] = String(values.leaseSeconds);
  if (values.reconcile !== undefined) {
    const { olderThanSeconds, maxKeysPerRun, maxRedrivesPerRun } = values.reconcile;
    variables[PROCESSOR_ENV.reconcile] = JSON.stringify({
      olderThanSeconds,
      maxKeysPerRun,
      maxRedrivesPerRun,
    });
  }
  if (values.userPoolId !== undefined) variables[PROCESSOR_ENV.userPoolId] = values.userPoolId;
  if (values.pictureBaseUrl !== undefined) variables[PROCESSOR_ENV.pictureBaseUrl] = values.pictureBaseUrl;
  return variables;
}

// ---------------------------------------------------------------------------------------------
// Admin API

export const ADMIN_API_ENV = {
  photoTable: "PHOTOGATE_PHOTO_TABLE",
  auditTable: "PHOTOGATE_AUDIT_TABLE",
  bucket: "PHOTOGATE_BUCKET",
  userPoolId: "PHOTOGATE_USER_POOL_ID",
  processorFunction: "PHOTOGATE_PROCESSOR_FUNCTION",
  /** The processor's on-failure destination (its DLQ), which admins redrive. */
  deadLetterQueueUrl: "PHOTOGATE_DLQ_URL",
  presignSeconds: "PHOTOGATE_PRESIGN_SECONDS",
  pictureBaseUrl: "PHOTOGATE_PICTURE_BASE_URL",
  /** The user directory (core's userTable); without it the users search walks Cognito. */
  userTable: "PHOTOGATE_USER_TABLE",
} as const;

/** Presigned image URLs live this long unless the environment says otherwise. */
export const DEFAULT_PRESIGN_SECONDS = 300;

export const AdminApiEnv = z
  .object({
    [ADMIN_API_ENV.photoTable]: required("name the photo table"),
    [ADMIN_API_ENV.auditTable]: required("name the audit table"),
    [ADMIN_API_ENV.bucket]: required("name the photo bucket").pipe(
      z.string().min(3, "is too short for a bucket name"),
    ),
    [ADMIN_API_ENV.userPoolId]: required("hold the user pool id").pipe(
      z
        .string()
        .regex(USER_POOL_ID, "must look like {region}_{id}: the id of the user pool, not its name or ARN"),
    ),
    [ADMIN_API_ENV.processorFunction]: required("name the processor function"),
    [ADMIN_API_ENV.deadLetterQueueUrl]: required("hold the processor's dead-letter queue URL").pipe(
      z.url("must be the queue's URL (https://sqs.{region}.amazonaws.com/{account}/{name})"),
    ),
    // Long enough to load a page of thumbnails, short enough that a leaked URL soon dies.
    [ADMIN_API_ENV.presignSeconds]: optional(wholeNumber(10, 3600, "a whole number of seconds")),
    [ADMIN_API_ENV.pictureBaseUrl]: optional(
      z
        .string()
        .trim()
        .transform(trimSlashes)
        .pipe(
          z.string().regex(ORIGIN, "must be an origin such as https://d111.cloudfront.net, with no path"),
        ),
    ),
    [ADMIN_API_ENV.userTable]: optional(z.string().trim()),
    ...EndpointOverrides,
  })
  .transform((e) => ({
    photoTable: e[ADMIN_API_ENV.photoTable],
    auditTable: e[ADMIN_API_ENV.auditTable],
    bucket: e[ADMIN_API_ENV.bucket],
    userPoolId: e[ADMIN_API_ENV.userPoolId],
    processorFunction: e[ADMIN_API_ENV.processorFunction],
    deadLetterQueueUrl: e[ADMIN_API_ENV.deadLetterQueueUrl],
    presignSeconds: e[ADMIN_API_ENV.presignSeconds] ?? DEFAULT_PRESIGN_SECONDS,
    /**
     * Origin serving shared/ (the distribution), for the Cognito `picture` attribute; when unset
     * the attribute holds the bare key `shared/{owner}/{photoId}/display.webp`.
     */
    pictureBaseUrl: e[ADMIN_API_ENV.pictureBaseUrl],
    userTable: e[ADMIN_API_ENV.userTable],
    /** An endpoint override (LocalStack, the local stack) needs path-style S3 URLs. */
    endpointOverride: hasEndpointOverride(e),
  }));

export type AdminApiConfig = z.output<typeof AdminApiEnv>;

/** What the admin API's environment carries; the two optional values fall back to defaults. */
export type AdminApiEnvValues = Omit<
  AdminApiConfig,
  "endpointOverride" | "presignSeconds" | "pictureBaseUrl" | "userTable"
> & {
  presignSeconds?: number | undefined;
  pictureBaseUrl?: string | undefined;
  userTable?: string | undefined;
};

/** The variables that give the admin API `values`: what the AdminApi construct sets. */
export function adminApiEnvironment(values: AdminApiEnvValues): Record<string, string> {
  return {
    [ADMIN_API_ENV.photoTable]: values.photoTable,
    [ADMIN_API_ENV.auditTable]: values.auditTable,
    [ADMIN_API_ENV.bucket]: values.bucket,
    [ADMIN_API_ENV.userPoolId]: values.userPoolId,
    [ADMIN_API_ENV.processorFunction]: values.processorFunction,
    [ADMIN_API_ENV.deadLetterQueueUrl]: values.deadLetterQueueUrl,
    ...(values.presignSeconds === undefined
      ? {}
      : { [ADMIN_API_ENV.presignSeconds]: String(values.presignSeconds) }),
    ...(values.pictureBaseUrl === undefined ? {} : { [ADMIN_API_ENV.pictureBaseUrl]: values.pictureBaseUrl }),
    ...(values.userTable === undefined ? {} : { [ADMIN_API_ENV.userTable]: values.userTable }),
  };
}

// ---------------------------------------------------------------------------------------------
// Operations (both functions: metrics, the per-user quota, the storage lifecycle)

export const OPERATIONS_ENV = {
  /** The `environment` dimension of every metric. */
  environment: "PHOTOGATE_ENVIRONMENT",
  /** The usage table the quota counts in. */
  usageTable: "PHOTOGATE_USAGE_TABLE",
  /** JSON of QuotaConfig: the environment's default limits. */
  quota: "PHOTOGATE_QUOTA",
  /** JSON of StorageLifecycleConfig: when rejected and failed originals expire (the processor's). */
  storageLifecycle: "PHOTOGATE_STORAGE_LIFECYCLE",
} as const;

export interface QuotaSettings {
  usageTable: string;
  limits: QuotaConfig;
}

/** What a function needs for metrics, the per-user quota and the storage lifecycle. */
export interface OperationsConfig {
  environment: EnvironmentName;
  /** Absent: no quota is enforced (both the table and the limits must be set, or neither). */
  quota?: QuotaSettings;
  /** Absent: records carry no `originalExpiresAt`. */
  storageLifecycle?: StorageLifecycleConfig;
}

export const OperationsEnv = z
  .object({
    [OPERATIONS_ENV.environment]: required(
      `name the environment (${EnvironmentName.options.join(", ")})`,
    ).pipe(EnvironmentName),
    [OPERATIONS_ENV.usageTable]: optional(z.string().trim()),
    [OPERATIONS_ENV.quota]: optional(jsonOf(QuotaConfig, "the quota limits (core's QuotaConfig)")),
    [OPERATIONS_ENV.storageLifecycle]: optional(
      jsonOf(StorageLifecycleConfig, "the storage lifecycle (core's StorageLifecycleConfig)"),
    ),
  })
  .superRefine((e, ctx) => {
    if (Boolean(e[OPERATIONS_ENV.usageTable]) !== Boolean(e[OPERATIONS_ENV.quota])) {
      ctx.addIssue({
        code: "custom",
        path: [e[OPERATIONS_ENV.usageTable] ? OPERATIONS_ENV.quota : OPERATIONS_ENV.usageTable],
        message: `${OPERATIONS_ENV.usageTable} and ${OPERATIONS_ENV.quota} must be set together (the quota needs its table)`,
      });
    }
  })
  .transform((e): OperationsConfig => {
    const usageTable = e[OPERATIONS_ENV.usageTable];
    const limits = e[OPERATIONS_ENV.quota];
    const storageLifecycle = e[OPERATIONS_ENV.storageLifecycle];
    return {
      environment: e[OPERATIONS_ENV.environment],
      ...(usageTable && limits ? { quota: { usageTable, limits } } : {}),
      ...(storageLifecycle ? { storageLifecycle } : {}),
    };
  });

/** The operations variables that give a function `values`: what both function constructs set. */
export function operationsEnvironment(values: OperationsConfig): Record<string, string> {
  return {
    [OPERATIONS_ENV.environment]: values.environment,
    ...(values.quota
      ? {
          [OPERATIONS_ENV.usageTable]: values.quota.usageTable,
          [OPERATIONS_ENV.quota]: JSON.stringify(values.quota.limits),
        }
      : {}),
    ...(values.storageLifecycle
      ? { [OPERATIONS_ENV.storageLifecycle]: JSON.stringify(values.storageLifecycle) }
      : {}),
  };
}
