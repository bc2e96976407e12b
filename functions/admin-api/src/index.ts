export { createLogger, type LogEntry, type Logger } from "@photogate/core";
export { type AdminApiEvent, type AdminApiResult, handleAdminRequest } from "./api";
export { authorise, type Caller, callerFrom, parseGroupsClaim } from "./auth";
export { type AdminApiClients, awsRedrive, createClients, lambdaProcessorInvoker } from "./clients";
export {
  type AdminApiConfig,
  ENV,
  loadConfig,
  loadOperationsConfig,
  OPERATIONS_ENV,
  type OperationsConfig,
} from "./config";
export type { DeadLetters } from "./dead-letters";
export type { AdminApiDeps, ProcessorInvoker, RequestContext, VerdictPublisher } from "./deps";
export {
  type DirectoryEntry,
  type DirectorySyncResult,
  readDirectory,
  refreshDirectoryEntry,
  syncDirectory,
} from "./directory";
// The caches a warm instance keeps (user directory, e-mails): benchmarks measure them cold too.
export { forgetEmails } from "./emails";
export * from "./errors";
export { type AdminApiMetrics, createAdminApiMetrics, type EmfSink } from "./metrics";
export { decodePageToken, encodePageToken } from "./pagination";
export { forgetDirectory } from "./users";
