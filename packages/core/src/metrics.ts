/**
 * The metrics photogate's functions emit in CloudWatch's embedded metric format, and that the
 * stacks' alarms and dashboard read. One catalogue for both sides: a dashboard widget or an
 * alarm can only name a metric listed here, with exactly these dimensions.
 *
 * Every metric also carries the default dimensions `service` (which function) and
 * `environment` (dev, prod, localstack), set once per function by its metrics instance.
 */
export const METRICS_NAMESPACE = "Photogate";

export const METRIC_SERVICES = { processor: "processor", adminApi: "admin-api" } as const;
export type MetricService = (typeof METRIC_SERVICES)[keyof typeof METRIC_SERVICES];

/** The default dimensions every photogate metric carries, in this order. */
export const DEFAULT_METRIC_DIMENSIONS = ["service", "environment"] as const;

/** The processor's stages, timed separately (StageDuration's `stage` dimension). */
export const PROCESSING_STAGES = ["read", "derive", "rekognition", "publish"] as const;
export type ProcessingStage = (typeof PROCESSING_STAGES)[number];

export type MetricUnit = "Count" | "Milliseconds" | "Bytes";

export interface MetricSpec {
  readonly name: string;
  readonly unit: MetricUnit;
  readonly service: MetricService;
  /** Dimensions beyond the defaults; each data point carries exactly these. */
  readonly dimensions: readonly string[];
  readonly description: string;
}

export const METRICS = {
  verdicts: {
    name: "Verdicts",
    unit: "Count",
    service: "processor",
    dimensions: ["status"],
    description: "Final and non-final verdicts published, by status (approved, rejected, failed).",
  },
  rejectionReasons: {
    name: "RejectionReasons",
    unit: "Count",
    service: "processor",
    dimensions: ["reason"],
    description: "One data point per reason code of a rejected photo (a photo may have several).",
  },
  stageDuration: {
    name: "StageDuration",
    unit: "Milliseconds",
    service: "processor",
    dimensions: ["stage"],
    description: "Time spent in one processing stage (read, derive, rekognition, publish).",
  },
  rekognitionRetries: {
    name: "RekognitionRetries",
    unit: "Count",
    service: "processor",
    dimensions: [],
    description: "Rekognition calls retried after throttling or a transient error.",
  },
  rekognitionThrottles: {
    name: "RekognitionThrottles",
    unit: "Count",
    service: "processor",
    dimensions: [],
    description: "Rekognition answers that were throttling errors (retried or not).",
  },
  quotaRefusals: {
    name: "QuotaRefusals",
    unit: "Count",
    service: "processor",
    dimensions: [],
    description: "Uploads rejected QUOTA_EXCEEDED before any Rekognition call.",
  },
  reconcileOrphans: {
    name: "ReconcileOrphans",
    unit: "Count",
    service: "processor",
    dimensions: [],
    description: "Uploads the reconciler found with no record, or a record of an older upload.",
  },
  reconcileExpiredLeases: {
    name: "ReconcileExpiredLeases",
    unit: "Count",
    service: "processor",
    dimensions: [],
    description: "Processing claims the reconciler found past their lease.",
  },
  adminApiServerErrors: {
    name: "ServerErrors",
    unit: "Count",
    service: "admin-api",
    dimensions: [],
    description: "Admin API answers with a 5xx status.",
  },
} as const satisfies Record<string, MetricSpec>;

export type MetricKey = keyof typeof METRICS;

/** The extra dimensions one catalogue metric takes, each a string value. */
export type MetricDimensions<K extends MetricKey> = {
  [D in (typeof METRICS)[K]["dimensions"][number]]: string;
};

/** The catalogue metrics one function emits. */
export type MetricKeyOf<S extends MetricService> = {
  [K in MetricKey]: (typeof METRICS)[K]["service"] extends S ? K : never;
}[MetricKey];
