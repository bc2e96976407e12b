import { ArchiveProvider } from "@cdktf/provider-archive/lib/provider";
import { HttpProvider } from "@cdktf/provider-http/lib/provider";
import { type EnvironmentConfig, resourceNames } from "@photogate/core";
import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { AdminApi } from "../constructs/admin-api";
import { AdminSite } from "../constructs/admin-site";
import { AlertTopic } from "../constructs/alert-topic";
import { EdgeDistribution } from "../constructs/edge-distribution";
import { Identity } from "../constructs/identity";
import { PhotoProcessing } from "../constructs/photo-processing";
import { PhotoStorage } from "../constructs/photo-storage";
import { PhotoTables } from "../constructs/photo-tables";
import { PipelineAlarms } from "../constructs/pipeline-alarms";
import { PipelineDashboard } from "../constructs/pipeline-dashboard";
import { UploadFirewall } from "../constructs/upload-firewall";
import { type AwsProviderOptions, createAwsProvider } from "../lib/aws-provider";
import { configureBackend } from "../lib/backend";
import { setRuntimePolicy } from "../lib/lambda-runtime";

export interface PhotogateStackOptions {
  env: EnvironmentConfig;
  /** The processor's bundle directory (dist/functions/processor-{arch} in a real synth). */
  processorBundleDir: string;
  /** The edge authoriser's bundle directory (dist/functions/edge-auth-x86_64 in a real synth). */
  edgeBundleDir: string;
  /** The admin API's bundle directory (dist/functions/admin-api-arm64 in a real synth). */
  adminApiBundleDir: string;
  /** The built admin app (apps/admin/dist in a real synth). */
  adminSiteDir: string;
  /** Where relative local state paths resolve (the repository root in a real synth). */
  stateDir: string;
  /** Provider settings such as endpoint overrides (LocalStack). */
  providerOverrides?: AwsProviderOptions["overrides"];
  /** The day the runtime guard checks deprecation dates against; the clock by default. */
  today?: Date;
  /** Where acknowledged runtimes are reported; console.warn by default. */
  warn?: (message: string) => void;
}

/** One environment of photogate, composed from the domain constructs. */
export class PhotogateStack extends TerraformStack {
  readonly env: EnvironmentConfig;
  readonly storage: PhotoStorage;
  readonly tables: PhotoTables;
  readonly processing: PhotoProcessing;
  /** Absent on LocalStack, whose free edition has neither Cognito nor Lambda@Edge. */
  readonly identity?: Identity;
  readonly edge?: EdgeDistribution;
  readonly adminApi?: AdminApi;
  readonly adminSite?: AdminSite;
  /** Where this environment's alarms notify people; `edgeAlerts` is its us-east-1 copy. */
  readonly alerts: AlertTopic;
  readonly edgeAlerts?: AlertTopic;
  readonly alarms: PipelineAlarms;
  /** Absent on LocalStack, where nothing publishes the metrics it would show. */
  readonly dashboard?: PipelineDashboard;
  /** Only when `env.waf.enabled`. */
  readonly firewall?: UploadFirewall;

