import { ENVIRONMENT_NAMES, type EnvironmentConfig, METRICS, METRICS_NAMESPACE } from "@photogate/core";
import { describe, expect, it } from "vitest";
import { environment, type ResourceConfig, resourcesOf, type Synthesized, synthStack } from "./support";

/** Every resource of one type, as configs the tests read attributes of. */
function resources(synth: Synthesized, type: string): Array<[string, ResourceConfig]> {
  return resourcesOf(synth, type);
}

/** Alerts to two people and a webhook, and the WAF on: what an operator turns on in prod. */
const alerting: EnvironmentConfig = {
  ...environment("prod"),
  alerts: {
    emails: ["oncall@example.com", "lead@example.com"],
    httpsEndpoints: ["https://hooks.example.com/a"],
  },
  waf: { enabled: true, requestsPer5Minutes: 500 },
};

const stacks: Array<[string, EnvironmentConfig, Synthesized]> = [
  ...ENVIRONMENT_NAMES.map((name): [string, EnvironmentConfig, Synthesized] => {
    const env = environment(name);
    return [name, env, synthStack(env).synth];
  }),
  ["prod with alerts and WAF", alerting, synthStack(alerting).synth],
];

/** The region each provider (by its `provider` reference, "" for the default) deploys to. */
function providerRegions(synth: Synthesized): Map<string, string> {
  const regions = new Map<string, string>();
  for (const provider of synth.provider?.aws ?? []) {
    regions.set(provider.alias ? `aws.${provider.alias}` : "", String(provider.region));
  }
  return regions;
}

function regionOf(synth: Synthesized, config: ResourceConfig): string {
  const region = providerRegions(synth).get(config.provider ?? "");
  if (!region) throw new Error(`no provider ${config.provider}`);
  return region;
}

/** `${aws_sns_topic.NAME.arn}` → that topic's config, or undefined if it names no topic. */
function topicOf(synth: Synthesized, reference: string): ResourceConfig | undefined {
  const name = /^\$\{aws_sns_topic\.([^.]+)\.arn\}$/.exec(reference)?.[1];
  return name ? synth.resource.aws_sns_topic?.[name] : undefined;
}

interface MetricUse {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
}

/** Every metric an alarm reads, whether directly or through metric math. */
function alarmMetrics(alarm: ResourceConfig): MetricUse[] {
  if (alarm.metric_query) {
    return (alarm.metric_query as ResourceConfig[])
      .filter((q) => q.metric)
      .map((q) => ({
        namespace: q.metric.namespace,
        metricName: q.metric.metric_name,
        dimensions: q.metric.dimensions ?? {},
      }));
  }
  return [{ namespace: alarm.namespace, metricName: alarm.metric_name, dimensions: alarm.dimensions ?? {} }];
}

/** Every metric a dashboard's widgets plot: `[namespace, name, dim, value, ..., options]`. */
function dashboardMetrics(body: string): Array<MetricUse & { region: string }> {
  const { widgets } = JSON.parse(body) as {
    widgets: Array<{ type: string; properties: { region: string; metrics?: unknown[][] } }>;
  };
  return widgets.flatMap((widget) =>
    (widget.properties.metrics ?? []).map((line) => {
      const parts = line.filter((part): part is string => typeof part === "string");
      const [namespace, metricName, ...pairs] = parts;
      const dimensions: Record<string, string> = {};
      for (let i = 0; i < pairs.length; i += 2) dimensions[pairs[i]!] = pairs[i + 1]!;
      return { namespace: namespace!, metricName: metricName!, dimensions, region: widget.properties.region };
    }),
  );
}

/**
 * Why `metric` is not one photogate may name (an AWS metric, or a catalogue metric with
 * exactly its dimensions for this environment), or undefined if it is.
 */
function unknownMetric(metric: MetricUse, env: EnvironmentConfig): string | undefined {
  if (metric.namespace.startsWith("AWS/")) return undefined;
  const where = `${metric.namespace}/${metric.metricName}`;
  if (metric.namespace !== METRICS_NAMESPACE) return `${where}: neither AWS/* nor ${METRICS_NAMESPACE}`;
  const spec = Object.values(METRICS).find(
    (m) => m.name === metric.metricName && m.service === metric.dimensions.service,
  );
  if (!spec) return `${where} (service ${metric.dimensions.service}) is not in the catalogue`;
  const expected = ["service", "environment", ...spec.dimensions].sort();
  if (JSON.stringify(Object.keys(metric.dimensions).sort()) !== JSON.stringify(expected)) {
    return `${where} has dimensions ${Object.keys(metric.dimensions).sort()}, the catalogue says ${expected}`;
  }
  if (metric.dimensions.environment !== env.name)
    return `${where} is for environment ${metric.dimensions.environment}`;
  return undefined;
}

