import { z } from "zod";
import { ProfilePictureOutcome } from "./profile-picture";
import { HandledReports, PhotoReport } from "./reports";

/**
 * The photo record: one schema for the processor (writes it), the admin API (reads and
 * overrides it) and the admin app (shows it).
 */
export const PHOTO_STATUSES = ["pending", "processing", "approved", "rejected", "failed"] as const;
export const PhotoStatus = z.enum(PHOTO_STATUSES);
export type PhotoStatus = z.infer<typeof PhotoStatus>;

/** Final states: a duplicate event for the same upload must not process it again. */
export const FINAL_STATUSES: readonly PhotoStatus[] = ["approved", "rejected"];

/** Stable verdict codes. Never rename one: records, clients and dashboards key on them. */
export const REASON_CODES = [
  "NO_FACE",
  "MULTIPLE_FACES",
  "SUNGLASSES",
  "EYES_CLOSED",
  "FACE_TOO_SMALL",
  "POSE",
  "BLURRY",
  "MODERATION",
  "UNSUPPORTED_FORMAT",
  "CORRUPT",
  "TOO_LARGE",
  "TOO_SMALL",
  "QUOTA_EXCEEDED",
] as const;
export const ReasonCode = z.enum(REASON_CODES);
export type ReasonCode = z.infer<typeof ReasonCode>;

/** Why a photo was rejected, with what was measured and the configured limit it crossed. */
export const Reason = z.object({
  code: ReasonCode,
  message: z.string(),
  measured: z.number().optional(),
  threshold: z.number().optional(),
  /** When a limit that refused the photo resets (QUOTA_EXCEEDED), ISO 8601 UTC. */
  resetsAt: z.string().optional(),
});
export type Reason = z.infer<typeof Reason>;

export const DerivedImage = z.object({
  key: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  bytes: z.number().int().nonnegative(),
});
export type DerivedImage = z.infer<typeof DerivedImage>;

export const Thumbnail = DerivedImage.extend({ size: z.number().int().positive() });
export type Thumbnail = z.infer<typeof Thumbnail>;

/** Box as ratios of the image's width and height, as Rekognition reports it. */
export const BoundingBox = z.object({
  left: z.number(),
  top: z.number(),
  width: z.number(),
  height: z.number(),
});
export type BoundingBox = z.infer<typeof BoundingBox>;

const Judged = z.object({ value: z.boolean(), confidence: z.number() });

/** The one face the checks were run on (the most confident), and how many were found. */
export const FaceSummary = z.object({
  count: z.number().int().nonnegative(),
  confidence: z.number(),
  boundingBox: BoundingBox,
  areaRatio: z.number(),
  pose: z.object({ yaw: z.number(), pitch: z.number(), roll: z.number() }),
  sharpness: z.number(),
  brightness: z.number(),
  eyesOpen: Judged.optional(),
  sunglasses: Judged.optional(),
});
export type FaceSummary = z.infer<typeof FaceSummary>;

export const ModerationLabel = z.object({
  name: z.string(),
  parentName: z.string().optional(),
  confidence: z.number(),
});
export type ModerationLabel = z.infer<typeof ModerationLabel>;

/** The value of `reviewQueue` while a photo waits for review (the `byReview` index is sparse). */
export const REVIEW_QUEUE_OPEN = "open";

/** Why processing could not finish (infrastructure, not the photo's content). */
export const Failure = z.object({ code: z.string(), message: z.string() });
export type Failure = z.infer<typeof Failure>;

export const PhotoRecord = z.object({
  owner: z.string(),
  photoId: z.string(),
  uploadKey: z.string(),
  status: PhotoStatus,
  reasons: z.array(Reason),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  format: z.string().optional(),
  bytes: z.number().int().nonnegative(),
  thumbnails: z.array(Thumbnail),
  display: DerivedImage.optional(),
  face: FaceSummary.optional(),
  moderationLabels: z.array(ModerationLabel),
  createdAt: z.string(),
  processedAt: z.string().optional(),
  attempts: z.number().int().nonnegative(),
  reviewedBy: z.string().optional(),
  /** When support last reviewed it (approved or rejected by hand). */
  reviewedAt: z.string().optional(),
  /**
   * Present (always REVIEW_QUEUE_OPEN) while the photo needs a person's review: the sparse key of
   * the `byReview` index. The processor sets it with a rejection, a report sets it on an approved
   * photo; a review removes it.
   */
  reviewQueue: z.literal("open").optional(),
  /** The processor's verdict before support overrode it: what the photo page keeps showing and Undo restores. */
  automatic: z.object({ status: z.enum(["approved", "rejected"]), reasons: z.array(Reason) }).optional(),
  /** A reviewer working on it now (the queue shows it to the others); ends at `until`. */
  reviewClaim: z.object({ by: z.string(), email: z.string().optional(), until: z.string() }).optional(),
  failure: Failure.optional(),
  /** S3 event identity of the upload this record describes: ETag and zero-padded sequencer. */
  sourceETag: z.string(),
  sourceSequencer: z.string(),
  /** The run holding the `processing` claim: a fencing token its final write is conditioned on. */
  claimId: z.string().optional(),
  /** Who claimed it (`s3-event`, `reprocess`, `reconciler`) and when; the lease ends at leaseExpiresAt. */
  claimedBy: z.string().optional(),
  claimedAt: z.string().optional(),
  leaseExpiresAt: z.string().optional(),
  /** Present when the upload asked to become the owner's profile picture: whether it did, and why not. */
  profilePicture: ProfilePictureOutcome.optional(),
  /** Every user who reported this photo: a repeated report by one of them counts once. */
  reportedBy: z.array(z.string()).optional(),
  /** Reports waiting for review; while there are any, the photo is in the review queue. */
  openReports: z.array(PhotoReport).optional(),
  /** The reports the last review dealt with (a review removes `openReports`). */
  reportsHandled: HandledReports.optional(),
  /**
   * When S3's lifecycle rules delete the original upload (rejected or failed photos; approved
   * originals are kept): the upload's time plus the environment's days, at the next midnight UTC.
   */
  originalExpiresAt: z.string().optional(),
});
export type PhotoRecord = z.infer<typeof PhotoRecord>;

/** One admin action: who did what to which target, with the state before and after. */
export const AuditEntry = z.object({
  target: z.string(),
  sortKey: z.string(),
  auditId: z.string(),
  day: z.string(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  requestId: z.string().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
