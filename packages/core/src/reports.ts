import { z } from "zod";
import { isUuid } from "./keys";
import { PROFILE_PICTURE_ROUTE } from "./profile-picture";

/**
 * Reports: any signed-in user of the upload app may report another user's approved photo (one
 * they can see under shared/). A report puts the photo in the review queue; support keeps it
 * (approve) or removes it (reject). The contract of the user's route (the admin API's function,
 * behind the upload client's authorizer), the record's report fields and what the admin app shows.
 */

/** Why a photo is reported: a small fixed set, so support can triage at a glance. */
export const REPORT_REASONS = ["INAPPROPRIATE", "HARASSMENT", "IMPERSONATION", "SPAM", "OTHER"] as const;
export const ReportReason = z.enum(REPORT_REASONS);
export type ReportReason = z.infer<typeof ReportReason>;

export const REPORT_REASON_LABELS: Record<ReportReason, string> = {
  INAPPROPRIATE: "Inappropriate content",
  HARASSMENT: "Harassment or bullying",
  IMPERSONATION: "Pretends to be someone else",
  SPAM: "Spam or advertising",
  OTHER: "Something else",
};

export const MAX_REPORT_COMMENT_LENGTH = 500;

const PhotoUuid = z.string().refine(isUuid, "must be a lower-case UUID");

/** `POST /reports`: which photo (owner + id, as in its shared/ key), why, and an optional comment. */
export const ReportPhotoRequest = z
  .object({
    owner: PhotoUuid,
    photoId: PhotoUuid,
    reason: ReportReason,
    comment: z
      .string()
      .trim()
      .max(MAX_REPORT_COMMENT_LENGTH, `must be at most ${MAX_REPORT_COMMENT_LENGTH} characters`)
      .optional(),
  })
  .strict();
export type ReportPhotoRequest = z.infer<typeof ReportPhotoRequest>;
/** What a client sends (the comment before trimming). */
export type ReportPhotoInput = z.input<typeof ReportPhotoRequest>;

export const ReportPhotoResult = z.object({
  owner: z.string(),
  photoId: z.string(),
  /** False when this user had reported the photo before: a repeated report counts once. */
  counted: z.boolean(),
});
export type ReportPhotoResult = z.infer<typeof ReportPhotoResult>;

export const REPORT_PHOTO_ROUTE = { method: "POST", path: "/reports", routeKey: "POST /reports" } as const;

/**
 * The routes of the admin API's function that take upload-app (end-user) tokens, each behind its
 * own API Gateway route and authorizer; every other path takes admin-client tokens only.
 */
export const USER_ROUTES = [PROFILE_PICTURE_ROUTE, REPORT_PHOTO_ROUTE] as const;
export type UserRouteKey = (typeof USER_ROUTES)[number]["routeKey"];

/** One report waiting for review, as the photo record keeps it (comments live in the audit log). */
export const PhotoReport = z.object({ reason: ReportReason, at: z.string() });
export type PhotoReport = z.infer<typeof PhotoReport>;

/** The reports a review dealt with: kept (approved) or removed (rejected); Undo reopens them. */
export const HandledReports = z.object({
  by: z.string(),
  at: z.string(),
  outcome: z.enum(["kept", "removed"]),
  reports: z.array(PhotoReport),
});
export type HandledReports = z.infer<typeof HandledReports>;

/** Open reports as support sees them: how many, and each reason with its count, commonest first. */
export const ReportTally = z.object({
  count: z.number().int().nonnegative(),
  reasons: z.array(z.object({ reason: ReportReason, count: z.number().int().positive() })),
});
export type ReportTally = z.infer<typeof ReportTally>;

export function tallyReports(reports: readonly PhotoReport[]): ReportTally {
  const counts = new Map<ReportReason, number>();
  for (const r of reports) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
  const reasons = [...counts]
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || REPORT_REASONS.indexOf(a.reason) - REPORT_REASONS.indexOf(b.reason));
  return { count: reports.length, reasons };
}
