import { PutObjectTaggingCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  type Logger,
  lifecycleExpiry,
  type StorageLifecycleConfig,
  UPLOAD_OUTCOME_TAG,
  type UploadOutcome,
} from "@photogate/core";
import type { UploadEvent } from "./s3-event";

/**
 * Tags the original with its final outcome, which the bucket's lifecycle rules expire it by.
 * PutObjectTagging replaces the object's tag set: uploads carry no other tags (the edge and the
 * identity-pool policy let no client set any). A failed tag is logged, not thrown: the verdict
 * stands, and an untagged original is kept rather than deleted early.
 */
export async function tagUploadOutcome(
  s3: S3Client,
  upload: UploadEvent,
  outcome: UploadOutcome,
  log: Logger,
): Promise<boolean> {
  try {
    await s3.send(
      new PutObjectTaggingCommand({
        Bucket: upload.bucket,
        Key: upload.key,
        ...(upload.versionId ? { VersionId: upload.versionId } : {}),
        Tagging: { TagSet: [{ Key: UPLOAD_OUTCOME_TAG, Value: outcome }] },
      }),
    );
    return true;
  } catch (error) {
    log.error("upload.tag-failed", { outcome, error });
    return false;
  }
}

/** When the lifecycle rules delete this original: never for approved ones (undefined). */
export function originalExpiry(
  outcome: UploadOutcome,
  uploadedAt: string,
  lifecycle: StorageLifecycleConfig | undefined,
): string | undefined {
  if (!lifecycle || outcome === "approved") return undefined;
  const days = outcome === "rejected" ? lifecycle.rejectedOriginalDays : lifecycle.abandonedUploadDays;
  return lifecycleExpiry(uploadedAt, days);
}