  constructor(scope: Construct, id: string, options: PhotogateStackOptions) {
    super(scope, id);
    const { env } = options;
    const names = resourceNames(env);
    this.env = env;
    // Before any child: every function construct below reads it (lib/lambda-runtime.ts).
    setRuntimePolicy(this, {
      today: options.today ?? new Date(),
      acknowledgements: env.runtimeAcknowledgements,
      warn: options.warn ?? ((message) => console.warn(message)),
    });

    const overrides = options.providerOverrides ? { overrides: options.providerOverrides } : {};
    createAwsProvider(this, env, overrides);
    configureBackend(this, env.stateBackend, { stateDir: options.stateDir });
    this.alerts = new AlertTopic(this, "alerts", {
      name: `${env.namePrefix}-alarms`,
      alerts: env.alerts,
      region: env.region,
    });

    this.storage = new PhotoStorage(this, "storage", {
      bucketName: names.bucket,
      uploadOrigins: env.uploadOrigins,
      abortIncompleteUploadDays: env.abortIncompleteUploadDays,
      lifecycle: env.storageLifecycle,
    });
    this.tables = new PhotoTables(this, "tables", {
      photoTableName: names.photoTable,
      auditTableName: names.auditTable,
      usageTableName: names.usageTable,
      // The admin users search's directory: only where the admin API runs.
      ...(env.target === "aws" ? { userTableName: names.userTable } : {}),
      deletionProtection: env.deletionProtection,
    });
    const usageTable = this.tables.usageTable;
    // On LocalStack, `pnpm dev`'s own user-pool, identity and edge endpoints stand in for these.
    // Before the processor: it sets `picture` in this pool, naming images served by this edge.
    if (env.target === "aws") {
      // Lambda@Edge functions must live in us-east-1, whatever the environment's region.
      const usEast1 = createAwsProvider(this, env, { alias: "us-east-1", region: "us-east-1", ...overrides });
      const identity = new Identity(this, "identity", { env, bucketArn: this.storage.bucketArn });
      // CloudFront's metrics, and so the edge alarms, are in us-east-1, and an alarm can only
      // notify a topic in its own region: a second topic with the same subscriptions.
      this.edgeAlerts =
        env.region === "us-east-1"
          ? this.alerts
          : new AlertTopic(this, "alerts-us-east-1", {
              name: `${env.namePrefix}-alarms-us-east-1`,
              alerts: env.alerts,
              region: "us-east-1",
              provider: usEast1,
            });
      if (env.waf.enabled) {
        this.firewall = new UploadFirewall(this, "firewall", {
          namePrefix: env.namePrefix,
          waf: env.waf,
          usEast1Provider: usEast1,
        });
      }
      const edge = new EdgeDistribution(this, "edge", {
        env,
        bucket: { arn: this.storage.bucketArn, regionalDomainName: this.storage.bucketRegionalDomainName },
        userPool: { id: identity.userPoolId, clientIds: identity.edgeClientIds },
        usEast1Provider: usEast1,
        httpProvider: new HttpProvider(this, "http"),
        archiveProvider: new ArchiveProvider(this, "archive"),
        bundleDir: options.edgeBundleDir,
        ...(this.firewall ? { webAclArn: this.firewall.webAclArn } : {}),
      });
      this.storage.addPolicyStatements(...edge.bucketPolicyStatements);
      this.identity = identity;
      this.edge = edge;
    }
    this.processing = new PhotoProcessing(this, "processing", {
      functionName: names.processorFunction,
      dlqName: names.processorDlq,
      bundleDir: options.processorBundleDir,
      processor: env.processor,
      processing: env.processing,
      logRetentionDays: env.logRetentionDays,
      bucketArn: this.storage.bucketArn,
      photoTable: { name: this.tables.photoTable.name, arn: this.tables.photoTable.arn },
      alarmActions: [this.alerts.arn],
      operations: {
        environment: env.name,
        ...(usageTable
          ? { quota: { usageTable: usageTable.name, limits: env.quota }, usageTableArn: usageTable.arn }
          : {}),
        storageLifecycle: env.storageLifecycle,
      },
      ...(this.identity && this.edge
        ? {
            profilePictures: {
              userPoolId: this.identity.userPoolId,
              userPoolArn: this.identity.userPoolArn,
              pictureBaseUrl: `https://${this.edge.domainName}`,
            },
          }
        : {}),
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

    if (env.target === "aws") {
      const { identity, edge } = this;
      if (!identity || !edge) throw new Error("unreachable: identity and edge exist on AWS");

      // The admin API is reached through the admin site's own distribution (/api/*), so
      // neither needs the other's domain and Terraform has no dependency loop.
      const adminApi = new AdminApi(this, "admin-api", {
        env,
        bundleDir: options.adminApiBundleDir,
        userPool: { id: identity.userPoolId, arn: identity.userPoolArn },
        adminClientId: identity.adminClient.id,
        uploadClientId: identity.uploadClient.id,
        photoTable: { name: this.tables.photoTable.name, arn: this.tables.photoTable.arn },
        auditTable: { name: this.tables.auditTable.name, arn: this.tables.auditTable.arn },
        photoBucket: { name: this.storage.bucketId, arn: this.storage.bucketArn },
        processor: { name: this.processing.functionName, arn: this.processing.functionArn },
        deadLetterQueue: {
          url: this.processing.deadLetterQueue.url,
          arn: this.processing.deadLetterQueue.arn,
        },
        corsAllowedOrigins: [],
        ...(usageTable ? { usageTable: { name: usageTable.name, arn: usageTable.arn } } : {}),
        ...(this.tables.userTable
          ? { userTable: { name: this.tables.userTable.name, arn: this.tables.userTable.arn } }
          : {}),
        pictureBaseUrl: `https://${edge.domainName}`,
      });
      const adminSite = new AdminSite(this, "admin-site", {
        env,
        siteDir: options.adminSiteDir,
        apiEndpoint: adminApi.apiEndpoint,
        userPool: { id: identity.userPoolId, adminClientId: identity.adminClient.id },
        photoBucketName: env.bucketName,
      });
      this.adminApi = adminApi;
      this.adminSite = adminSite;

      new TerraformOutput(this, "user-pool-id", { value: identity.userPoolId });
      new TerraformOutput(this, "upload-client-id", { value: identity.uploadClient.id });
      new TerraformOutput(this, "admin-client-id", { value: identity.adminClient.id });
      new TerraformOutput(this, "identity-pool-id", { value: identity.identityPoolId });
      new TerraformOutput(this, "cdn-domain", { value: edge.distribution.domainName });
      new TerraformOutput(this, "edge-function-version", { value: edge.edgeFunction.qualifiedArn });
      new TerraformOutput(this, "admin-api-endpoint", { value: adminApi.apiEndpoint });
      new TerraformOutput(this, "admin-site-url", { value: adminSite.url });
    }

    const processor = { functionName: names.processorFunction, timeoutSeconds: env.processor.timeoutSeconds };
    this.alarms = new PipelineAlarms(this, "alarms", {
      environment: env.name,
      namePrefix: env.namePrefix,
      topic: this.alerts,
      processor,
      ...(this.edge && this.edgeAlerts
        ? { edge: { distributionId: this.edge.distributionId, topic: this.edgeAlerts } }
        : {}),
      ...(this.adminApi ? { adminApi: { apiId: this.adminApi.apiId } } : {}),
    });
    if (env.target === "aws") {
      this.dashboard = new PipelineDashboard(this, "dashboard", {
        name: env.namePrefix,
        environment: env.name,
        region: env.region,
        processor,
        deadLetterQueueName: names.processorDlq,
        ...(this.edge ? { distributionId: this.edge.distributionId } : {}),
        ...(this.adminApi ? { adminApiId: this.adminApi.apiId } : {}),
      });
    }
    new TerraformOutput(this, "alarm-topic", { value: this.alerts.arn });
  }
}
