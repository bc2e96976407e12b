import { type EnvironmentConfig, resourceNames } from "@photogate/core";
import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { PhotoProcessing } from "../constructs/photo-processing";
import { PhotoStorage } from "../constructs/photo-storage";
import { PhotoTables } from "../constructs/photo-tables";
import { type AwsProviderOptions, createAwsProvider } from "../lib/aws-provider";
import { configureBackend } from "../lib/backend";

export interface PhotogateStackOptions {
  env: EnvironmentConfig;
  /** The processor's bundle directory (dist/functions/processor-{arch} in a real synth). */
  processorBundleDir: string;
  /** Where relative local state paths resolve (the repository root in a real synth). */
  stateDir: string;
  /** Provider settings such as endpoint overrides (LocalStack). */
  providerOverrides?: AwsProviderOptions["overrides"];
}

/** One environment's storage and processing, composed from the domain constructs. */
export class PhotogateStack extends TerraformStack {
  readonly env: EnvironmentConfig;
  readonly storage: PhotoStorage;
  readonly tables: PhotoTables;
  readonly processing: PhotoProcessing;

  constructor(scope: Construct, id: string, options: PhotogateStackOptions) {
    super(scope, id);
    const { env } = options;
    const names = resourceNames(env);
    this.env = env;

    createAwsProvider(this, env, options.providerOverrides ? { overrides: options.providerOverrides } : {});
    configureBackend(this, env.stateBackend, { stateDir: options.stateDir });

    this.storage = new PhotoStorage(this, "storage", {
      bucketName: names.bucket,
      uploadOrigins: env.uploadOrigins,
      abortIncompleteUploadDays: env.abortIncompleteUploadDays,
    });
    this.tables = new PhotoTables(this, "tables", {
      photoTableName: names.photoTable,
      auditTableName: names.auditTable,
      deletionProtection: env.deletionProtection,
    });
    this.processing = new PhotoProcessing(this, "processing", {
      functionName: names.processorFunction,
      dlqName: names.processorDlq,
      bundleDir: options.processorBundleDir,
      processor: env.processor,
      processing: env.processing,
      logRetentionDays: env.logRetentionDays,
      bucketArn: this.storage.bucketArn,
      photoTable: { name: this.tables.photoTable.name, arn: this.tables.photoTable.arn },
    });
    this.storage.notifyOnUpload({
      functionName: this.processing.functionName,
      arn: this.processing.functionArn,
    });

    new TerraformOutput(this, "bucket", { value: this.storage.bucketId });
    new TerraformOutput(this, "photo-table", { value: this.tables.photoTable.name });
    new TerraformOutput(this, "audit-table", { value: this.tables.auditTable.name });
    new TerraformOutput(this, "processor-function", { value: this.processing.functionName });
    new TerraformOutput(this, "processor-dlq", { value: this.processing.deadLetterQueue.url });
  }
}
