import { AwsProvider, type AwsProviderConfig } from "@cdktf/provider-aws/lib/provider";
import type { EnvironmentConfig } from "@photogate/core";
import type { Construct } from "constructs";

export interface AwsProviderOptions {
  /** Construct id; also the alias when `alias` is set. */
  id?: string;
  /** For a second provider in the same stack (e.g. us-east-1 for Lambda@Edge and ACM). */
  alias?: string;
  /** Defaults to the environment's region. */
  region?: string;
  /**
   * Extra provider settings merged last: endpoint overrides and skip-flags for LocalStack,
   * assume-role for another account. Tags and region stay owned by this function.
   */
  overrides?: Omit<AwsProviderConfig, "region" | "alias" | "defaultTags">;
}

/** The one place AWS providers are made, so every stack tags and configures them alike. */
export function createAwsProvider(
  scope: Construct,
  env: EnvironmentConfig,
  options: AwsProviderOptions = {},
): AwsProvider {
  const id = options.id ?? (options.alias ? `aws-${options.alias}` : "aws");
  return new AwsProvider(scope, id, {
    ...options.overrides,
    region: options.region ?? env.region,
    ...(options.alias ? { alias: options.alias } : {}),
    defaultTags: [{ tags: { project: "photogate", environment: env.name } }],
  });
}
