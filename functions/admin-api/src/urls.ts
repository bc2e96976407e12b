import { GetObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { SignedUrl } from "@photogate/core";
import type { AdminApiDeps } from "./deps";

/**
 * A presigned GET for one object. Presigning is local (no request to S3), so a page of
 * thumbnails costs microseconds each; the URL dies after `presignSeconds`.
 */
export async function signedGet(deps: AdminApiDeps, key: string, at: Date): Promise<SignedUrl> {
  const expiresIn = deps.config.presignSeconds;
  const url = await getSignedUrl(deps.s3, new GetObjectCommand({ Bucket: deps.config.bucket, Key: key }), {
    expiresIn,
    signingDate: at,
  });
  return { url, expiresAt: new Date(at.getTime() + expiresIn * 1000).toISOString() };
}
