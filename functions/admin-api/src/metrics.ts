import { Metrics } from "@aws-lambda-powertools/metrics";
import { METRIC_SERVICES, METRICS, METRICS_NAMESPACE } from "@photogate/core";

/** Where one embedded-metric-format line goes: stdout on Lambda (CloudWatch Logs extracts it). */
export type EmfSink = (line: string) => void;

/** The admin API's one catalogue metric, flushed once per request. */
export interface AdminApiMetrics {
  serverError(): void;
  flush(): void;
}

export function createAdminApiMetrics(options: { environment: string; sink?: EmfSink }): AdminApiMetrics {
  const sink = options.sink ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const metrics = new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: METRIC_SERVICES.adminApi,
    defaultDimensions: { environment: options.environment },
  });
  const spec = METRICS.adminApiServerErrors;
  let errors = 0;
  return {
    serverError: () => void errors++,
    flush() {
      if (errors === 0) return;
      metrics.addMetric(spec.name, spec.unit, errors);
      errors = 0;
      // serializeMetrics rather than publishStoredMetrics: the latter writes to a private console.
      sink(JSON.stringify(metrics.serializeMetrics()));
      metrics.clearMetrics();
    },
  };
}
