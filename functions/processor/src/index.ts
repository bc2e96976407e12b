export { createClients, type ProcessorClients } from "./clients";
export { ENV, loadConfig, type ProcessorConfig } from "./config";
export * from "./errors";
export { analyseFaces, type FaceAnalysis } from "./faces";
export { deriveImages, inspectImage, sniffFormat } from "./image";
export { createLogger, type LogEntry, type Logger } from "./log";
export { type ProcessorDeps, processS3Event, processUpload, type UploadOutcome } from "./process-upload";
export { decodeS3Key, padSequencer, parseS3Event, type UploadEvent } from "./s3-event";
export { judgeFaces } from "./validate";
