import { z } from "zod";
import { isUuid } from "./keys";
import { AuditEntry, PhotoRecord, PhotoStatus, ReasonCode } from "./photo";

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

/** Lower-case UUID: user-pool subs (also the pool's usernames) and photo ids. */
export const Uuid = z.string().refine(isUuid, { message: "must be a lower-case UUID" });

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
});
export type UserSummary = z.infer<typeof UserSummary>;

export const PhotoSummary = PhotoRecord.pick({
  owner: true,
  photoId: true,
  status: true,
  createdAt: true,
  processedAt: true,
  reviewedBy: true,
  width: true,
  height: true,
}).extend({
  reasonCodes: z.array(ReasonCode),
  /** The smallest thumbnail, presigned; absent until the processor made one. */
  thumbnail: SignedUrl.optional(),
});
export type PhotoSummary = z.infer<typeof PhotoSummary>;

export const UserDetail = UserSummary.extend({
  attributes: z.record(z.string(), z.string()),
  groups: z.array(z.string()),
  /** Newest first; the first page only (more with GET /photos?owner=…). */
  photos: Page(PhotoSummary),
});
export type UserDetail = z.infer<typeof UserDetail>;

// ---------------------------------------------------------------------------------------------
// Photos

export const PhotoDetail = PhotoRecord.extend({
  urls: z.object({
    original: SignedUrl,
    display: SignedUrl.optional(),
    thumbnails: z.array(SignedUrl.extend({ size: z.number().int() })),
  }),
});
export type PhotoDetail = z.infer<typeof PhotoDetail>;

/** Photo lists: the moderation queue (by status) or one owner's photos, newest first. */
export const PhotoListQuery = PageQuery.extend({
  status: PhotoStatus.optional(),
  owner: Uuid.optional(),
}).refine((q) => (q.status === undefined) !== (q.owner === undefined), {
  message: "give exactly one of status or owner",
  path: ["status"],
});
export type PhotoListQuery = z.infer<typeof PhotoListQuery>;

const ReviewNote = z.string().trim().min(1, "say why").max(500);

export const ApproveBody = z.object({ reason: ReviewNote });
export type ApproveBody = z.infer<typeof ApproveBody>;

export const RejectBody = z.object({
  reason: ReviewNote,
  /** The code the owner's client shows; MODERATION when support does not pick one. */
  code: ReasonCode.default("MODERATION"),
});
export type RejectBody = z.infer<typeof RejectBody>;

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
  "dead-letters.redrive",
] as const;
export const AuditAction = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof AuditAction>;

/** What the API returns for an audit entry (the stored AuditEntry with its action typed). */
export const AuditItem = AuditEntry.extend({ action: AuditAction });
export type AuditItem = z.infer<typeof AuditItem>;

export const AuditQuery = PageQuery.extend({
  /** The acting admin's sub. */
  actor: Uuid.optional(),
  /** `user/{sub}` or `photo/{owner}/{photoId}`. */
  target: z
    .string()
    .regex(
      /^(user\/[0-9a-f-]{36}|photo\/[0-9a-f-]{36}\/[0-9a-f-]{36}|dead-letters)$/,
      "must be user/{sub}, photo/{owner}/{photoId} or dead-letters",
    )
    .optional(),
  /** UTC day, YYYY-MM-DD; today when neither actor nor target is given. */
  day: z.iso.date().optional(),
}).refine((q) => [q.actor, q.target, q.day].filter((v) => v !== undefined).length <= 1, {
  message: "filter by at most one of actor, target or day",
  path: ["actor"],
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

export const UserSearchQuery = PageQuery.extend({
  /** Prefix to match; everyone (in Cognito's order) when absent. */
  q: z.string().trim().min(1).max(256).optional(),
  by: UserSearchField.default("email"),
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
