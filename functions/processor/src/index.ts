export { createLogger, decodeS3Key, type LogEntry, type Logger } from "@photogate/core";
export { createClients, type ProcessorClients } from "./clients";
export {
  DEFAULT_MAX_ATTEMPTS,
  ENV,
  loadConfig,
  loadOperationsConfig,
  OPERATIONS_ENV,
  type OperationsConfig,
  type ProcessorConfig,
  type QuotaSettings,
} from "./config";
export * from "./errors";
export { analyseFaces, type FaceAnalysis } from "./faces";
export { deriveImages, inspectImage, sniffFormat } from "./image";
export { classifyInvocation, type Invocation } from "./invocation";
export {
  createProcessorMetrics,
  type EmfSink,
  noMetrics,
  type ProcessorMetricKey,
  type ProcessorMetrics,
  stdoutSink,
} from "./metrics";
export {
  handleReprocessRequest,
  type ProcessorDeps,
  processS3Event,
  processUpload,
  reprocessPhoto,
  type UploadOutcome,
} from "./process-upload";
export {
  DEFAULT_RECONCILE_LIMITS,
  type ReconcileOptions,
  type ReconcileReport,
  type RedriveCause,
  reconcile,
} from "./reconcile";
export { padSequencer, parseS3Event, type UploadEvent } from "./s3-event";
export { judgeFaces } from "./validate";