describe("the metric check the tests below rely on", () => {
  const env = environment("dev");
  const base = { namespace: METRICS_NAMESPACE, metricName: "Verdicts" };

  it("accepts AWS metrics and catalogue metrics with exactly their dimensions", () => {
    expect(
      unknownMetric({ namespace: "AWS/Lambda", metricName: "Errors", dimensions: {} }, env),
    ).toBeUndefined();
    const dims = { service: "processor", environment: "dev", status: "approved" };
    expect(unknownMetric({ ...base, dimensions: dims }, env)).toBeUndefined();
  });

  it("refuses unknown names, missing or extra dimensions, another environment and other namespaces", () => {
    const dims = { service: "processor", environment: "dev", status: "approved" };
    expect(unknownMetric({ ...base, metricName: "Verdict", dimensions: dims }, env)).toMatch(/catalogue/);
    expect(unknownMetric({ ...base, dimensions: { service: "processor", environment: "dev" } }, env)).toMatch(
      /dimensions/,
    );
    expect(unknownMetric({ ...base, dimensions: { ...dims, reason: "NO_FACE" } }, env)).toMatch(/dimensions/);
    expect(unknownMetric({ ...base, dimensions: { ...dims, environment: "prod" } }, env)).toMatch(
      /environment/,
    );
    expect(unknownMetric({ ...base, namespace: "Custom", dimensions: dims }, env)).toMatch(/neither/);
  });
});

describe.each(stacks)("alarms of the %s stack", (_, env, synth) => {
  const alarms = resources(synth, "aws_cloudwatch_metric_alarm");
  const names = alarms.map(([, a]) => String(a.alarm_name));

  it("include every alarm the runbook describes", () => {
    const expected = [
      "processor-dead-letters",
      "processor-errors",
      "processor-throttles",
      "processor-duration",
      "rekognition-throttles",
      "reconcile-orphans",
      "reconcile-expired-leases",
      ...(env.target === "aws"
        ? ["admin-api-5xx", "admin-api-server-errors", "edge-5xx-rate", "edge-4xx-rate"]
        : []),
    ].map((suffix) => `${env.namePrefix}-${suffix}`);
    expect(names.sort()).toEqual(expected.sort());
  });

  it("tell a topic in their own region when they fire and when they clear", () => {
    for (const [name, alarm] of alarms) {
      for (const actions of [alarm.alarm_actions, alarm.ok_actions]) {
        expect(actions, name).toHaveLength(1);
        const topic = topicOf(synth, actions[0]);
        expect(topic, `${name} notifies ${actions[0]}`).toBeDefined();
        expect(regionOf(synth, topic!), name).toBe(regionOf(synth, alarm));
      }
    }
  });

  it("read only AWS metrics and catalogue metrics with exactly their dimensions", () => {
    const problems = alarms.flatMap(([, alarm]) => alarmMetrics(alarm).map((m) => unknownMetric(m, env)));
    expect(problems.filter(Boolean)).toEqual([]);
    // The catalogue alarms are there (the check above would pass vacuously without them).
    const custom = alarms
      .flatMap(([, a]) => alarmMetrics(a))
      .filter((m) => m.namespace === METRICS_NAMESPACE);
    expect(custom.map((m) => m.metricName).sort()).toEqual(
      [
        "ReconcileExpiredLeases",
        "ReconcileOrphans",
        "RekognitionThrottles",
        ...(env.target === "aws" ? ["ServerErrors"] : []),
      ].sort(),
    );
  });

  it("watch CloudFront from us-east-1, with Region=Global, and only where CloudFront is", () => {
    const edge = alarms.filter(([, a]) => alarmMetrics(a).some((m) => m.namespace === "AWS/CloudFront"));
    expect(edge).toHaveLength(env.target === "aws" ? 2 : 0);
    for (const [, alarm] of edge) {
      expect(regionOf(synth, alarm)).toBe("us-east-1");
      for (const m of alarmMetrics(alarm)) expect(m.dimensions.Region).toBe("Global");
    }
  });

  it("fire when the processor's p99 run passes 80% of its timeout", () => {
    const duration = alarms.find(([, a]) => a.alarm_name === `${env.namePrefix}-processor-duration`)![1];
    expect(duration).toMatchObject({
      namespace: "AWS/Lambda",
      metric_name: "Duration",
      extended_statistic: "p99",
      threshold: env.processor.timeoutSeconds * 1000 * 0.8,
    });
  });
});

describe.each(stacks)("alert topics of the %s stack", (_, env, synth) => {
  const topics = resources(synth, "aws_sns_topic");
  const subscriptions = resources(synth, "aws_sns_topic_subscription");

  it("are one per region alarms live in, each subscribed to exactly the configured addresses", () => {
    const regions = topics.map(([, t]) => regionOf(synth, t)).sort();
    expect(regions).toEqual(env.target === "aws" ? [env.region, "us-east-1"].sort() : [env.region]);
    const expected = [
      ...env.alerts.emails.map((endpoint) => ({ protocol: "email", endpoint })),
      ...env.alerts.httpsEndpoints.map((endpoint) => ({ protocol: "https", endpoint })),
    ];
    for (const [name] of topics) {
      const own = subscriptions
        .filter(([, s]) => s.topic_arn === `\${aws_sns_topic.${name}.arn}`)
        .map(([, s]) => {
          expect(regionOf(synth, s)).toBe(regionOf(synth, topics.find(([n]) => n === name)![1]));
          return { protocol: s.protocol, endpoint: s.endpoint };
        });
      expect(own, name).toEqual(expected);
    }
    expect(subscriptions).toHaveLength(expected.length * topics.length);
  });
});

