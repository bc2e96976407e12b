export { bootstrapStackName, buildApp, type PhotogateAppOptions, selectEnvironments, stackName } from "./app";
export { Identity, type IdentityOptions } from "./constructs/identity";
export {
  PhotoProcessing,
  type PhotoProcessingOptions,
  processorStatements,
} from "./constructs/photo-processing";
export { PhotoStorage, type PhotoStorageOptions, type UploadHandler } from "./constructs/photo-storage";
export { PhotoTables, type PhotoTablesOptions } from "./constructs/photo-tables";
export { SecureBucket, type SecureBucketOptions } from "./constructs/secure-bucket";
export { StateBucket, type StateBucketOptions } from "./constructs/state-bucket";
export { type AwsProviderOptions, createAwsProvider } from "./lib/aws-provider";
export { type BackendOptions, configureBackend } from "./lib/backend";
export { DEFAULT_LOCALSTACK_URL, LOCALSTACK_SERVICES, localstackProviderOverrides } from "./lib/localstack";
export {
  PolicyDocument,
  type PolicyJson,
  type PolicyStatement,
  policyJson,
  serviceTrustPolicy,
} from "./lib/policy-document";
export { BootstrapStack, type BootstrapStackOptions } from "./stacks/bootstrap-stack";
export { PhotogateStack, type PhotogateStackOptions } from "./stacks/photogate-stack";
