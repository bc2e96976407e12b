import { z } from "zod";
import { QuotaLimits } from "./config";
import { isUuid } from "./keys";
import { AuditEntry, PhotoRecord, PhotoStatus, ReasonCode } from "./photo";
import { QuotaOverride } from "./quota";
import { ReportTally } from "./reports";
import { Uuid } from "./uuid";

/**
 * The admin API's contract: every route's path parameters, query, body and response, and the
 * routes table itself. The API (functions/admin-api) routes and validates with it, the admin app
 * (apps/admin) builds its requests and checks its responses with it, so the two cannot drift.
 *
 * Conventions: JSON bodies; lists are `{ items, nextToken? }` with an opaque `nextToken` that is
 * passed back unchanged; errors are `{ error: { code, message } }` with a stable code.
 */

// ---------------------------------------------------------------------------------------------
// Shared pieces

/** Groups that may use the admin API. `admins` can do everything `support` can, and more. */
export const ADMIN_GROUPS = ["support", "admins"] as const;
export const AdminGroup = z.enum(ADMIN_GROUPS);
export type AdminGroup = z.infer<typeof AdminGroup>;

/** Page size of every list: small enough for one Cognito ListUsers call (max 60). */
export const MAX_PAGE_SIZE = 60;
export const DEFAULT_PAGE_SIZE = 25;

const Limit = z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE);
/** Opaque; only ever a value the API returned. Tampered tokens are refused with INVALID_NEXT_TOKEN. */
const NextToken = z.string().min(1).max(2048);

export const PageQuery = z.object({ limit: Limit, nextToken: NextToken.optional() });

export function Page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextToken: z.string().optional() });
}
export type Page<T> = { items: T[]; nextToken?: string | undefined };

/** A short-lived presigned GET URL; nothing in the bucket is ever public. */
export const SignedUrl = z.object({ url: z.string().url(), expiresAt: z.string() });
export type SignedUrl = z.infer<typeof SignedUrl>;

/** Stable error codes of the API. Never rename one: the app keys messages on them. */
export const ADMIN_ERROR_CODES = [
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "ROUTE_NOT_FOUND",
  "METHOD_NOT_ALLOWED",
  "INVALID_REQUEST",
  "INVALID_NEXT_TOKEN",
  "USER_NOT_FOUND",
  "PHOTO_NOT_FOUND",
  "PHOTO_NOT_APPROVED",
  "PHOTO_IN_PROGRESS",
  "CONFLICT",
  "CANNOT_TARGET_SELF",
  "INVALID_USER_STATE",
  "TOO_MANY_REQUESTS",
  "PAYLOAD_TOO_LARGE",
  "NOT_SUPPORTED",
  "UPSTREAM_ERROR",
  "INTERNAL",
] as const;
export const AdminErrorCode = z.enum(ADMIN_ERROR_CODES);
export type AdminErrorCode = z.infer<typeof AdminErrorCode>;

