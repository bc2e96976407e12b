import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { Construct } from "constructs";
import type { AlertTopic } from "../constructs/alert-topic";
import type { MetricRef } from "./metrics";

export interface AlarmSpec {
  name: string;
  /** What firing means, in a sentence; docs/operations.md says what to do about it. */
  description: string;
  metric: MetricRef;
  /** "Sum", "Maximum", "Average" or a percentile such as "p99". */
  statistic: string;
  periodSeconds: number;
  evaluationPeriods: number;
  /** M of the N evaluation periods that must breach; all of them by default. */
  datapointsToAlarm?: number;
  threshold: number;
  comparison?: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold";
  /**
   * Counts only while `guard` reaches `minimum` in the same period: a rate over three requests
   * says nothing. The alarm then watches `IF(guard >= minimum, metric, 0)`.
   */
  guard?: { metric: MetricRef; statistic: string; minimum: number };
}

/**
 * A CloudWatch alarm that tells `topic` when it fires and when it clears. The alarm is made
 * with the topic's provider, so it lives in the topic's region: CloudWatch only notifies a
 * topic in its own region.
 */
export function topicAlarm(scope: Construct, id: string, topic: AlertTopic, spec: AlarmSpec) {
  const common = {
    ...(topic.provider ? { provider: topic.provider } : {}),
    alarmName: spec.name,
    alarmDescription: spec.description,
    evaluationPeriods: spec.evaluationPeriods,
    datapointsToAlarm: spec.datapointsToAlarm ?? spec.evaluationPeriods,
    threshold: spec.threshold,
    comparisonOperator: spec.comparison ?? "GreaterThanThreshold",
    // No data means no traffic (or nothing emitted yet), not a failure.
    treatMissingData: "notBreaching",
    alarmActions: [topic.arn],
    okActions: [topic.arn],
  };
  if (!spec.guard) {
    const percentile = /^p\d+(\.\d+)?$/.test(spec.statistic);
    return new CloudwatchMetricAlarm(scope, id, {
      ...common,
      namespace: spec.metric.namespace,
      metricName: spec.metric.metricName,
      dimensions: spec.metric.dimensions,
      period: spec.periodSeconds,
      ...(percentile ? { extendedStatistic: spec.statistic } : { statistic: spec.statistic }),
    });
  }
  const query = (queryId: string, metric: MetricRef, stat: string) => ({
    id: queryId,
    returnData: false,
    metric: {
      namespace: metric.namespace,
      metricName: metric.metricName,
      dimensions: metric.dimensions,
      period: spec.periodSeconds,
      stat,
    },
  });
  return new CloudwatchMetricAlarm(scope, id, {
    ...common,
    metricQuery: [
      query("watched", spec.metric, spec.statistic),
      query("guard", spec.guard.metric, spec.guard.statistic),
      {
        id: "guarded",
        expression: `IF(guard >= ${spec.guard.minimum}, watched, 0)`,
        label: `${spec.metric.metricName} when ${spec.guard.metric.metricName} >= ${spec.guard.minimum}`,
        returnData: true,
      },
    ],
  });
}
