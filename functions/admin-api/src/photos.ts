import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import {
  auditTarget,
  CANNED_REPLIES,
  leaseState,
  type Page,
  PHOTO_STATUSES,
  type PhotoDetail,
  type PhotoListQuery,
  PhotoRecord,
  PhotoStatus,
  type PhotoSummary,
  photoTable,
  REVIEW_CLAIM_SECONDS,
  REVIEW_COUNT_CAP,
  REVIEW_QUEUE_OPEN,
  type Reason,
  type ReviewClaimResult,
  type ReviewCount,
  tallyReports,
  VersionedPhotoRecord,
} from "@photogate/core";
import { deletePhotoDerivatives } from "@photogate/publishing";
import { writeAudit } from "./audit";
import type { AdminApiDeps, RequestContext } from "./deps";
import { emailsOf } from "./emails";
import { ConflictError, PhotoInProgressError, PhotoNotFoundError } from "./errors";
import { keyOf, queryPages, queryPartitionPage, readItems } from "./pagination";
import { clearProfilePictureOf } from "./profile";
import { signedGet } from "./urls";

const { byStatus, byOwner, byReview } = photoTable.indexes;
const statusPosition = keyOf([
  byStatus.partitionKey,
  byStatus.sortKey,
  photoTable.partitionKey,
  photoTable.sortKey,
]);
// byOwner shares the table's partition key, so its LastEvaluatedKey has three attributes.
const ownerPosition = keyOf([byOwner.partitionKey, byOwner.sortKey, photoTable.sortKey]);
const reviewPosition = keyOf([
  byReview.partitionKey,
  byReview.sortKey,
  photoTable.partitionKey,
  photoTable.sortKey,
]);

/** Photos of one status or of one owner, newest first; or the review queue, oldest first. */
export async function listPhotos(
  deps: AdminApiDeps,
  ctx: RequestContext,
  query: PhotoListQuery,
): Promise<Page<PhotoSummary>> {
  const [kind, index, value, position] = query.queue
    ? (["photos.review", "byReview", REVIEW_QUEUE_OPEN, reviewPosition] as const)
    : query.status
      ? (["photos.status", "byStatus", query.status, statusPosition] as const)
      : (["photos.owner", "byOwner", query.owner as string, ownerPosition] as const);
  const page = await queryPartitionPage(deps.dynamo, {
    oldestFirst: index === "byReview",
    table: deps.config.photoTable,
    index,
    partitionKey: photoTable.indexes[index].partitionKey,
    value,
    limit: query.limit,
    nextToken: query.nextToken,
    kind,
    position,
  });
  const records = readRecords(ctx, page.items);
  const emails = await emailsOf(
    deps,
    records.map((r) => r.owner),
  );
  return {
    items: await Promise.all(records.map((r) => summarise(deps, ctx, r, emails.get(r.owner)))),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  };
}

/** Every photo of one owner (for deleting the owner), page by page. */
export async function allPhotosOf(
  deps: AdminApiDeps,
  ctx: RequestContext,
  owner: string,
): Promise<PhotoRecord[]> {
  const records: PhotoRecord[] = [];
  for await (const items of queryPages(deps.dynamo, { ...ownerPartition(deps, owner), ConsistentRead: true }))
    records.push(...readRecords(ctx, items));
  return records;
}

/** How many of one owner's photos are in each status (reads only the status attribute). */
export async function photoCountsOf(deps: AdminApiDeps, owner: string): Promise<Record<PhotoStatus, number>> {
  const counts = Object.fromEntries(PHOTO_STATUSES.map((s) => [s, 0])) as Record<PhotoStatus, number>;
  const input = ownerPartition(deps, owner);
  for await (const items of queryPages(deps.dynamo, {
    ...input,
    ProjectionExpression: "#status",
    ExpressionAttributeNames: { ...input.ExpressionAttributeNames, "#status": "status" },
  })) {
    for (const item of items) {
      const status = PhotoStatus.safeParse(item.status);
      if (status.success) counts[status.data] += 1;
    }
  }
  return counts;
}

function ownerPartition(deps: AdminApiDeps, owner: string) {
  return {
    TableName: deps.config.photoTable,
    KeyConditionExpression: "#pk = :pk",
    ExpressionAttributeNames: { "#pk": photoTable.partitionKey },
    ExpressionAttributeValues: { ":pk": owner },
  };
}

