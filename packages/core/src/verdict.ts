import { z } from "zod";
import { PHOTOS_PREFIX, SHARED_PREFIX } from "./keys";
import { DerivedImage, Failure, PhotoRecord, Reason, Thumbnail } from "./photo";
import { ProfilePictureOutcome } from "./profile-picture";
import { Uuid } from "./uuid";

/**
 * The verdict document, `photos/{owner}/{photoId}/status.json`: what the owner's client polls
 * to learn how processing ended without asking DynamoDB. One schema for the processor (writes
 * it), the admin API (rewrites it on overrides) and the client (reads it).
 *
 * It is written last, after every image it names exists, so a client that sees it can fetch
 * everything it lists. `version` only grows: it is the record's `verdictVersion`, incremented
 * in the same conditional write that makes the record final, so a reader keeps the highest
 * version it has seen and a duplicate event cannot move it back.
 */
export const VERDICT_STATUSES = ["approved", "rejected", "failed"] as const;
export const VerdictStatus = z.enum(VERDICT_STATUSES);
export type VerdictStatus = z.infer<typeof VerdictStatus>;

export const VerdictImages = z.object({
  display: DerivedImage.optional(),
  thumbnails: z.array(Thumbnail),
});
export type VerdictImages = z.infer<typeof VerdictImages>;

export const VerdictDocument = z.object({
  version: z.number().int().positive(),
  owner: Uuid,
  photoId: Uuid,
  status: VerdictStatus,
  /**
   * False only for a `failed` verdict the processor will retry by itself: a client keeps
   * polling for a higher version. Approved and rejected are always final (until a
   * reprocess or an admin override writes a higher version).
   */
  final: z.boolean(),
  reasons: z.array(Reason),
  failure: Failure.optional(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  format: z.string().optional(),
  /** Bytes of the upload. */
  bytes: z.number().int().nonnegative(),
  /** The owner's derived images under photos/ (present for approved and for most rejections). */
  images: VerdictImages,
  /** The copies every signed-in user may read, under shared/; only when approved. */
  shared: VerdictImages.optional(),
  uploadedAt: z.string(),
  processedAt: z.string(),
  reviewedBy: z.string().optional(),
  /** Only for an upload made with the profile-picture intent: whether it became `picture`, and why not. */
  profilePicture: ProfilePictureOutcome.optional(),
});
export type VerdictDocument = z.infer<typeof VerdictDocument>;

/**
 * A photo record with its verdict counter. The counter lives on the DynamoDB item next to
 * the record (`verdictVersion`), so whoever finalises the record (processor, admin API) bumps
 * it in the same conditional update (`ADD verdictVersion :one`, `ReturnValues: ALL_NEW`).
 */
export const VersionedPhotoRecord = PhotoRecord.extend({
  verdictVersion: z.number().int().positive(),
});
export type VersionedPhotoRecord = z.infer<typeof VersionedPhotoRecord>;

/** The DynamoDB attribute holding the verdict counter. */
export const VERDICT_VERSION_ATTRIBUTE = "verdictVersion";

export const VERDICT_CONTENT_TYPE = "application/json";
/**
 * status.json changes in place (same key, new version), and CloudFront's photos/ behaviour
 * caches for up to a day; no-store keeps every poll reaching S3. The edge check runs before
 * the cache anyway, so caching would save only the origin fetch of a few hundred bytes.
 */
export const VERDICT_CACHE_CONTROL = "no-store";

/** The shared/ copy of a derived image key (`photos/o/p/f` → `shared/o/p/f`). */
export function sharedCopyKey(derivedKey: string): string {
  if (!derivedKey.startsWith(PHOTOS_PREFIX)) {
    throw new Error(`Only derived images under ${PHOTOS_PREFIX} are shared, not "${derivedKey}"`);
  }
  return SHARED_PREFIX + derivedKey.slice(PHOTOS_PREFIX.length);
}

/** Builds the verdict document for a finished record. `final` matters only for `failed`. */
export function verdictFromRecord(
  record: VersionedPhotoRecord,
  options: { final?: boolean; processedAt?: string } = {},
): VerdictDocument {
  const status = VerdictStatus.parse(record.status);
  const images: VerdictImages = {
    ...(record.display ? { display: record.display } : {}),
    thumbnails: record.thumbnails,
  };
  const shared: VerdictImages | undefined =
    status === "approved"
      ? {
          ...(record.display
            ? { display: { ...record.display, key: sharedCopyKey(record.display.key) } }
            : {}),
          thumbnails: record.thumbnails.map((t) => ({ ...t, key: sharedCopyKey(t.key) })),
        }
      : undefined;
  return VerdictDocument.parse({
    version: record.verdictVersion,
    owner: record.owner,
    photoId: record.photoId,
    status,
    final: status === "failed" ? (options.final ?? true) : true,
    reasons: record.reasons,
    ...(record.failure ? { failure: record.failure } : {}),
    ...(record.width === undefined ? {} : { width: record.width }),
    ...(record.height === undefined ? {} : { height: record.height }),
    ...(record.format === undefined ? {} : { format: record.format }),
    bytes: record.bytes,
    images,
    ...(shared ? { shared } : {}),
    uploadedAt: record.createdAt,
    processedAt: options.processedAt ?? record.processedAt ?? record.createdAt,
    ...(record.reviewedBy ? { reviewedBy: record.reviewedBy } : {}),
    ...(record.profilePicture ? { profilePicture: record.profilePicture } : {}),
  });
}

/**
 * The direct-invoke payload that re-runs processing of a photo's current upload, even though
 * it already has a final verdict (the admin API invokes the processor asynchronously with it).
 */
export const ReprocessRequest = z
  .object({
    action: z.literal("reprocess"),
    owner: Uuid,
    photoId: Uuid,
  })
  .strict();
export type ReprocessRequest = z.infer<typeof ReprocessRequest>;

/**
 * The scheduled payload that makes the processor look for uploads nobody finished (lost
 * notifications, runs whose lease ended) and re-drive them; EventBridge Scheduler sends it on
 * AWS, the local stack calls the same code at start-up and periodically.
 */
export const ReconcileRequest = z.object({ action: z.literal("reconcile") }).strict();
export type ReconcileRequest = z.infer<typeof ReconcileRequest>;

/** Bounds of one reconciler run: how far back it trusts notifications, how much it lists and re-drives. */
export const ReconcileLimits = z.object({
  /** Uploads younger than this are left to their own notification. */
  olderThanSeconds: z.number().int().nonnegative(),
  /** At most this many keys of uploads/ are listed per run (the walk starts at a random owner). */
  maxKeysPerRun: z.number().int().positive(),
  /** At most this many photos are processed again per run; the rest wait for the next run. */
  maxRedrivesPerRun: z.number().int().positive(),
});
export type ReconcileLimits = z.infer<typeof ReconcileLimits>;