describe("an AWS environment in us-east-1", () => {
  const env = { ...environment("dev"), region: "us-east-1" };
  const { synth } = synthStack(env);

  it("has one topic, which the edge alarms tell too", () => {
    expect(resources(synth, "aws_sns_topic")).toHaveLength(1);
    const [name] = resources(synth, "aws_sns_topic")[0]!;
    for (const [, alarm] of resources(synth, "aws_cloudwatch_metric_alarm")) {
      expect(alarm.alarm_actions).toEqual([`\${aws_sns_topic.${name}.arn}`]);
    }
  });
});

describe.each(stacks)("the dashboard of the %s stack", (_, env, synth) => {
  const dashboards = resources(synth, "aws_cloudwatch_dashboard");

  if (env.target !== "aws") {
    it("is not made on LocalStack, where nothing would publish its metrics", () => {
      expect(dashboards).toEqual([]);
    });
    return;
  }

  const [, dashboard] = dashboards[0]!;
  const metrics = dashboardMetrics(dashboard.dashboard_body);

  it("is one per environment, named after it", () => {
    expect(dashboards).toHaveLength(1);
    expect(dashboard.dashboard_name).toBe(env.namePrefix);
  });

  it("plots only AWS metrics and catalogue metrics with exactly their dimensions", () => {
    expect(metrics.map((m) => unknownMetric(m, env)).filter(Boolean)).toEqual([]);
  });

  it("shows the pipeline's health: verdicts, reasons, stages, dead letters, processor, quota, reconciler, edge, admin API", () => {
    const names = new Set(metrics.map((m) => `${m.namespace}/${m.metricName}`));
    for (const expected of [
      "Photogate/Verdicts",
      "Photogate/RejectionReasons",
      "Photogate/StageDuration",
      "AWS/SQS/ApproximateNumberOfMessagesVisible",
      "AWS/Lambda/Errors",
      "AWS/Lambda/Throttles",
      "AWS/Lambda/Duration",
      "Photogate/QuotaRefusals",
      "Photogate/ReconcileOrphans",
      "Photogate/ReconcileExpiredLeases",
      "AWS/CloudFront/Requests",
      "AWS/CloudFront/5xxErrorRate",
      "AWS/CloudFront/4xxErrorRate",
      "AWS/ApiGateway/5xx",
      "Photogate/ServerErrors",
    ]) {
      expect(names, expected).toContain(expected);
    }
    const statuses = metrics.filter((m) => m.metricName === "Verdicts").map((m) => m.dimensions.status);
    expect(statuses).toEqual(["approved", "rejected", "failed"]);
  });

  it("reads CloudFront from us-east-1 and everything else from the environment's region", () => {
    for (const m of metrics) {
      expect(m.region, `${m.namespace}/${m.metricName}`).toBe(
        m.namespace === "AWS/CloudFront" ? "us-east-1" : env.region,
      );
    }
  });
});

describe.each(stacks)("the WAF of the %s stack", (_, env, synth) => {
  const acls = resources(synth, "aws_wafv2_web_acl");
  const distributions = resources(synth, "aws_cloudfront_distribution");
  const upload = distributions.find(([, d]) => String(d.comment).endsWith(" photos"));

  if (!env.waf.enabled) {
    it("does not exist, and no distribution names a web ACL", () => {
      expect(acls).toEqual([]);
      for (const [, d] of distributions) expect(d.web_acl_id).toBeUndefined();
    });
    return;
  }

  it("is a CLOUDFRONT web ACL in us-east-1 that blocks an IP over the configured rate", () => {
    expect(acls).toHaveLength(1);
    const [, acl] = acls[0]!;
    expect(acl.scope).toBe("CLOUDFRONT");
    expect(regionOf(synth, acl)).toBe("us-east-1");
    expect(acl.default_action).toEqual({ allow: {} });
    expect(acl.rule).toHaveLength(1);
    expect(acl.rule[0]).toMatchObject({
      action: { block: {} },
      statement: {
        rate_based_statement: {
          limit: env.waf.requestsPer5Minutes,
          aggregate_key_type: "IP",
          evaluation_window_sec: 300,
        },
      },
    });
  });

  it("is attached to the upload distribution only", () => {
    const [name] = acls[0]!;
    expect(upload![1].web_acl_id).toBe(`\${aws_wafv2_web_acl.${name}.arn}`);
    for (const [, d] of distributions.filter((x) => x !== upload)) expect(d.web_acl_id).toBeUndefined();
  });
});