// A record the schema refuses is a processor bug to fix: logged, not hidden.
function readRecords(ctx: RequestContext, items: Record<string, unknown>[]): PhotoRecord[] {
  return readItems(PhotoRecord, items, ctx.log, "photo.unreadable", ["owner", "photoId"]);
}

export async function summarise(
  deps: AdminApiDeps,
  ctx: RequestContext,
  r: PhotoRecord,
  ownerEmail?: string,
): Promise<PhotoSummary> {
  const smallest = [...r.thumbnails].sort((a, b) => a.size - b.size)[0];
  const claimLive = r.reviewClaim && r.reviewClaim.until > ctx.at.toISOString();
  return {
    owner: r.owner,
    photoId: r.photoId,
    status: r.status,
    createdAt: r.createdAt,
    needsReview: r.reviewQueue === REVIEW_QUEUE_OPEN,
    ...(ownerEmail ? { ownerEmail } : {}),
    ...(r.processedAt ? { processedAt: r.processedAt } : {}),
    ...(r.reviewedBy ? { reviewedBy: r.reviewedBy } : {}),
    ...(r.reviewedAt ? { reviewedAt: r.reviewedAt } : {}),
    ...(claimLive ? { reviewClaim: r.reviewClaim } : {}),
    ...(r.width === undefined ? {} : { width: r.width }),
    ...(r.height === undefined ? {} : { height: r.height }),
    reasonCodes: r.reasons.map((reason) => reason.code),
    ...(r.openReports?.length ? { reports: tallyReports(r.openReports) } : {}),
    ...(smallest ? { thumbnail: await signedGet(deps, smallest.key, ctx.at) } : {}),
  };
}

export async function loadPhoto(deps: AdminApiDeps, owner: string, photoId: string): Promise<PhotoRecord> {
  const result = await deps.dynamo.send(
    new GetCommand({
      TableName: deps.config.photoTable,
      Key: photoKey(owner, photoId),
      ConsistentRead: true,
    }),
  );
  if (!result.Item) throw new PhotoNotFoundError(owner, photoId);
  return PhotoRecord.parse(result.Item);
}

export async function getPhoto(
  deps: AdminApiDeps,
  ctx: RequestContext,
  owner: string,
  photoId: string,
): Promise<PhotoDetail> {
  const record = await loadPhoto(deps, owner, photoId);
  const [original, display, thumbnails, emails] = await Promise.all([
    signedGet(deps, record.uploadKey, ctx.at),
    record.display ? signedGet(deps, record.display.key, ctx.at) : undefined,
    Promise.all(
      record.thumbnails.map(async (t) => ({ size: t.size, ...(await signedGet(deps, t.key, ctx.at)) })),
    ),
    emailsOf(deps, record.reviewedBy ? [owner, record.reviewedBy] : [owner]),
  ]);
  const ownerEmail = emails.get(owner);
  const reviewedByEmail = record.reviewedBy ? emails.get(record.reviewedBy) : undefined;
  return {
    ...record,
    ...(ownerEmail ? { ownerEmail } : {}),
    ...(reviewedByEmail ? { reviewedByEmail } : {}),
    urls: { original, ...(display ? { display } : {}), thumbnails },
  };
}

/** The part of a record an override changes: what the audit entry keeps as before/after. */
const reviewState = (r: PhotoRecord) => ({
  status: r.status,
  reasons: r.reasons,
  ...(r.reviewedBy ? { reviewedBy: r.reviewedBy } : {}),
});

/**
 * A review. `note` is internal (the audit log only); `message` is what the owner reads in
 * status.json when the photo is rejected (the canned reply for the code when not given).
 */
export type Review =
  | { status: "approved"; note: string }
  | { status: "rejected"; note: string; message?: string | undefined; code?: Reason["code"] | undefined };

/** The code a rejection shows when support picks none: the photo's current one, else MODERATION. */
export function defaultRejectCode(r: PhotoRecord): Reason["code"] {
  return r.reasons[0]?.code ?? r.automatic?.reasons[0]?.code ?? "MODERATION";
}

/**
 * Support's override of the processor's verdict. The record changes only if nobody changed it
 * since it was read (same status, same upload), the verdict counter goes up in the same write
 * (so the status.json it publishes supersedes the processor's), then the bucket follows. The
 * processor's own verdict is kept (`automatic`, set once) so the page shows it and Undo restores it;
 * the photo leaves the review queue and any claim on it ends.
 */
