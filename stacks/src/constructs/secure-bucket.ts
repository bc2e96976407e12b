import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";
import { PolicyDocument, type PolicyStatement } from "../lib/policy-document";

export interface SecureBucketOptions {
  bucketName: string;
  /**
   * SSE-KMS with this key (and an S3 bucket key to keep KMS calls down). Without it the
   * bucket uses SSE-S3 (AES256), which needs no key-policy grants for CloudFront or clients.
   */
  kmsKeyArn?: string;
  /** Keeps every object version; off unless a caller needs history (e.g. Terraform state). */
  versioned?: boolean;
  /** Lets `terraform destroy` empty the bucket first; only for buckets whose data is disposable. */
  forceDestroy?: boolean;
}

/**
 * A private bucket with the settings no photogate bucket may go without: all four
 * public-access-block flags, server-side encryption, ACLs disabled (BucketOwnerEnforced)
 * and a single bucket policy that starts by denying any request not made over TLS.
 */
export class SecureBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly policy: S3BucketPolicy;
  private readonly policyDocument: PolicyDocument;

  constructor(scope: Construct, id: string, options: SecureBucketOptions) {
    super(scope, id);
    this.bucket = new S3Bucket(this, "bucket", {
      bucket: options.bucketName,
      forceDestroy: options.forceDestroy ?? false,
    });
    const bucket = this.bucket.id;

    const publicAccessBlock = new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });

    new S3BucketOwnershipControls(this, "ownership", {
      bucket,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });

    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket,
      rule: [
        options.kmsKeyArn
          ? {
              applyServerSideEncryptionByDefault: {
                sseAlgorithm: "aws:kms",
                kmsMasterKeyId: options.kmsKeyArn,
              },
              bucketKeyEnabled: true,
            }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ],
    });

    if (options.versioned) {
      new S3BucketVersioningA(this, "versioning", {
        bucket,
        versioningConfiguration: { status: "Enabled" },
      });
    }

    this.policyDocument = new PolicyDocument([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
    this.policy = new S3BucketPolicy(this, "policy", {
      bucket,
      policy: this.policyDocument.toJsonToken(),
      // With BPA applied first, a later public statement fails loudly instead of racing it.
      dependsOn: [publicAccessBlock],
    });
  }

  /** Adds statements to the bucket's one policy (e.g. CloudFront OAC read). */
  addPolicyStatements(...statements: PolicyStatement[]): void {
    this.policyDocument.addStatements(...statements);
  }

  get bucketId(): string {
    return this.bucket.id;
  }

  get bucketArn(): string {
    return this.bucket.arn;
  }

  get bucketRegionalDomainName(): string {
    return this.bucket.bucketRegionalDomainName;
  }
}
