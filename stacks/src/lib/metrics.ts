import { type DEFAULT_METRIC_DIMENSIONS, METRICS, METRICS_NAMESPACE, type MetricKey } from "@photogate/core";

/** One CloudWatch metric as an alarm or a dashboard widget names it. */
export interface MetricRef {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
}

/** The extra dimensions (beyond service and environment) a catalogue metric carries. */
export type ExtraDimensions<K extends MetricKey> = Record<(typeof METRICS)[K]["dimensions"][number], string>;

/**
 * A photogate metric from core's catalogue, with exactly the dimensions its emitter sets:
 * `service` and `environment`, then the metric's own. The only way the stacks name one, so an
 * alarm cannot watch a metric (or a dimension set) that nothing emits.
 */
export function catalogueMetric<K extends MetricKey>(
  key: K,
  environment: string,
  ...extra: (typeof METRICS)[K]["dimensions"] extends readonly [] ? [] : [ExtraDimensions<K>]
): MetricRef {
  const spec = METRICS[key];
  const defaults: Record<(typeof DEFAULT_METRIC_DIMENSIONS)[number], string> = {
    service: spec.service,
    environment,
  };
  return {
    namespace: METRICS_NAMESPACE,
    metricName: spec.name,
    dimensions: { ...defaults, ...(extra[0] ?? {}) },
  };
}

/** A metric AWS publishes itself (AWS/Lambda, AWS/SQS, AWS/CloudFront, AWS/ApiGateway...). */
export function awsMetric(
  namespace: `AWS/${string}`,
  metricName: string,
  dimensions: Record<string, string>,
): MetricRef {
  return { namespace, metricName, dimensions };
}
