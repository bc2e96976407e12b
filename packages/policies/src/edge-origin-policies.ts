import { PHOTOS_PREFIX, SHARED_PREFIX, UPLOADS_PREFIX } from "@photogate/core";
import type { PolicyStatement } from "./policy-statement";

// The bucket-policy statements that give the upload distribution's Origin Access Control its
// rights, as plain data apart from the construct, so the local edge proxy reaches the local
// bucket with exactly these rights (GetObject and PutObject on three prefixes, never ListBucket).

/** CloudFront (OAC) reads photos/, uploads/ and shared/ and writes uploads/, for one distribution only. */
export function edgeOriginBucketStatements(bucketArn: string, distributionArn: string): PolicyStatement[] {
  const sourceArn = { StringEquals: { "AWS:SourceArn": distributionArn } };
  const cloudfront = { Service: "cloudfront.amazonaws.com" };
  return [
    {
      Sid: "CloudFrontReadPhotosAndUploads",
      Effect: "Allow",
      Principal: cloudfront,
      Action: "s3:GetObject",
      Resource: [`${bucketArn}/${PHOTOS_PREFIX}*`, `${bucketArn}/${UPLOADS_PREFIX}*`],
      Condition: sourceArn,
    },
    {
      Sid: "CloudFrontReadShared",
      Effect: "Allow",
      Principal: cloudfront,
      Action: "s3:GetObject",
      Resource: `${bucketArn}/${SHARED_PREFIX}*`,
      Condition: sourceArn,
    },
    {
      Sid: "CloudFrontWriteUploads",
      Effect: "Allow",
      Principal: cloudfront,
      Action: "s3:PutObject",
      Resource: `${bucketArn}/${UPLOADS_PREFIX}*`,
      Condition: sourceArn,
    },
  ];
}
