import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import { topicAlarm } from "../lib/alarm";
import { awsMetric, catalogueMetric } from "../lib/metrics";
import type { AlertTopic } from "./alert-topic";

/**
 * When each alarm fires. Counts are per 5-minute period; docs/operations.md explains each
 * number and what to do when it is crossed.
 */
export interface AlarmThresholds {
  /**
   * Throttled processor invocations per 5 minutes, in 3 periods running. Reserved concurrency
   * throttles a burst on purpose (Lambda's async queue retries it); 15 minutes of throttling
   * means uploads wait longer than a user will.
   */
  processorThrottles: number;
  /** p99 processor duration, as a share of its timeout: runs this slow are close to being killed. */
  processorDurationShareOfTimeout: number;
  /** Rekognition throttling answers per 5 minutes (each is retried; many mean the TPS quota is too low). */
  rekognitionThrottles: number;
  /** Uploads the reconciler found with no record per 5 minutes: a notification or a run was lost. */
  reconcileOrphans: number;
  /** Claims the reconciler found past their lease per 5 minutes: a run died mid-photo. */
  reconcileExpiredLeases: number;
  /** Admin API 5xx answers per 5 minutes (API Gateway's count and the function's own). */
  adminApiServerErrors: number;
  /** Upload distribution's 5xx rate (%), in 2 of 3 periods, once it serves `edgeMinimumRequests`. */
  edge5xxRatePercent: number;
  /** Upload distribution's 4xx rate (%), in 3 periods running: refusals (401/403/413/415) spiking. */
  edge4xxRatePercent: number;
  /** Requests per 5 minutes below which the edge rates are not judged. */
  edgeMinimumRequests: number;
}

export const DEFAULT_ALARM_THRESHOLDS: AlarmThresholds = {
  processorThrottles: 0,
  processorDurationShareOfTimeout: 0.8,
  rekognitionThrottles: 10,
  reconcileOrphans: 0,
  reconcileExpiredLeases: 0,
  adminApiServerErrors: 0,
  edge5xxRatePercent: 5,
  edge4xxRatePercent: 50,
  edgeMinimumRequests: 20,
};

const FIVE_MINUTES = 300;

export interface PipelineAlarmsOptions {
  /** `env.name`: the `environment` dimension of photogate's own metrics. */
  environment: string;
  namePrefix: string;
  /** The topic in the environment's region. */
  topic: AlertTopic;
  processor: { functionName: string; timeoutSeconds: number };
  /** The upload distribution, and the us-east-1 topic its alarms tell (CloudFront metrics live there). */
  edge?: { distributionId: string; topic: AlertTopic };
  adminApi?: { apiId: string };
  thresholds?: Partial<AlarmThresholds>;
}

/**
 * The alarms beyond the processor's own two (dead letters, errors; in PhotoProcessing): the
 * processor falling behind or running slow, Rekognition throttling, the reconciler finding
 * lost work, the admin API failing, and the upload edge answering 5xx or refusing en masse.
 */
export class PipelineAlarms extends Construct {
  readonly alarms: CloudwatchMetricAlarm[] = [];

