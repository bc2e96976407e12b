import { Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { PhotoStorage } from "../src/constructs/photo-storage";
import { asList, normaliseSynth, onlyResource, parse, parsePolicy } from "./support";

const options = {
  bucketName: "test-photos",
  uploadOrigins: ["https://app.example.com"],
  abortIncompleteUploadDays: 3,
};

function synthStorage(withHandler = true, extra: (storage: PhotoStorage) => void = () => {}) {
  const json = Testing.synthScope((scope) => {
    const storage = new PhotoStorage(scope, "storage", options);
    if (withHandler)
      storage.notifyOnUpload({ functionName: "processor-fn", arn: "arn:aws:lambda:eu-west-1:1:function:p" });
    extra(storage);
  });
  return { json, synth: parse(json) };
}

describe("PhotoStorage", () => {
  const { json, synth } = synthStorage();
  const bucket = onlyResource(synth, "aws_s3_bucket");
  const bucketRef = `\${aws_s3_bucket.${bucket.name}`;

  it("matches the snapshot", () => {
    expect(normaliseSynth(json)).toMatchSnapshot();
  });

  it("names the bucket from the options and keeps versioning off", () => {
    expect(bucket.config.bucket).toBe("test-photos");
    expect(synth.resource.aws_s3_bucket_versioning).toBeUndefined();
  });

  it("sets all four public-access-block flags on this bucket", () => {
    expect(
      Testing.toHaveResourceWithProperties(json, "aws_s3_bucket_public_access_block", {
        bucket: `${bucketRef}.id}`,
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      }),
    ).toBe(true);
  });

  it("encrypts with SSE-S3 by default", () => {
    const { config } = onlyResource(synth, "aws_s3_bucket_server_side_encryption_configuration");
    expect(config.bucket).toBe(`${bucketRef}.id}`);
    expect(config.rule).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }]);
  });

  it("uses SSE-KMS with a bucket key when given a key", () => {
    const kms = parse(
      Testing.synthScope((scope) => {
        new PhotoStorage(scope, "storage", { ...options, kmsKeyArn: "arn:aws:kms:eu-west-1:1:key/abc" });
      }),
    );
    const { config } = onlyResource(kms, "aws_s3_bucket_server_side_encryption_configuration");
    expect(config.rule[0].apply_server_side_encryption_by_default).toEqual({
      sse_algorithm: "aws:kms",
      kms_master_key_id: "arn:aws:kms:eu-west-1:1:key/abc",
    });
    expect(config.rule[0].bucket_key_enabled).toBe(true);
  });

  it("disables ACLs with BucketOwnerEnforced", () => {
    expect(onlyResource(synth, "aws_s3_bucket_ownership_controls").config.rule).toEqual({
      object_ownership: "BucketOwnerEnforced",
    });
  });

  it("denies every request that is not made over TLS, on the bucket and its objects", () => {
    const policy = parsePolicy(onlyResource(synth, "aws_s3_bucket_policy").config.policy);
    const deny = policy.Statement.find(
      (s) => s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"],
    );
    expect(deny).toBeDefined();
    expect(deny!.Condition!.Bool!["aws:SecureTransport"]).toBe("false");
    expect(deny!.Principal).toBe("*");
    expect(asList(deny!.Action)).toEqual(["s3:*"]);
    expect(asList(deny!.Resource).sort()).toEqual([`${bucketRef}.arn}`, `${bucketRef}.arn}/*`].sort());
  });

  it("aborts incomplete multipart uploads after the configured days", () => {
    const { config } = onlyResource(synth, "aws_s3_bucket_lifecycle_configuration");
    const rule = config.rule.find(
      (r: { abort_incomplete_multipart_upload?: unknown }) => r.abort_incomplete_multipart_upload,
    );
    expect(rule.status).toBe("Enabled");
    expect(rule.abort_incomplete_multipart_upload).toEqual([{ days_after_initiation: 3 }]);
  });

  it("allows browser uploads only from the configured origins", () => {
    const { config } = onlyResource(synth, "aws_s3_bucket_cors_configuration");
    const [rule] = config.cors_rule;
    expect(rule.allowed_origins).toEqual(["https://app.example.com"]);
    expect([...rule.allowed_methods].sort()).toEqual(["GET", "HEAD", "PUT"]);
    expect(rule.allowed_headers).toEqual(
      expect.arrayContaining(["content-type", "authorization", "x-amz-date"]),
    );
    expect(rule.allowed_headers).not.toContain("*");
    expect(rule.expose_headers).toContain("ETag");
  });

  it("notifies only for objects created under uploads/, after the permission exists", () => {
    const notification = onlyResource(synth, "aws_s3_bucket_notification");
    const permission = onlyResource(synth, "aws_lambda_permission");
    expect(notification.config.lambda_function).toEqual([
      {
        events: ["s3:ObjectCreated:*"],
        filter_prefix: "uploads/",
        lambda_function_arn: "arn:aws:lambda:eu-west-1:1:function:p",
      },
    ]);
    expect(notification.config.depends_on).toEqual([`aws_lambda_permission.${permission.name}`]);
  });

  it("lets only this bucket in this account invoke the function", () => {
    const { config } = onlyResource(synth, "aws_lambda_permission");
    const identity = Object.keys(synth.data?.aws_caller_identity ?? {});
    expect(identity).toHaveLength(1);
    expect(config).toMatchObject({
      action: "lambda:InvokeFunction",
      function_name: "processor-fn",
      principal: "s3.amazonaws.com",
      source_account: `\${data.aws_caller_identity.${identity[0]}.account_id}`,
      source_arn: `${bucketRef}.arn}`,
    });
  });

  it("keeps one bucket policy that later statements join", () => {
    const extended = synthStorage(true, (storage) =>
      storage.addPolicyStatements({
        Sid: "CloudFrontRead",
        Effect: "Allow",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: "s3:GetObject",
        Resource: `${storage.bucketArn}/photos/*`,
      }),
    );
    const policies = Object.values(extended.synth.resource.aws_s3_bucket_policy ?? {});
    expect(policies).toHaveLength(1);
    const sids = parsePolicy(policies[0]!.policy).Statement.map((s) => s.Sid);
    expect(sids).toEqual(["DenyInsecureTransport", "CloudFrontRead"]);
  });

  it("refuses a second statement with the same Sid", () => {
    expect(() =>
      synthStorage(false, (storage) =>
        storage.addPolicyStatements({ Sid: "DenyInsecureTransport", Effect: "Deny", Action: "s3:GetObject" }),
      ),
    ).toThrow(/already used/);
  });

  it("creates no notification or permission until a handler is attached", () => {
    const bare = synthStorage(false).synth;
    expect(bare.resource.aws_s3_bucket_notification).toBeUndefined();
    expect(bare.resource.aws_lambda_permission).toBeUndefined();
  });
});