export async function reviewPhoto(
  deps: AdminApiDeps,
  ctx: RequestContext,
  owner: string,
  photoId: string,
  review: Review,
): Promise<PhotoRecord> {
  const before = await loadPhoto(deps, owner, photoId);
  const now = (deps.now ?? (() => new Date()))();
  const lease = leaseState(before, now);
  if (lease.held) throw new PhotoInProgressError(lease.secondsLeft);
  // A photo whose processing died (its lease ended) has no verdict and no images: support may
  // reject it, or reprocess it, but there is nothing to approve.
  if (review.status === "approved" && (before.status === "failed" || before.status === "processing")) {
    throw new ConflictError(
      before.status === "failed"
        ? "Processing of this photo failed, so it has no derived images: reprocess it first"
        : "Processing of this photo stopped before it had derived images: reprocess it first",
    );
  }
  // Approving replaces the measured reasons (kept in `automatic` and the audit entry's `before`);
  // rejecting publishes the message to the user under the chosen code. The internal note is
  // never part of the record, so it cannot reach status.json.
  let reasons: Reason[] = [];
  if (review.status === "rejected") {
    const code = review.code ?? defaultRejectCode(before);
    reasons = [{ code, message: review.message ?? CANNED_REPLIES[code][0] ?? code }];
  }
  const automatic =
    before.automatic ??
    (before.status === "approved" || before.status === "rejected"
      ? { status: before.status, reasons: before.reasons }
      : undefined);
  // The review deals with every open report: they move to `reportsHandled` (Undo reopens them).
  // A report that lands meanwhile changes the count and fails the write rather than being lost.
  const reports = reportsGuard(before.openReports);
  const handled = reports.open.length
    ? {
        by: ctx.caller.sub,
        at: now.toISOString(),
        outcome: review.status === "approved" ? "kept" : "removed",
        reports: reports.open,
      }
    : undefined;
  const result = await deps.dynamo.send(
    new UpdateCommand({
      TableName: deps.config.photoTable,
      Key: photoKey(owner, photoId),
      // Removing the claim fences off a processing run whose lease ended: its late verdict
      // write is conditioned on its claimId and now fails instead of overwriting this review.
      UpdateExpression: `SET #status = :status, #reasons = :reasons, #reviewedBy = :reviewedBy, #reviewedAt = :reviewedAt${
        automatic ? ", #automatic = :automatic" : ""
      }${handled ? ", #reportsHandled = :handled" : ""} ADD #verdictVersion :one REMOVE #failure, #claimId, #leaseExpiresAt, #reviewQueue, #reviewClaim${
        handled ? ", #openReports" : ""
      }`,
      ConditionExpression: `#status = :before AND #sourceSequencer = :seq AND (attribute_not_exists(#leaseExpiresAt) OR #leaseExpiresAt <= :now) AND ${reports.condition}`,
      ExpressionAttributeNames: {
        ...(handled ? { "#reportsHandled": "reportsHandled" } : {}),
        "#openReports": "openReports",
        "#status": "status",
        "#reasons": "reasons",
        "#reviewedBy": "reviewedBy",
        "#reviewedAt": "reviewedAt",
        ...(automatic ? { "#automatic": "automatic" } : {}),
        "#verdictVersion": "verdictVersion",
        "#failure": "failure",
        "#sourceSequencer": "sourceSequencer",
        "#claimId": "claimId",
        "#leaseExpiresAt": "leaseExpiresAt",
        "#reviewQueue": "reviewQueue",
        "#reviewClaim": "reviewClaim",
      },
      ExpressionAttributeValues: {
        ":status": review.status,
        ":reasons": reasons,
        ":reviewedBy": ctx.caller.sub,
        ":reviewedAt": now.toISOString(),
        ...(automatic ? { ":automatic": automatic } : {}),
        ":one": 1,
        ":before": before.status,
        ":seq": before.sourceSequencer,
        ":now": now.toISOString(),
        ...(handled ? { ":handled": handled } : {}),
        ...reports.values,
      },
      ReturnValues: "ALL_NEW",
    }),
  );
  const after = VersionedPhotoRecord.parse(result.Attributes);
  await deps.publisher.publishVerdict(after);
  await writeAudit(deps, ctx, {
    action: review.status === "approved" ? "photo.approve" : "photo.reject",
    target: auditTarget.photo(owner, photoId),
    before: reviewState(before),
    after: { ...reviewState(after), note: review.note },
  });
  // A rejected photo cannot stay anyone's profile picture (its shared/ copy is gone).
  if (review.status === "rejected") await clearProfilePictureOf(deps, ctx, owner, photoId, "photo.reject");
  return after;
}

