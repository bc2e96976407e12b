import { UPLOAD_INTENT_HEADER } from "./profile-picture";

/**
 * The photo bucket's CORS rule for browser uploads at the environment's `uploadOrigins`: PUT,
 * GET and HEAD with SigV4 headers (or presigned URLs), reading the ETag. The stacks synthesize
 * it and the local bucket answers preflights with it, so the two cannot drift.
 */
export const UPLOAD_CORS_RULE = {
  allowedMethods: ["PUT", "GET", "HEAD"],
  allowedHeaders: [
    "authorization",
    "content-type",
    "content-length",
    "content-md5",
    "x-amz-content-sha256",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-user-agent",
    "x-amz-checksum-crc32",
    "x-amz-sdk-checksum-algorithm",
    // The upload intent (profile picture), user metadata the processor reads.
    UPLOAD_INTENT_HEADER,
  ],
  exposeHeaders: ["ETag"],
  maxAgeSeconds: 3000,
} as const;
