/**
 * The upload intent travels as S3 user metadata, so both upload paths carry it unchanged: the
 * edge forwards the header to S3 (and checks its value), a direct PUT with identity-pool
 * credentials sends the same header; the processor reads it back with the object.
 * Its own zod-free module: the edge bundle imports it (see edge.ts).
 */
export const UPLOAD_INTENT_METADATA = "photogate-intent";
export const UPLOAD_INTENT_HEADER = `x-amz-meta-${UPLOAD_INTENT_METADATA}`;
export const UPLOAD_INTENTS = ["profile-picture"] as const;
