import { Metrics } from "@aws-lambda-powertools/metrics";
import {
  METRIC_SERVICES,
  METRICS,
  METRICS_NAMESPACE,
  type MetricDimensions,
  type MetricKeyOf,
  type ProcessingStage,
} from "@photogate/core";

export type ProcessorMetricKey = MetricKeyOf<"processor">;

/** Where one embedded-metric-format line goes: stdout on Lambda (CloudWatch Logs extracts it). */
export type EmfSink = (line: string) => void;

export const stdoutSink: EmfSink = (line) => void process.stdout.write(`${line}\n`);

/**
 * The processor's metrics, named only through core's catalogue. Data points are kept until
 * `flush` (once per invocation), which writes one EMF line per distinct dimension set: an EMF
 * document applies its dimensions to every metric in it, and Verdicts{status} and
 * StageDuration{stage} cannot share one.
 */
export interface ProcessorMetrics {
  add<K extends ProcessorMetricKey>(key: K, dimensions: MetricDimensions<K>, value?: number): void;
  /** Runs `work` and records its duration as StageDuration{stage}, whether it succeeds or throws. */
  time<T>(stage: ProcessingStage, work: () => Promise<T>): Promise<T>;
  flush(): void;
}

export interface ProcessorMetricsOptions {
  /** The `environment` default dimension (dev, prod, localstack). */
  environment: string;
  sink?: EmfSink;
  now?: () => number;
}

export function createProcessorMetrics(options: ProcessorMetricsOptions): ProcessorMetrics {
  const sink = options.sink ?? stdoutSink;
  const now = options.now ?? (() => performance.now());
  const metrics = new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: METRIC_SERVICES.processor,
    defaultDimensions: { environment: options.environment },
  });
  let pending: { key: ProcessorMetricKey; dimensions: Record<string, string>; value: number }[] = [];

  const add: ProcessorMetrics["add"] = (key, dimensions, value = 1) => {
    pending.push({ key, dimensions: dimensions as Record<string, string>, value });
  };
  return {
    add,
    async time(stage, work) {
      const started = now();
      try {
        return await work();
      } finally {
        add("stageDuration", { stage }, Math.round(now() - started));
      }
    },
    flush() {
      const groups = new Map<string, typeof pending>();
      for (const point of pending) {
        const id = JSON.stringify(Object.entries(point.dimensions).sort());
        groups.set(id, [...(groups.get(id) ?? []), point]);
      }
      pending = [];
      for (const points of groups.values()) {
        for (const [name, value] of Object.entries(points[0]!.dimensions)) metrics.addDimension(name, value);
        for (const { key, value } of points) {
          metrics.addMetric(METRICS[key].name, METRICS[key].unit, value);
        }
        // serializeMetrics rather than publishStoredMetrics: the latter writes to a private
        // console, and tests and the local stack need the line itself.
        sink(JSON.stringify(metrics.serializeMetrics()));
        metrics.clearMetrics();
        metrics.clearDimensions();
      }
    },
  };
}

/** For code paths run without metrics (tools, tests that do not look at them). */
export const noMetrics: ProcessorMetrics = {
  add() {},
  time: (_stage, work) => work(),
  flush() {},
};
