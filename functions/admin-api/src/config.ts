import { parseConfig } from "@photogate/core";
import { z } from "zod";

/**
 * The admin API's run-time configuration, read once at cold start from the variables the
 * AdminApi construct sets. The schema is keyed by variable name, so a bad value fails the cold
 * start with a message naming the variable an operator has to fix.
 */
export const ENV = {
  photoTable: "PHOTOGATE_PHOTO_TABLE",
  auditTable: "PHOTOGATE_AUDIT_TABLE",
  bucket: "PHOTOGATE_BUCKET",
  userPoolId: "PHOTOGATE_USER_POOL_ID",
  processorFunction: "PHOTOGATE_PROCESSOR_FUNCTION",
  /** The processor's on-failure destination (its DLQ), which admins redrive. */
  deadLetterQueueUrl: "PHOTOGATE_DLQ_URL",
  presignSeconds: "PHOTOGATE_PRESIGN_SECONDS",
  pictureBaseUrl: "PHOTOGATE_PICTURE_BASE_URL",
} as const;

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), schema.optional());

const EnvSchema = z
  .object({
    [ENV.photoTable]: z.string().min(1),
    [ENV.auditTable]: z.string().min(1),
    [ENV.bucket]: z.string().min(3),
    [ENV.userPoolId]: z.string().regex(/^[\w-]+_[0-9a-zA-Z]+$/, "must look like {region}_{id}"),
    [ENV.processorFunction]: z.string().min(1),
    [ENV.deadLetterQueueUrl]: z.string().url(),
    // Long enough to load a page of thumbnails, short enough that a leaked URL soon dies.
    [ENV.presignSeconds]: optional(z.coerce.number().int().min(10).max(3600)),
    [ENV.pictureBaseUrl]: optional(z.string().url()),
    AWS_ENDPOINT_URL: z.string().optional(),
    AWS_ENDPOINT_URL_S3: z.string().optional(),
  })
  .transform((e) => ({
    photoTable: e[ENV.photoTable],
    auditTable: e[ENV.auditTable],
    bucket: e[ENV.bucket],
    userPoolId: e[ENV.userPoolId],
    processorFunction: e[ENV.processorFunction],
    deadLetterQueueUrl: e[ENV.deadLetterQueueUrl],
    presignSeconds: e[ENV.presignSeconds] ?? 300,
    /**
     * Origin serving shared/ (the distribution), for the Cognito `picture` attribute; when unset
     * the attribute holds the bare key `shared/{owner}/{photoId}/display.webp`.
     */
    pictureBaseUrl: e[ENV.pictureBaseUrl]?.replace(/\/+$/, ""),
    /** An endpoint override (LocalStack, the local stack) needs path-style S3 URLs. */
    endpointOverride: Boolean(e.AWS_ENDPOINT_URL || e.AWS_ENDPOINT_URL_S3),
  }));

export type AdminApiConfig = z.output<typeof EnvSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): AdminApiConfig {
  return parseConfig(EnvSchema, env, "the admin API's environment variables");
}
