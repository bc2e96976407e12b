import { auditTarget, decodeS3Key } from "@photogate/core";

/** What a failed invocation was about: the upload key of an S3 event, or the photo of a reprocess request. */
export function describeDeadLetterPayload(payload: unknown): { bucket?: string; key: string } {
  if (typeof payload === "object" && payload !== null) {
    const p = payload as {
      Records?: { s3?: { bucket?: { name?: unknown }; object?: { key?: unknown } } }[];
      action?: unknown;
      owner?: unknown;
      photoId?: unknown;
    };
    const s3 = Array.isArray(p.Records) ? p.Records[0]?.s3 : undefined;
    if (typeof s3?.object?.key === "string") {
      let key = s3.object.key;
      try {
        key = decodeS3Key(key);
      } catch {
        // Shown as S3 sent it; the replay itself reports the bad key.
      }
      return { ...(typeof s3.bucket?.name === "string" ? { bucket: s3.bucket.name } : {}), key };
    }
    if (p.action === "reprocess" && typeof p.owner === "string" && typeof p.photoId === "string") {
      return { key: auditTarget.photo(p.owner, p.photoId) };
    }
  }
  return { key: "(unknown payload)" };
}