/**
 * Undo of a review: the processor's verdict comes back (status and reasons, and the photo goes
 * back into the review queue if it was rejected), published like any verdict.
 */
export async function restoreVerdict(
  deps: AdminApiDeps,
  ctx: RequestContext,
  owner: string,
  photoId: string,
): Promise<PhotoRecord> {
  const before = await loadPhoto(deps, owner, photoId);
  const automatic = before.automatic;
  if (!automatic)
    throw new ConflictError("This photo has no automatic verdict to restore: nobody overrode it");
  // The reports the undone review dealt with are open again (with any that came after it).
  const reports = reportsGuard(before.openReports);
  const reopened =
    before.reportsHandled && before.reportsHandled.at === before.reviewedAt
      ? before.reportsHandled.reports
      : [];
  const open = [...reopened, ...reports.open];
  const queue = automatic.status === "rejected" || open.length > 0;
  const result = await deps.dynamo.send(
    new UpdateCommand({
      TableName: deps.config.photoTable,
      Key: photoKey(owner, photoId),
      UpdateExpression: `SET #status = :status, #reasons = :reasons${queue ? ", #reviewQueue = :open" : ""}${
        open.length ? ", #openReports = :reports" : ""
      } ADD #verdictVersion :one REMOVE #automatic, #reviewedBy, #reviewedAt, #reviewClaim${queue ? "" : ", #reviewQueue"}${
        reopened.length ? ", #reportsHandled" : ""
      }`,
      ConditionExpression: `#status = :before AND #sourceSequencer = :seq AND attribute_exists(#automatic) AND ${reports.condition}`,
      ExpressionAttributeNames: {
        "#openReports": "openReports",
        ...(reopened.length ? { "#reportsHandled": "reportsHandled" } : {}),
        "#status": "status",
        "#reasons": "reasons",
        "#reviewQueue": "reviewQueue",
        "#verdictVersion": "verdictVersion",
        "#automatic": "automatic",
        "#reviewedBy": "reviewedBy",
        "#reviewedAt": "reviewedAt",
        "#reviewClaim": "reviewClaim",
        "#sourceSequencer": "sourceSequencer",
      },
      ExpressionAttributeValues: {
        ":status": automatic.status,
        ":reasons": automatic.reasons,
        ...(queue ? { ":open": REVIEW_QUEUE_OPEN } : {}),
        ...(open.length ? { ":reports": open } : {}),
        ":one": 1,
        ":before": before.status,
        ":seq": before.sourceSequencer,
        ...reports.values,
      },
      ReturnValues: "ALL_NEW",
    }),
  );
  const after = VersionedPhotoRecord.parse(result.Attributes);
  await deps.publisher.publishVerdict(after);
  await writeAudit(deps, ctx, {
    action: "photo.restore",
    target: auditTarget.photo(owner, photoId),
    before: reviewState(before),
    after: reviewState(after),
  });
  return after;
}

/**
 * The open reports a write was based on, and a condition that fails if one was added since (a
 * report is only ever appended, and only a review or Undo takes reports away).
 */
function reportsGuard(openReports: PhotoRecord["openReports"]) {
  const open = openReports ?? [];
  return open.length
    ? { open, condition: "size(#openReports) = :openCount", values: { ":openCount": open.length } }
    : { open, condition: "attribute_not_exists(#openReports)", values: {} };
}

/**
 * Takes (or renews) the caller's claim on a photo for REVIEW_CLAIM_SECONDS, unless another
 * reviewer holds a live one: then theirs comes back with `mine: false`, for the app to show.
 */
