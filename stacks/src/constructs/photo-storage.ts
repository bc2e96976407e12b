import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { S3BucketCorsConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-cors-configuration";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import {
  type StorageLifecycleConfig,
  UPLOAD_CORS_RULE,
  UPLOAD_OUTCOME_TAG,
  UPLOADS_PREFIX,
  type UploadOutcome,
} from "@photogate/core";
import { Construct } from "constructs";
import type { PolicyStatement } from "../lib/policy-document";
import { SecureBucket } from "./secure-bucket";

export interface PhotoStorageOptions {
  bucketName: string;
  /** Browser origins allowed to upload and read (CORS). */
  uploadOrigins: string[];
  /** Incomplete multipart uploads are aborted (and their parts deleted) after this many days. */
  abortIncompleteUploadDays: number;
  /**
   * Originals under uploads/ expire this many days after their upload once the processor has
   * tagged them rejected or failed; approved originals and everything under photos/ and
   * shared/ never expire. No expiry rules without it.
   */
  lifecycle?: StorageLifecycleConfig;
  /** SSE-KMS key; SSE-S3 (AES256) when absent. See docs/infrastructure.md. */
  kmsKeyArn?: string;
}

/**
 * One rule per outcome that lets an original go: S3 counts the days from the object's upload,
 * not from when the tag was set, and both the prefix and the tag must match.
 */
function expireUploadsByOutcome(lifecycle: StorageLifecycleConfig) {
  const days: Partial<Record<UploadOutcome, number>> = {
    rejected: lifecycle.rejectedOriginalDays,
    failed: lifecycle.abandonedUploadDays,
  };
  return Object.entries(days).map(([outcome, after]) => ({
    id: `expire-${outcome}-originals`,
    status: "Enabled",
    filter: [{ and: [{ prefix: UPLOADS_PREFIX, tags: { [UPLOAD_OUTCOME_TAG]: outcome } }] }],
    expiration: [{ days: after }],
  }));
}

/** What the upload notification needs from a function. */
export interface UploadHandler {
  functionName: string;
  arn: string;
}

/**
 * The photo bucket. Versioning stays off on purpose: a deleted photo must really be gone
 * (privacy, erasure requests), and the processor's idempotency keys on the S3 event's ETag
 * and sequencer, not on version ids.
 */
export class PhotoStorage extends Construct {
  readonly secureBucket: SecureBucket;

  constructor(scope: Construct, id: string, options: PhotoStorageOptions) {
    super(scope, id);
    this.secureBucket = new SecureBucket(this, "photos", {
      bucketName: options.bucketName,
      ...(options.kmsKeyArn ? { kmsKeyArn: options.kmsKeyArn } : {}),
    });
    const bucket = this.secureBucket.bucketId;

    if (options.uploadOrigins.length > 0) {
      new S3BucketCorsConfiguration(this, "cors", {
        bucket,
        corsRule: [
          {
            allowedOrigins: options.uploadOrigins,
            allowedMethods: [...UPLOAD_CORS_RULE.allowedMethods],
            allowedHeaders: [...UPLOAD_CORS_RULE.allowedHeaders],
            exposeHeaders: [...UPLOAD_CORS_RULE.exposeHeaders],
            maxAgeSeconds: UPLOAD_CORS_RULE.maxAgeSeconds,
          },
        ],
      });
    }

    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket,
      rule: [
        {
          id: "abort-incomplete-multipart-uploads",
          status: "Enabled",
          filter: [{ prefix: "" }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: options.abortIncompleteUploadDays }],
        },
        ...(options.lifecycle ? expireUploadsByOutcome(options.lifecycle) : []),
      ],
    });
  }

  /**
   * Invokes `handler` for every object created under uploads/ (and nothing else, so the
   * processor's own writes under photos/ can never trigger it again).
   */
  notifyOnUpload(handler: UploadHandler): S3BucketNotification {
    const account = new DataAwsCallerIdentity(this, "account");
    const permission = new LambdaPermission(this, "invoke-on-upload", {
      statementId: "AllowS3InvokeOnUpload",
      action: "lambda:InvokeFunction",
      functionName: handler.functionName,
      principal: "s3.amazonaws.com",
      // Both pins stop another account's bucket of the same name from invoking the function.
      sourceAccount: account.accountId,
      sourceArn: this.bucketArn,
    });
    return new S3BucketNotification(this, "upload-notification", {
      bucket: this.bucketId,
      lambdaFunction: [
        {
          lambdaFunctionArn: handler.arn,
          events: ["s3:ObjectCreated:*"],
          filterPrefix: UPLOADS_PREFIX,
        },
      ],
      // S3 validates the destination when the notification is saved: the permission must exist.
      dependsOn: [permission],
    });
  }

  addPolicyStatements(...statements: PolicyStatement[]): void {
    this.secureBucket.addPolicyStatements(...statements);
  }

  get bucketId(): string {
    return this.secureBucket.bucketId;
  }

  get bucketArn(): string {
    return this.secureBucket.bucketArn;
  }

  get bucketRegionalDomainName(): string {
    return this.secureBucket.bucketRegionalDomainName;
  }
}