  constructor(scope: Construct, id: string, options: PipelineAlarmsOptions) {
    super(scope, id);
    const t = { ...DEFAULT_ALARM_THRESHOLDS, ...options.thresholds };
    const { topic, environment, namePrefix } = options;
    const fn = { FunctionName: options.processor.functionName };
    const add = (alarm: CloudwatchMetricAlarm) => this.alarms.push(alarm);

    add(
      topicAlarm(this, "processor-throttles", topic, {
        name: `${namePrefix}-processor-throttles`,
        description: "The processor has been throttled for 15 minutes: uploads are queueing for a verdict.",
        metric: awsMetric("AWS/Lambda", "Throttles", fn),
        statistic: "Sum",
        periodSeconds: FIVE_MINUTES,
        evaluationPeriods: 3,
        threshold: t.processorThrottles,
      }),
    );
    add(
      topicAlarm(this, "processor-duration", topic, {
        name: `${namePrefix}-processor-duration`,
        description: `The processor's p99 run is above ${Math.round(t.processorDurationShareOfTimeout * 100)}% of its ${options.processor.timeoutSeconds} s timeout.`,
        metric: awsMetric("AWS/Lambda", "Duration", fn),
        statistic: "p99",
        periodSeconds: FIVE_MINUTES,
        evaluationPeriods: 1,
        threshold: Math.round(options.processor.timeoutSeconds * 1000 * t.processorDurationShareOfTimeout),
      }),
    );
    add(
      topicAlarm(this, "rekognition-throttles", topic, {
        name: `${namePrefix}-rekognition-throttles`,
        description: "Rekognition is throttling the processor: verdicts slow down, then fail after retries.",
        metric: catalogueMetric("rekognitionThrottles", environment),
        statistic: "Sum",
        periodSeconds: FIVE_MINUTES,
        evaluationPeriods: 1,
        threshold: t.rekognitionThrottles,
      }),
    );
    add(
      topicAlarm(this, "reconcile-orphans", topic, {
        name: `${namePrefix}-reconcile-orphans`,
        description: "The reconciler found uploads with no verdict record: a notification or a run was lost.",
        metric: catalogueMetric("reconcileOrphans", environment),
        statistic: "Sum",
        periodSeconds: FIVE_MINUTES,
        evaluationPeriods: 1,
        threshold: t.reconcileOrphans,
      }),
    );
    add(
      topicAlarm(this, "reconcile-expired-leases", topic, {
        name: `${namePrefix}-reconcile-expired-leases`,
        description: "The reconciler found processing claims past their lease: a run died mid-photo.",
        metric: catalogueMetric("reconcileExpiredLeases", environment),
        statistic: "Sum",
        periodSeconds: FIVE_MINUTES,
        evaluationPeriods: 1,
        threshold: t.reconcileExpiredLeases,
      }),
    );

    if (options.adminApi) {
      add(
        topicAlarm(this, "admin-api-5xx", topic, {
          name: `${namePrefix}-admin-api-5xx`,
          description: "API Gateway answered the admin app with 5xx (function errors, timeouts, throttling).",
          // HTTP APIs publish `5xx` (not REST's `5XXError`) by ApiId and Stage.
          metric: awsMetric("AWS/ApiGateway", "5xx", { ApiId: options.adminApi.apiId, Stage: "$default" }),
          statistic: "Sum",
          periodSeconds: FIVE_MINUTES,
          evaluationPeriods: 1,
          threshold: t.adminApiServerErrors,
        }),
      );
      add(
        topicAlarm(this, "admin-api-server-errors", topic, {
          name: `${namePrefix}-admin-api-server-errors`,
          description: "The admin API answered 5xx itself (a dependency failed or a bug).",
          metric: catalogueMetric("adminApiServerErrors", environment),
          statistic: "Sum",
          periodSeconds: FIVE_MINUTES,
          evaluationPeriods: 1,
          threshold: t.adminApiServerErrors,
        }),
      );
    }

    if (options.edge) {
      // CloudFront publishes its metrics only in us-east-1, with Region=Global; the alarms
      // live there too, so they tell the us-east-1 topic.
      const distribution = { DistributionId: options.edge.distributionId, Region: "Global" };
      const requests = {
        metric: awsMetric("AWS/CloudFront", "Requests", distribution),
        statistic: "Sum",
        minimum: t.edgeMinimumRequests,
      };
      add(
        topicAlarm(this, "edge-5xx", options.edge.topic, {
          name: `${namePrefix}-edge-5xx-rate`,
          description: `Over ${t.edge5xxRatePercent}% of upload-edge requests answered 5xx (edge function failing, or S3).`,
          metric: awsMetric("AWS/CloudFront", "5xxErrorRate", distribution),
          statistic: "Average",
          periodSeconds: FIVE_MINUTES,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
          threshold: t.edge5xxRatePercent,
          guard: requests,
        }),
      );
      add(
        topicAlarm(this, "edge-4xx", options.edge.topic, {
          name: `${namePrefix}-edge-4xx-rate`,
          description: `Over ${t.edge4xxRatePercent}% of upload-edge requests refused for 15 minutes (bad tokens, key probing, a broken client).`,
          metric: awsMetric("AWS/CloudFront", "4xxErrorRate", distribution),
          statistic: "Average",
          periodSeconds: FIVE_MINUTES,
          evaluationPeriods: 3,
          threshold: t.edge4xxRatePercent,
          guard: requests,
        }),
      );
    }
  }
}
