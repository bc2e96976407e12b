import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import {
  auditTarget,
  type PhotoReport,
  REVIEW_QUEUE_OPEN,
  type ReportPhotoRequest,
  type ReportPhotoResult,
} from "@photogate/core";
import { writeAudit } from "./audit";
import type { AdminApiDeps, RequestContext } from "./deps";
import { CannotReportOwnPhotoError, PhotoNotApprovedError } from "./errors";
import { loadPhoto, photoKey } from "./photos";

/**
 * A signed-in user reports another user's approved photo (`POST /reports`). The report joins the
 * record's open reports and puts the photo in the review queue; a user who reported it before is
 * not counted again (the record remembers every reporter). Every call is audited with the
 * reporter as actor, the comment included: the audit log is where support reads it.
 */
export async function reportPhoto(
  deps: AdminApiDeps,
  ctx: RequestContext,
  request: ReportPhotoRequest,
): Promise<ReportPhotoResult> {
  const { owner, photoId, reason, comment } = request;
  if (owner === ctx.caller.sub) throw new CannotReportOwnPhotoError();
  const before = await loadPhoto(deps, owner, photoId);
  if (before.status !== "approved") throw new PhotoNotApprovedError(before.status, "be reported");
  let counted = !(before.reportedBy ?? []).includes(ctx.caller.sub);
  if (counted) counted = await addReport(deps, ctx, owner, photoId, { reason, at: ctx.at.toISOString() });
  await writeAudit(deps, ctx, {
    action: "photo.report",
    target: auditTarget.photo(owner, photoId),
    before: { openReports: before.openReports?.length ?? 0 },
    after: { reason, ...(comment ? { comment } : {}), counted },
  });
  return { owner, photoId, counted };
}

/** Adds the report unless this user's is already there; false when it was (a race with themselves). */
async function addReport(
  deps: AdminApiDeps,
  ctx: RequestContext,
  owner: string,
  photoId: string,
  report: PhotoReport,
): Promise<boolean> {
  try {
    await deps.dynamo.send(
      new UpdateCommand({
        TableName: deps.config.photoTable,
        Key: photoKey(owner, photoId),
        UpdateExpression:
          "SET #reportedBy = list_append(if_not_exists(#reportedBy, :none), :reporter), #openReports = list_append(if_not_exists(#openReports, :none), :report), #reviewQueue = :open",
        ConditionExpression:
          "#status = :approved AND (attribute_not_exists(#reportedBy) OR NOT contains(#reportedBy, :me))",
        ExpressionAttributeNames: {
          "#status": "status",
          "#reportedBy": "reportedBy",
          "#openReports": "openReports",
          "#reviewQueue": "reviewQueue",
        },
        ExpressionAttributeValues: {
          ":none": [],
          ":reporter": [ctx.caller.sub],
          ":report": [report],
          ":open": REVIEW_QUEUE_OPEN,
          ":approved": "approved",
          ":me": ctx.caller.sub,
        },
      }),
    );
    return true;
  } catch (error) {
    if ((error as { name?: string }).name !== "ConditionalCheckFailedException") throw error;
    // Say which condition failed: the photo changed (or went), or this user's report got in first.
    const now = await loadPhoto(deps, owner, photoId);
    if (now.status !== "approved") throw new PhotoNotApprovedError(now.status, "be reported");
    return false;
  }
}
