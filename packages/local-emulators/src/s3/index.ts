export { S3Error, type S3ErrorCode } from "./errors";
export { type S3Gateway, type S3GatewayOptions, startS3Gateway } from "./gateway";
export {
  createS3Notifications,
  type DeadLetter,
  type DrainReport,
  encodeS3EventKey,
  type S3Notifications,
  type S3NotificationsOptions,
} from "./notifications";
export {
  type ObjectEventName,
  type S3BucketOptions,
  type S3ObjectEvent,
  type S3ObjectEvents,
  type S3Server,
  type S3ServerOptions,
  startS3Server,
} from "./s3-server";
export type { Caller } from "./sigv4";
