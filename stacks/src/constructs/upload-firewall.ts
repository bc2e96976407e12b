import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Wafv2WebAcl } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import type { WafConfig } from "@photogate/core";
import { Construct } from "constructs";

export interface UploadFirewallOptions {
  namePrefix: string;
  waf: WafConfig;
  /** A provider in us-east-1: web ACLs for CloudFront can only be created there. */
  usEast1Provider: AwsProvider;
}

/**
 * An AWS WAF web ACL for the upload distribution with one rule: a client IP making more than
 * `requestsPer5Minutes` requests in any 5-minute window is blocked until its rate drops.
 * Everything else is allowed; the edge function still authorises every request.
 */
export class UploadFirewall extends Construct {
  readonly webAcl: Wafv2WebAcl;

  constructor(scope: Construct, id: string, options: UploadFirewallOptions) {
    super(scope, id);
    const name = `${options.namePrefix}-uploads`;
    this.webAcl = new Wafv2WebAcl(this, "web-acl", {
      provider: options.usEast1Provider,
      name,
      description: "photogate: per-IP rate limit in front of the upload distribution",
      scope: "CLOUDFRONT",
      defaultAction: { allow: {} },
      rule: [
        {
          name: "rate-per-ip",
          priority: 0,
          action: { block: {} },
          // `statement` is untyped in the provider bindings: Terraform's own (snake_case) shape.
          statement: {
            rate_based_statement: {
              limit: options.waf.requestsPer5Minutes,
              aggregate_key_type: "IP",
              evaluation_window_sec: 300,
            },
          },
          visibilityConfig: {
            cloudwatchMetricsEnabled: true,
            metricName: `${name}-rate-per-ip`,
            sampledRequestsEnabled: true,
          },
        },
      ],
      visibilityConfig: {
        cloudwatchMetricsEnabled: true,
        metricName: name,
        sampledRequestsEnabled: true,
      },
    });
  }

  /** CloudFront takes a WAFv2 web ACL by its ARN (`web_acl_id`). */
  get webAclArn(): string {
    return this.webAcl.arn;
  }
}
