import type { AwsProviderOptions } from "./aws-provider";

/** Where LocalStack listens unless LOCALSTACK_URL says otherwise. */
export const DEFAULT_LOCALSTACK_URL = "http://localhost:4566";

/** The services photogate deploys to LocalStack (its free edition covers all of them). */
export const LOCALSTACK_SERVICES = [
  "s3",
  "lambda",
  "dynamodb",
  "sqs",
  "iam",
  "sts",
  "cloudwatch",
  "logs",
  // The alarm topic: every alarm notifies it, on LocalStack too.
  "sns",
  // The reconciler's schedule: created on LocalStack, but its community edition does not fire
  // schedules, so there the reconciler runs by invoking the processor with {"action":"reconcile"}.
  "scheduler",
] as const;

/**
 * Provider settings that send every service photogate uses to LocalStack, as `tflocal` does:
 * one endpoint for all, path-style S3, and no calls that need real AWS credentials.
 */
export function localstackProviderOverrides(url: string): NonNullable<AwsProviderOptions["overrides"]> {
  const endpoint = url.replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]+$/.test(endpoint)) {
    throw new Error(
      `LOCALSTACK_URL must be an http(s) origin such as ${DEFAULT_LOCALSTACK_URL}, not "${url}"`,
    );
  }
  return {
    accessKey: "test",
    secretKey: "test",
    s3UsePathStyle: true,
    skipCredentialsValidation: true,
    skipMetadataApiCheck: "true",
    skipRequestingAccountId: true,
    endpoints: [Object.fromEntries(LOCALSTACK_SERVICES.map((service) => [service, endpoint]))],
  };
}
