import { randomBytes } from "node:crypto";
import { type EnvironmentConfig, resourceNames } from "@photogate/core";
import { edgeOriginBucketStatements } from "@photogate/policies";
import type { RoleCredentials } from "../credentials";

/** The local distribution's ARN, as the bucket policy's `AWS:SourceArn` condition names it. */
const localDistributionArn = (accountId: string) =>
  `arn:aws:cloudfront::${accountId}:distribution/EPHOTOGATELOCAL`;

/**
 * Keys for the local edge proxy that carry exactly what CloudFront's Origin Access Control gets
 * on AWS: the bucket-policy statements the stacks synthesize for the distribution
 * (`edgeOriginBucketStatements`: GetObject on photos/, uploads/ and shared/, PutObject on
 * uploads/, and no ListBucket, so a missing key answers 403). The statements are evaluated as
 * the role's own policy: the principal is this distribution, so their `AWS:SourceArn` condition
 * holds and is left out.
 */
export function edgeOriginRole(env: EnvironmentConfig, accountId: string): RoleCredentials {
  const bucketArn = `arn:aws:s3:::${resourceNames(env).bucket}`;
  const statements = edgeOriginBucketStatements(bucketArn, localDistributionArn(accountId)).map(
    ({ Principal: _principal, Condition: _condition, ...statement }) => statement,
  );
  return {
    accessKeyId: `AKIA${randomBytes(8).toString("hex").toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString("base64url"),
    roleName: "cloudfront-origin-access-control",
    policy: { Version: "2012-10-17", Statement: statements },
  };
}