export const ErrorBody = z.object({
  error: z.object({
    code: AdminErrorCode,
    message: z.string(),
    /** For INVALID_REQUEST: which fields were wrong and why (`body.reason: required`). */
    fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    requestId: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

// ---------------------------------------------------------------------------------------------
// Users

/** Cognito's user statuses (UserStatusType), kept open: Cognito adds new ones. */
export const UserStatus = z.string();

/** Fields a user search can match by prefix (Cognito ListUsers `Filter` with `^=`). */
export const USER_SEARCH_FIELDS = ["email", "username", "sub"] as const;
export const UserSearchField = z.enum(USER_SEARCH_FIELDS);
export type UserSearchField = z.infer<typeof UserSearchField>;

export const UserSummary = z.object({
  sub: z.string(),
  username: z.string(),
  email: z.string().optional(),
  emailVerified: z.boolean().optional(),
  status: UserStatus,
  enabled: z.boolean(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
  /** The Cognito `picture` attribute: where the profile picture is. */
  picture: z.string().optional(),
  /** In a search for a photo id: that photo is this user's (the id searched for). */
  ownsPhoto: z.string().optional(),
});
export type UserSummary = z.infer<typeof UserSummary>;

export const PhotoSummary = PhotoRecord.pick({
  owner: true,
  photoId: true,
  status: true,
  createdAt: true,
  processedAt: true,
  reviewedBy: true,
  reviewedAt: true,
  reviewClaim: true,
  width: true,
  height: true,
}).extend({
  reasonCodes: z.array(ReasonCode),
  /** The owner's e-mail (from the user pool); absent when the owner is gone or has none. */
  ownerEmail: z.string().optional(),
  /** Waiting for a person's review (in the review queue). */
  needsReview: z.boolean(),
  /** Users' reports waiting for review: how many, and why. */
  reports: ReportTally.optional(),
  /** The smallest thumbnail, presigned; absent until the processor made one. */
  thumbnail: SignedUrl.optional(),
});
export type PhotoSummary = z.infer<typeof PhotoSummary>;

/** Who disabled a user, when and why: from the newest `user.disable` audit entry. */
export const DisabledBy = z.object({
  by: z.string(),
  email: z.string().optional(),
  at: z.string(),
  reason: z.string().optional(),
});
export type DisabledBy = z.infer<typeof DisabledBy>;

export const UserDetail = UserSummary.extend({
  attributes: z.record(z.string(), z.string()),
  groups: z.array(z.string()),
  /** How many of the user's photos are in each status (every status listed, zeros included). */
  photoCounts: z.record(PhotoStatus, z.number().int().nonnegative()),
  /** Present while the user is disabled and the audit log knows who did it. */
  disabledBy: DisabledBy.optional(),
  /**
   * The photo `picture` names (issue 13), with its display image presigned: `picture` itself is
   * an edge URL that needs an upload-app token, which the admin app does not have.
   */
  profilePhoto: z.object({ photoId: z.string(), display: SignedUrl }).optional(),
  /** Newest first; the first page only (more with GET /photos?owner=…). */
  photos: Page(PhotoSummary),
});
export type UserDetail = z.infer<typeof UserDetail>;

// ---------------------------------------------------------------------------------------------
// Upload quota

/** One period's usage against the limit in force, and when that period ends (ISO, UTC). */
export const PeriodUsage = z.object({
  period: z.string(),
  uploads: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  limit: QuotaLimits,
  resetsAt: z.string(),
});
export type PeriodUsage = z.infer<typeof PeriodUsage>;

/** GET /users/{sub}/usage: today's and this month's uploads, and whose limits apply. */
export const UserUsage = z.object({
  sub: Uuid,
  day: PeriodUsage,
  /** Absent when no monthly limit is configured. */
  month: PeriodUsage.optional(),
  /** Present when an admin set this user's limits; otherwise the environment's apply. */
  override: QuotaOverride.extend({ updatedAt: z.string(), updatedBy: z.string() }).optional(),
});
export type UserUsage = z.infer<typeof UserUsage>;

/**
 * PUT /users/{sub}/quota (admins): the user's daily limits and, optionally, monthly ones (the
 * environment's monthly limit applies without). Capped so a typo cannot lift the cost guard.
 */
export const QUOTA_MAX_UPLOADS = 10_000;
export const QUOTA_MAX_BYTES = 100 * 1024 ** 3;
const LimitsBody = z
  .object({
    uploads: z.number().int().min(1).max(QUOTA_MAX_UPLOADS),
    bytes: z.number().int().min(1).max(QUOTA_MAX_BYTES),
  })
  .strict();
export const SetQuotaBody = z
  .object({
    daily: LimitsBody,
    monthly: LimitsBody.optional(),
    /** Why the limit changed: kept in the audit log. */
    reason: z.string().trim().min(3).max(500),
  })
  .strict()
  .refine((b) => !b.monthly || (b.monthly.uploads >= b.daily.uploads && b.monthly.bytes >= b.daily.bytes), {
    message: "monthly limits must be at least the daily ones",
    path: ["monthly"],
  });
export type SetQuotaBody = z.infer<typeof SetQuotaBody>;

// ---------------------------------------------------------------------------------------------
// Photos

export const PhotoDetail = PhotoRecord.extend({
  ownerEmail: z.string().optional(),
  /** The e-mail of the support member who overrode the verdict (`reviewedBy`). */
  reviewedByEmail: z.string().optional(),
  urls: z.object({
    original: SignedUrl,
    display: SignedUrl.optional(),
    thumbnails: z.array(SignedUrl.extend({ size: z.number().int() })),
  }),
});
export type PhotoDetail = z.infer<typeof PhotoDetail>;

/**
 * Photo lists: by status or one owner's photos (newest first), or the review queue
 * (`queue=review`: photos needing a person's review, oldest first).
 */
export const PhotoListQuery = PageQuery.extend({
  status: PhotoStatus.optional(),
  owner: Uuid.optional(),
  queue: z.literal("review").optional(),
}).refine((q) => [q.status, q.owner, q.queue].filter((v) => v !== undefined).length === 1, {
  message: "give exactly one of status, owner or queue",
  path: ["status"],
});
export type PhotoListQuery = z.infer<typeof PhotoListQuery>;

/** The review queue's size for the nav; counting stops at `REVIEW_COUNT_CAP` (`capped: true`). */
export const REVIEW_COUNT_CAP = 1000;
export const ReviewCount = z.object({ count: z.number().int().nonnegative(), capped: z.boolean() });
export type ReviewCount = z.infer<typeof ReviewCount>;

/** How long a reviewer's claim on a photo lasts unless renewed (selecting it again renews it). */
export const REVIEW_CLAIM_SECONDS = 300;
export const ReviewClaimResult = z.object({
  owner: z.string(),
  photoId: z.string(),
  reviewClaim: z.object({ by: z.string(), email: z.string().optional(), until: z.string() }),
  /** False when someone else holds a live claim: the claim returned is theirs. */
  mine: z.boolean(),
});
export type ReviewClaimResult = z.infer<typeof ReviewClaimResult>;

const ReviewNote = z.string().trim().min(1, "say why").max(500);

/** `reason` is the internal note: audit log only, never published. */
export const ApproveBody = z.object({ reason: ReviewNote });
export type ApproveBody = z.infer<typeof ApproveBody>;

export const RejectBody = z.object({
  /** Internal note: kept in the audit log only, never published to the owner. */
  note: ReviewNote,
  /** The message to the user, published in status.json; the canned reply for the code when absent. */
  message: z.string().trim().min(1, "write the message to the user").max(500).optional(),
  /** The code the owner's client shows; the photo's current code when absent (else MODERATION). */
  code: ReasonCode.optional(),
});
export type RejectBody = z.infer<typeof RejectBody>;

/**
 * Canned messages to the user, per reason code (the first is the default). Written for the
 * photo's owner: what was wrong and what to do. The app offers them; the API uses the first.
 */
export const CANNED_REPLIES: Record<ReasonCode, readonly string[]> = {
  NO_FACE: ["We could not find a face in this photo. Please upload a photo that shows your face clearly."],
  MULTIPLE_FACES: ["This photo shows more than one person. Please upload a photo of just yourself."],
  SUNGLASSES: ["Please take off your sunglasses and upload a new photo."],
  EYES_CLOSED: ["Your eyes seem closed in this photo. Please upload one with your eyes open."],
  FACE_TOO_SMALL: ["Your face is too small in this photo. Please upload a closer photo."],
  POSE: ["Please face the camera straight on and upload a new photo."],
  BLURRY: ["This photo is too blurry. Please upload a sharper photo."],
  MODERATION: [
    "This photo does not meet our content rules. Please upload a different photo.",
    "This photo cannot be used as a profile photo. Please upload a photo of yourself.",
  ],
  UNSUPPORTED_FORMAT: ["We cannot read this file type. Please upload a JPEG, PNG or WebP photo."],
  CORRUPT: ["This file seems damaged. Please upload the photo again."],
  TOO_LARGE: ["This photo is too large. Please upload a smaller photo."],
  TOO_SMALL: ["This photo is too small. Please upload a larger photo."],
  QUOTA_EXCEEDED: ["You have uploaded too many photos today. Please try again after your limit resets."],
};

/** Why a user was disabled: kept in the audit log with the action. */
export const DisableBody = z.object({ reason: ReviewNote }).or(z.undefined());
export type DisableBody = z.infer<typeof DisableBody>;

// ---------------------------------------------------------------------------------------------
// Audit

/** Targets are `user/{sub}` or `photo/{owner}/{photoId}`. */
export const auditTarget = {
  user: (sub: string) => `user/${sub}`,
  photo: (owner: string, photoId: string) => `photo/${owner}/${photoId}`,
  /** The processor's dead letters (the DLQ on AWS, the dead-letter file locally). */
  deadLetters: () => "dead-letters",
};

export const AUDIT_ACTIONS = [
  "user.disable",
  "user.enable",
  "user.reset-password",
  "user.resend-invite",
  "user.sign-out",
  "user.add-to-support",
  "user.remove-from-support",
  "user.delete",
  "photo.approve",
  "photo.reject",
  "photo.reprocess",
  "photo.delete",
  "photo.set-profile-picture",
  "photo.restore",
  // issue 13: a user chose one of their approved photos; `picture` cleared with the photo it named
  "user.choose-profile-picture",
  "photo.clear-profile-picture",
  // a signed-in user reported someone else's photo (the actor is the reporter)
  "photo.report",
  "dead-letters.redrive",
  "user.set-quota",
] as const;
export const AuditAction = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof AuditAction>;

/** What the API returns for an audit entry: the stored entry, action typed, people as e-mails. */
export const AuditItem = AuditEntry.extend({
  action: AuditAction,
  actorEmail: z.string().optional(),
  /** The target user's e-mail, or the target photo's owner's. */
  targetEmail: z.string().optional(),
});
export type AuditItem = z.infer<typeof AuditItem>;

/** Longest date range one audit query may span (the byDay index is walked day by day). */
export const MAX_AUDIT_RANGE_DAYS = 31;

export const AuditQuery = PageQuery.extend({
  /** The acting admin: sub or e-mail. */
  actor: z
    .string()
    .trim()
    .refine((v) => isUuid(v) || /^[^\s@]+@[^\s@]+$/.test(v), "must be an e-mail address or a user's sub")
    .optional(),
  /** `user/{sub}` or `photo/{owner}/{photoId}`. */
  target: z
    .string()
    .regex(
      /^(user\/[0-9a-f-]{36}|photo\/[0-9a-f-]{36}\/[0-9a-f-]{36}|dead-letters)$/,
      "must be user/{sub}, photo/{owner}/{photoId} or dead-letters",
    )
    .optional(),
  /** UTC day, YYYY-MM-DD; today when neither actor nor target is given. */
  day: z.iso.date("must be a date as YYYY-MM-DD").optional(),
  /** A UTC date range, YYYY-MM-DD, both ends included; with or instead of actor or target. */
  from: z.iso.date("must be a date as YYYY-MM-DD").optional(),
  to: z.iso.date("must be a date as YYYY-MM-DD").optional(),
  /** Only entries of this action. */
  action: AuditAction.optional(),
})
  .refine((q) => [q.actor, q.target, q.day].filter((v) => v !== undefined).length <= 1, {
    message: "filter by at most one of actor, target or day",
    path: ["actor"],
  })
  .refine((q) => q.day === undefined || (q.from === undefined && q.to === undefined), {
    message: "give either day or a from/to range",
    path: ["day"],
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    message: "from must not be after to",
    path: ["from"],
  });
export type AuditQuery = z.infer<typeof AuditQuery>;

// ---------------------------------------------------------------------------------------------
// Dead letters: processor invocations that failed every attempt, and their redrive

/** Most dead letters one request lists or replays: a redrive must finish within the API's timeout. */
export const MAX_DEAD_LETTER_BATCH = 25;

/** One dead letter as the API, the redrive command and the app show it. */
export const DeadLetterItem = z.object({
  /** The SQS message id, or the line's id in the local dead-letter file. */
  id: z.string(),
  bucket: z.string().optional(),
  /** The decoded upload key, or `photo/{owner}/{photoId}` for a failed reprocess request. */
  key: z.string(),
  failedAt: z.string(),
  /** The last error of the failed invocation, as recorded with it. */
  error: z.string(),
});
export type DeadLetterItem = z.infer<typeof DeadLetterItem>;

export const DeadLetterList = z.object({
  items: z.array(DeadLetterItem),
  /** How many dead letters there are in all (SQS: approximate). */
  total: z.number().int().nonnegative(),
});
export type DeadLetterList = z.infer<typeof DeadLetterList>;

export const DeadLetterQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_DEAD_LETTER_BATCH).default(MAX_DEAD_LETTER_BATCH),
});

export const RedriveBody = z
  .object({
    /** List what would be replayed; replay and remove nothing. */
    dryRun: z.boolean().default(false),
    max: z.number().int().min(1).max(MAX_DEAD_LETTER_BATCH).default(10),
  })
  .strict();
export type RedriveBody = z.infer<typeof RedriveBody>;

export const REDRIVE_OUTCOMES = ["replayed", "failed", "would-replay"] as const;

/** One message's result: replayed (and removed), failed (left in place, with why), or listed by a dry run. */
export const RedriveResult = DeadLetterItem.extend({
  outcome: z.enum(REDRIVE_OUTCOMES),
  replayError: z.string().optional(),
});
export type RedriveResult = z.infer<typeof RedriveResult>;

export const RedriveSummary = z.object({
  dryRun: z.boolean(),
  replayed: z.number().int().nonnegative(),
  failed: z.array(z.object({ id: z.string(), key: z.string(), error: z.string() })),
  /** Dead letters left after the run (SQS: approximate). */
  remaining: z.number().int().nonnegative(),
  results: z.array(RedriveResult),
});
export type RedriveSummary = z.infer<typeof RedriveSummary>;

// ---------------------------------------------------------------------------------------------
// Routes

export const SubParams = z.object({ sub: Uuid });
export const PhotoParams = z.object({ owner: Uuid, photoId: Uuid });
const NoParams = z.object({});
const NoQuery = z.object({});
const NoBody = z.undefined().or(z.object({}).strict());

export const USER_STATES = ["enabled", "disabled", "unconfirmed"] as const;
export const USER_SORTS = ["email", "-email", "created", "-created"] as const;

export const UserSearchQuery = PageQuery.extend({
  /** Text to find; everyone when absent. A photo id (UUID) also finds that photo's owner. */
  q: z.string().trim().min(1).max(256).optional(),
  /** A field to match by prefix (Cognito's own filter); absent: contains, over e-mail, name, username and sub. */
  by: UserSearchField.optional(),
  state: z.enum(USER_STATES).optional(),
  group: AdminGroup.optional(),
  sort: z.enum(USER_SORTS).optional(),
});
export type UserSearchQuery = z.infer<typeof UserSearchQuery>;

export const SetProfilePictureResult = z.object({ sub: z.string(), picture: z.string() });
/** Result of user actions: the user as they are now. */
export const UserActionResult = z.object({ user: UserSummary, groups: z.array(z.string()).optional() });
export const DeletedUserResult = z.object({
  sub: z.string(),
  deleted: z.literal(true),
  /** Photos whose objects and records were removed with the user. */
  photosDeleted: z.number().int().nonnegative(),
});
export const ReprocessResult = z.object({ owner: z.string(), photoId: z.string(), queued: z.literal(true) });
export const DeletedPhotoResult = z.object({
  owner: z.string(),
  photoId: z.string(),
  deleted: z.literal(true),
  objectsDeleted: z.number().int().nonnegative(),
});

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface AdminRoute<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  /** `{name}` segments are path parameters, validated by `params`. */
  path: string;
  /** The least group that may call it. */
  access: AdminGroup;
  /** Mutating routes write an audit entry. */
  audit: AuditAction | readonly AuditAction[] | undefined;
  status: 200 | 202;
  params: P;
  query: Q;
  body: B;
  response: R;
}

function route<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(
  r: AdminRoute<P, Q, B, R>,
): AdminRoute<P, Q, B, R> {
  return r;
}

const get = { method: "GET", access: "support", audit: undefined, status: 200, body: NoBody } as const;
const action = { method: "POST", access: "support", status: 200, query: NoQuery, body: NoBody } as const;

export const adminRoutes = {
  searchUsers: route({
    ...get,
    path: "/users",
    params: NoParams,
    query: UserSearchQuery,
    response: Page(UserSummary),
  }),
  getUser: route({ ...get, path: "/users/{sub}", params: SubParams, query: NoQuery, response: UserDetail }),
  disableUser: route({
    ...action,
    path: "/users/{sub}/disable",
    audit: "user.disable",
    params: SubParams,
    body: DisableBody,
    response: UserActionResult,
  }),
  enableUser: route({
    ...action,
    path: "/users/{sub}/enable",
    audit: "user.enable",
    params: SubParams,
    response: UserActionResult,
  }),
  /** Confirmed users get a reset code; users who never signed in get their invitation again. */
  resetPassword: route({
    ...action,
    path: "/users/{sub}/reset-password",
    audit: ["user.reset-password", "user.resend-invite"],
    params: SubParams,
    response: UserActionResult,
  }),
  signOutUser: route({
    ...action,
    path: "/users/{sub}/sign-out",
    audit: "user.sign-out",
    params: SubParams,
    response: UserActionResult,
  }),
  addToSupport: route({
    ...action,
    method: "PUT",
    path: "/users/{sub}/groups/support",
    access: "admins",
    audit: "user.add-to-support",
    params: SubParams,
    response: UserActionResult,
  }),
  removeFromSupport: route({
    ...action,
    method: "DELETE",
    path: "/users/{sub}/groups/support",
    access: "admins",
    audit: "user.remove-from-support",
    params: SubParams,
    response: UserActionResult,
  }),
  deleteUser: route({
    ...action,
    method: "DELETE",
    path: "/users/{sub}",
    access: "admins",
    audit: "user.delete",
    params: SubParams,
    response: DeletedUserResult,
  }),
  getUserUsage: route({
    ...get,
    path: "/users/{sub}/usage",
    params: SubParams,
    query: NoQuery,
    response: UserUsage,
  }),
  setUserQuota: route({
    ...action,
    method: "PUT",
    path: "/users/{sub}/quota",
    access: "admins",
    audit: "user.set-quota",
    params: SubParams,
    body: SetQuotaBody,
    response: UserUsage,
  }),
  reviewCount: route({
    ...get,
    path: "/review/count",
    params: NoParams,
    query: NoQuery,
    response: ReviewCount,
  }),
  claimReview: route({
    ...action,
    path: "/photos/{owner}/{photoId}/claim",
    audit: undefined,
    params: PhotoParams,
    response: ReviewClaimResult,
  }),
  restoreVerdict: route({
    ...action,
    path: "/photos/{owner}/{photoId}/restore",
    audit: "photo.restore",
    params: PhotoParams,
    response: PhotoRecord,
  }),
  listPhotos: route({
    ...get,
    path: "/photos",
    params: NoParams,
    query: PhotoListQuery,
    response: Page(PhotoSummary),
  }),
  getPhoto: route({
    ...get,
    path: "/photos/{owner}/{photoId}",
    params: PhotoParams,
    query: NoQuery,
    response: PhotoDetail,
  }),
  approvePhoto: route({
    ...action,
    path: "/photos/{owner}/{photoId}/approve",
    audit: "photo.approve",
    params: PhotoParams,
    body: ApproveBody,
    response: PhotoRecord,
  }),
  rejectPhoto: route({
    ...action,
    path: "/photos/{owner}/{photoId}/reject",
    audit: "photo.reject",
    params: PhotoParams,
    body: RejectBody,
    response: PhotoRecord,
  }),
  reprocessPhoto: route({
    ...action,
    path: "/photos/{owner}/{photoId}/reprocess",
    audit: "photo.reprocess",
    status: 202,
    params: PhotoParams,
    response: ReprocessResult,
  }),
  deletePhoto: route({
    ...action,
    method: "DELETE",
    path: "/photos/{owner}/{photoId}",
    audit: "photo.delete",
    params: PhotoParams,
    response: DeletedPhotoResult,
  }),
  setProfilePicture: route({
    ...action,
    path: "/photos/{owner}/{photoId}/profile-picture",
    audit: "photo.set-profile-picture",
    params: PhotoParams,
    response: SetProfilePictureResult,
  }),
  listDeadLetters: route({
    ...get,
    path: "/dead-letters",
    access: "admins",
    params: NoParams,
    query: DeadLetterQuery,
    response: DeadLetterList,
  }),
  redriveDeadLetters: route({
    ...action,
    path: "/dead-letters/redrive",
    access: "admins",
    audit: "dead-letters.redrive",
    params: NoParams,
    body: RedriveBody,
    response: RedriveSummary,
  }),
  listAudit: route({
    ...get,
    path: "/audit",
    params: NoParams,
    query: AuditQuery,
    response: Page(AuditItem),
  }),
} as const;

export type AdminRoutes = typeof adminRoutes;
export type AdminRouteName = keyof AdminRoutes;
export type RouteParams<N extends AdminRouteName> = z.input<AdminRoutes[N]["params"]>;
export type RouteQuery<N extends AdminRouteName> = z.input<AdminRoutes[N]["query"]>;
export type RouteBody<N extends AdminRouteName> = z.input<AdminRoutes[N]["body"]>;
export type RouteResponse<N extends AdminRouteName> = z.output<AdminRoutes[N]["response"]>;

/** Fills a route's `{name}` segments (URI-encoded) for the app's fetch client. */
export function adminPath(path: string, params: Record<string, string> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`Missing path parameter "${name}" for ${path}`);
    return encodeURIComponent(value);
  });
}

/** Matches a concrete path against a route pattern; the raw (still encoded) parameters, or undefined. */
export function matchAdminPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    const name = /^\{(\w+)\}$/.exec(w)?.[1];
    if (name) {
      if (g === "") return undefined;
      params[name] = g;
    } else if (w !== g) return undefined;
  }
  return params;
}