export async function claimReview(
  deps: AdminApiDeps,
  ctx: RequestContext,
  owner: string,
  photoId: string,
): Promise<ReviewClaimResult> {
  const now = (deps.now ?? (() => new Date()))();
  const email = (await emailsOf(deps, [ctx.caller.sub])).get(ctx.caller.sub);
  const claim = {
    by: ctx.caller.sub,
    ...(email ? { email } : {}),
    until: new Date(now.getTime() + REVIEW_CLAIM_SECONDS * 1000).toISOString(),
  };
  try {
    await deps.dynamo.send(
      new UpdateCommand({
        TableName: deps.config.photoTable,
        Key: photoKey(owner, photoId),
        UpdateExpression: "SET #reviewClaim = :claim",
        ConditionExpression:
          "attribute_exists(#photoId) AND (attribute_not_exists(#reviewClaim) OR #reviewClaim.#until <= :now OR #reviewClaim.#by = :me)",
        ExpressionAttributeNames: {
          "#photoId": photoTable.sortKey,
          "#reviewClaim": "reviewClaim",
          "#until": "until",
          "#by": "by",
        },
        ExpressionAttributeValues: { ":claim": claim, ":now": now.toISOString(), ":me": ctx.caller.sub },
      }),
    );
    return { owner, photoId, reviewClaim: claim, mine: true };
  } catch (error) {
    if ((error as { name?: string }).name !== "ConditionalCheckFailedException") throw error;
    const record = await loadPhoto(deps, owner, photoId);
    if (!record.reviewClaim) throw new ConflictError("The photo changed while claiming it: try again");
    return { owner, photoId, reviewClaim: record.reviewClaim, mine: false };
  }
}

/** How many photos wait for review, counted up to REVIEW_COUNT_CAP (one bounded query). */
export async function reviewCount(deps: AdminApiDeps): Promise<ReviewCount> {
  const result = await deps.dynamo.send(
    new QueryCommand({
      TableName: deps.config.photoTable,
      IndexName: "byReview",
      KeyConditionExpression: "#pk = :pk",
      ExpressionAttributeNames: { "#pk": byReview.partitionKey },
      ExpressionAttributeValues: { ":pk": REVIEW_QUEUE_OPEN },
      Select: "COUNT",
      Limit: REVIEW_COUNT_CAP,
    }),
  );
  const count = result.Count ?? 0;
  return { count, capped: result.LastEvaluatedKey !== undefined && count >= REVIEW_COUNT_CAP };
}

export async function requestReprocess(
  deps: AdminApiDeps,
  ctx: RequestContext,
  owner: string,
  photoId: string,
): Promise<{ owner: string; photoId: string; queued: true }> {
  const record = await loadPhoto(deps, owner, photoId);
  // The processor refuses a photo under a live lease; say so here rather than fail unseen.
  const lease = leaseState(record, (deps.now ?? (() => new Date()))());
  if (lease.held) throw new PhotoInProgressError(lease.secondsLeft);
  await deps.invokeProcessor({ action: "reprocess", owner, photoId });
  await writeAudit(deps, ctx, {
    action: "photo.reprocess",
    target: auditTarget.photo(owner, photoId),
    before: reviewState(record),
    after: { queued: true },
  });
  return { owner, photoId, queued: true };
}

/**
 * Deletes everything of one photo: the upload, photos/ (derived images, status.json), shared/
 * copies, then the record last, so a failure halfway leaves a record to retry the delete from.
 */
export async function deletePhotoEverywhere(deps: AdminApiDeps, record: PhotoRecord): Promise<number> {
  // shared/ copies first, then photos/ (derived images, status.json): the processor's own order.
  const derived = await deletePhotoDerivatives(
    { s3: deps.s3, bucket: deps.config.bucket, log: deps.log },
    record.owner,
    record.photoId,
  );
  await deps.s3.send(new DeleteObjectCommand({ Bucket: deps.config.bucket, Key: record.uploadKey }));
  await deps.dynamo.send(
    new DeleteCommand({ TableName: deps.config.photoTable, Key: photoKey(record.owner, record.photoId) }),
  );
  return derived.length + 1;
}

export async function deletePhoto(
  deps: AdminApiDeps,
  ctx: RequestContext,
  owner: string,
  photoId: string,
): Promise<{ owner: string; photoId: string; deleted: true; objectsDeleted: number }> {
  const record = await loadPhoto(deps, owner, photoId);
  const objectsDeleted = await deletePhotoEverywhere(deps, record);
  await writeAudit(deps, ctx, {
    action: "photo.delete",
    target: auditTarget.photo(owner, photoId),
    before: { ...reviewState(record), uploadKey: record.uploadKey, createdAt: record.createdAt },
    after: { deleted: true, objectsDeleted },
  });
  await clearProfilePictureOf(deps, ctx, owner, photoId, "photo.delete");
  return { owner, photoId, deleted: true, objectsDeleted };
}

export function photoKey(owner: string, photoId: string) {
  return { [photoTable.partitionKey]: owner, [photoTable.sortKey]: photoId };
}
