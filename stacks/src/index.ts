export { SecureBucket, type SecureBucketOptions } from "./constructs/secure-bucket";
export { type AwsProviderOptions, createAwsProvider } from "./lib/aws-provider";
export { type BackendOptions, configureBackend } from "./lib/backend";
export {
  PolicyDocument,
  type PolicyJson,
  type PolicyStatement,
  policyJson,
  serviceTrustPolicy,
} from "./lib/policy-document";
