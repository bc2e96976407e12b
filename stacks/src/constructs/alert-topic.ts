import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import type { AlertsConfig } from "@photogate/core";
import { Construct } from "constructs";

export interface AlertTopicOptions {
  /** The topic's name; one per region, so the us-east-1 copy gets its own suffix. */
  name: string;
  /** Who is told: one subscription per e-mail address and per HTTPS endpoint. */
  alerts: AlertsConfig;
  /** The region the topic lives in; CloudWatch only notifies topics in the alarm's region. */
  region: string;
  /** The provider for that region; the stack's default provider when absent. */
  provider?: AwsProvider;
}

/**
 * Where alarms in one region send their ALARM and OK notifications: an SNS topic with the
 * environment's e-mail and HTTPS subscriptions. AWS sends each address a confirmation
 * message; nothing is delivered to it until someone confirms (docs/operations.md).
 *
 * The topic is not encrypted: CloudWatch cannot publish to a topic under the AWS-managed SNS
 * key, and alarm messages carry metric names and thresholds, no user data.
 */
export class AlertTopic extends Construct {
  readonly topic: SnsTopic;
  readonly region: string;
  readonly provider?: AwsProvider;
  readonly subscriptions: SnsTopicSubscription[] = [];

  constructor(scope: Construct, id: string, options: AlertTopicOptions) {
    super(scope, id);
    this.region = options.region;
    if (options.provider) this.provider = options.provider;
    const provider = options.provider ? { provider: options.provider } : {};

    this.topic = new SnsTopic(this, "topic", {
      ...provider,
      name: options.name,
      displayName: "photogate alarms",
    });
    options.alerts.emails.forEach((email, index) => {
      this.subscriptions.push(
        new SnsTopicSubscription(this, `email-${index}`, {
          ...provider,
          topicArn: this.topic.arn,
          protocol: "email",
          endpoint: email,
        }),
      );
    });
    options.alerts.httpsEndpoints.forEach((url, index) => {
      this.subscriptions.push(
        new SnsTopicSubscription(this, `https-${index}`, {
          ...provider,
          topicArn: this.topic.arn,
          protocol: "https",
          endpoint: url,
          // The endpoint confirms by visiting the SubscribeURL SNS posts to it first.
          endpointAutoConfirms: false,
        }),
      );
    });
  }

  get arn(): string {
    return this.topic.arn;
  }
}
