/**
 * `@photogate/core/edge`: the part of core the Lambda@Edge bundle needs, none of it built on
 * full zod (edge-config uses zod/mini). The edge imports this instead of the barrel so that a
 * zod schema declared next to a constant it uses cannot pull ~450 KB into a 1 MB-capped bundle.
 */

export * from "./edge-config";
export { ConfigError, InvalidKeyError, PhotogateError } from "./errors";
export {
  isUuid,
  parseObjectKey,
  parseUploadKey,
  SHARED_PREFIX,
  UPLOAD_CONTENT_TYPE_BY_EXTENSION,
  UPLOADS_PREFIX,
  type UploadExtension,
} from "./keys";
export * from "./upload-intent";
