import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { Construct } from "constructs";
import { SecureBucket } from "./secure-bucket";

export interface StateBucketOptions {
  bucketName: string;
  /** Old state versions are kept this long, for recovering from a bad apply. */
  noncurrentVersionDays?: number;
}

/**
 * The bucket Terraform keeps an environment's state in. Versioned (state history is the
 * undo button), encrypted, private, TLS only, and protected from `terraform destroy`.
 * Locking needs nothing more: the S3 backend's `use_lockfile` writes a lock object here.
 */
export class StateBucket extends Construct {
  readonly secureBucket: SecureBucket;

  constructor(scope: Construct, id: string, options: StateBucketOptions) {
    super(scope, id);
    this.secureBucket = new SecureBucket(this, "state", { bucketName: options.bucketName, versioned: true });
    this.secureBucket.bucket.lifecycle = { preventDestroy: true };
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.secureBucket.bucketId,
      rule: [
        {
          id: "expire-old-state-versions",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays: options.noncurrentVersionDays ?? 90 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
    });
  }

  get bucketId(): string {
    return this.secureBucket.bucketId;
  }

  get bucketArn(): string {
    return this.secureBucket.bucketArn;
  }
}
