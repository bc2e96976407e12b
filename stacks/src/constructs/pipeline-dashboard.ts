import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { type PhotoStatus, PROCESSING_STAGES, REASON_CODES } from "@photogate/core";
import { Construct } from "constructs";
import { awsMetric, catalogueMetric, type MetricRef } from "../lib/metrics";

/** The statuses a verdict is published with (the `status` dimension of Verdicts). */
const VERDICT_STATUSES = ["approved", "rejected", "failed"] as const satisfies readonly PhotoStatus[];

export interface PipelineDashboardOptions {
  name: string;
  /** `env.name`: the `environment` dimension of photogate's own metrics. */
  environment: string;
  /** Where the dashboard and the regional metrics live. */
  region: string;
  processor: { functionName: string; timeoutSeconds: number };
  deadLetterQueueName: string;
  /** The upload distribution; its metrics are read from us-east-1. */
  distributionId?: string;
  adminApiId?: string;
  provider?: AwsProvider;
}

interface Line {
  metric: MetricRef;
  stat: string;
  label: string;
}

interface Widget {
  title: string;
  lines: Line[];
  /** CloudFront's metrics exist only in us-east-1; everything else is in the dashboard's region. */
  region?: string;
  /** A horizontal line, e.g. the processor's timeout. */
  annotation?: { label: string; value: number };
}

/** The CloudWatch widget JSON: `[namespace, name, dim, value, ..., { stat, label }]` per line. */
function metricWidget(widget: Widget, region: string, index: number) {
  return {
    type: "metric",
    x: (index % 2) * 12,
    y: Math.floor(index / 2) * 6,
    width: 12,
    height: 6,
    properties: {
      title: widget.title,
      view: "timeSeries",
      stacked: false,
      region: widget.region ?? region,
      period: 300,
      metrics: widget.lines.map(({ metric, stat, label }) => [
        metric.namespace,
        metric.metricName,
        ...Object.entries(metric.dimensions).flat(),
        { stat, label },
      ]),
      ...(widget.annotation ? { annotations: { horizontal: [widget.annotation] } } : {}),
    },
  };
}

/**
 * One dashboard per environment with the pipeline's health at a glance: what the processor
 * decided and why, how long each stage takes, what is failing or waiting, what the reconciler
 * had to repair, and how the upload edge and the admin API answer. Every photogate metric on
 * it comes from core's catalogue.
 */
export class PipelineDashboard extends Construct {
  readonly dashboard: CloudwatchDashboard;
  readonly widgets: Widget[];

  constructor(scope: Construct, id: string, options: PipelineDashboardOptions) {
    super(scope, id);
    const env = options.environment;
    const fn = { FunctionName: options.processor.functionName };
    const sum = (metric: MetricRef, label: string): Line => ({ metric, stat: "Sum", label });

    this.widgets = [
      {
        title: "Verdicts by status",
        lines: VERDICT_STATUSES.map((status) => sum(catalogueMetric("verdicts", env, { status }), status)),
      },
      {
        title: "Rejection reasons",
        lines: REASON_CODES.map((reason) =>
          sum(catalogueMetric("rejectionReasons", env, { reason }), reason),
        ),
      },
      {
        title: "Stage duration (p90, ms)",
        lines: PROCESSING_STAGES.map((stage) => ({
          metric: catalogueMetric("stageDuration", env, { stage }),
          stat: "p90",
          label: stage,
        })),
      },
      {
        title: "Dead letters waiting",
        lines: [
          {
            metric: awsMetric("AWS/SQS", "ApproximateNumberOfMessagesVisible", {
              QueueName: options.deadLetterQueueName,
            }),
            stat: "Maximum",
            label: "messages visible",
          },
        ],
      },
      {
        title: "Processor invocations, errors, throttles",
        lines: [
          sum(awsMetric("AWS/Lambda", "Invocations", fn), "invocations"),
          sum(awsMetric("AWS/Lambda", "Errors", fn), "errors"),
          sum(awsMetric("AWS/Lambda", "Throttles", fn), "throttles"),
        ],
      },
      {
        title: "Processor duration (ms)",
        lines: [
          { metric: awsMetric("AWS/Lambda", "Duration", fn), stat: "p50", label: "p50" },
          { metric: awsMetric("AWS/Lambda", "Duration", fn), stat: "p99", label: "p99" },
          { metric: awsMetric("AWS/Lambda", "Duration", fn), stat: "Maximum", label: "max" },
        ],
        annotation: { label: "timeout", value: options.processor.timeoutSeconds * 1000 },
      },
      {
        title: "Quota refusals and Rekognition pressure",
        lines: [
          sum(catalogueMetric("quotaRefusals", env), "quota refusals"),
          sum(catalogueMetric("rekognitionThrottles", env), "Rekognition throttles"),
          sum(catalogueMetric("rekognitionRetries", env), "Rekognition retries"),
        ],
      },
      {
        title: "Reconciler findings",
        lines: [
          sum(catalogueMetric("reconcileOrphans", env), "orphan uploads"),
          sum(catalogueMetric("reconcileExpiredLeases", env), "expired leases"),
        ],
      },
    ];

    if (options.distributionId) {
      const distribution = { DistributionId: options.distributionId, Region: "Global" };
      this.widgets.push(
        {
          title: "Upload edge requests",
          region: "us-east-1",
          lines: [sum(awsMetric("AWS/CloudFront", "Requests", distribution), "requests")],
        },
        {
          title: "Upload edge error rates (%)",
          region: "us-east-1",
          lines: [
            {
              metric: awsMetric("AWS/CloudFront", "4xxErrorRate", distribution),
              stat: "Average",
              label: "4xx",
            },
            {
              metric: awsMetric("AWS/CloudFront", "5xxErrorRate", distribution),
              stat: "Average",
              label: "5xx",
            },
          ],
        },
      );
    }
    if (options.adminApiId) {
      const api = { ApiId: options.adminApiId, Stage: "$default" };
      this.widgets.push({
        title: "Admin API answers",
        lines: [
          sum(awsMetric("AWS/ApiGateway", "Count", api), "requests"),
          sum(awsMetric("AWS/ApiGateway", "4xx", api), "4xx"),
          sum(awsMetric("AWS/ApiGateway", "5xx", api), "5xx"),
          sum(catalogueMetric("adminApiServerErrors", env), "5xx from the function"),
        ],
      });
    }

    this.dashboard = new CloudwatchDashboard(this, "dashboard", {
      ...(options.provider ? { provider: options.provider } : {}),
      dashboardName: options.name,
      dashboardBody: JSON.stringify({
        widgets: this.widgets.map((widget, index) => metricWidget(widget, options.region, index)),
      }),
    });
  }
}
