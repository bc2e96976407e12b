import { join } from "node:path";
import type { EnvironmentConfig } from "@photogate/core";
import { LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { StateBucket } from "../constructs/state-bucket";
import { type AwsProviderOptions, createAwsProvider } from "../lib/aws-provider";

export interface BootstrapStackOptions {
  env: EnvironmentConfig & { stateBackend: { type: "s3" } };
  stateDir: string;
  providerOverrides?: AwsProviderOptions["overrides"];
}

/**
 * Creates the S3 bucket an environment's state lives in. Its own state stays local: it
 * cannot be kept in the bucket it creates. Deploy it once, before the environment's stack.
 */
export class BootstrapStack extends TerraformStack {
  readonly stateBucket: StateBucket;

  constructor(scope: Construct, id: string, options: BootstrapStackOptions) {
    super(scope, id);
    const backend = options.env.stateBackend;
    createAwsProvider(this, options.env, {
      region: backend.region,
      ...(options.providerOverrides ? { overrides: options.providerOverrides } : {}),
    });
    new LocalBackend(this, { path: join(options.stateDir, `terraform.${id}.tfstate`) });
    this.stateBucket = new StateBucket(this, "state-bucket", { bucketName: backend.bucket });
    new TerraformOutput(this, "state-bucket-name", { value: this.stateBucket.bucketId });
  }
}

export function usesS3State(env: EnvironmentConfig): env is BootstrapStackOptions["env"] {
  return env.stateBackend.type === "s3";
}
