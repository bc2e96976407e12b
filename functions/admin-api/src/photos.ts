import { DeleteObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import {
  auditTarget,
  leaseState,
  type Page,
  type PhotoDetail,
  type PhotoListQuery,
  PhotoRecord,
  type PhotoSummary,
  photoPrefix,
  photoTable,
  type Reason,
  sharedPrefix,
  VersionedPhotoRecord,
} from "@photogate/core";
import { writeAudit } from "./audit";
import type { AdminApiDeps, RequestContext } from "./deps";
import { ConflictError, PhotoInProgressError, PhotoNotFoundError } from "./errors";
import { keyOf, queryPartitionPage, readItems } from "./pagination";
import { signedGet } from "./urls";

const { byStatus, byOwner } = photoTable.indexes;
const statusPosition = keyOf([
  byStatus.partitionKey,
  byStatus.sortKey,
  photoTable.partitionKey,
  photoTable.sortKey,
]);
// byOwner shares the table's partition key, so its LastEvaluatedKey has three attributes.
const ownerPosition = keyOf([byOwner.partitionKey, byOwner.sortKey, photoTable.sortKey]);

/** Photos of one status (the moderation queue) or of one owner, newest first. */
export async function listPhotos(
  deps: AdminApiDeps,
  ctx: RequestContext,
  query: PhotoListQuery,
): Promise<Page<PhotoSummary>> {
  const [kind, index, value, position] = query.status
    ? (["photos.status", "byStatus", query.status, statusPosition] as const)
    : (["photos.owner", "byOwner", query.owner as string, ownerPosition] as const);
  const page = await queryPartitionPage(deps.dynamo, {
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
  return {
    items: await Promise.all(records.map((r) => summarise(deps, ctx, r))),
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
  let start: Record<string, unknown> | undefined;
  do {
    const result = await deps.dynamo.send(
      new QueryCommand({
        TableName: deps.config.photoTable,
        KeyConditionExpression: "#pk = :pk",
        ExpressionAttributeNames: { "#pk": photoTable.partitionKey },
        ExpressionAttributeValues: { ":pk": owner },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    records.push(...readRecords(ctx, result.Items ?? []));
    start = result.LastEvaluatedKey;
  } while (start);
  return records;
}

// A record the schema refuses is a processor bug to fix: logged, not hidden.
function readRecords(ctx: RequestContext, items: Record<string, unknown>[]): PhotoRecord[] {
  return readItems(PhotoRecord, items, ctx.log, "photo.unreadable", ["owner", "photoId"]);
}

export async function summarise(
  deps: AdminApiDeps,
  ctx: RequestContext,
  r: PhotoRecord,
): Promise<PhotoSummary> {
  const smallest = [...r.thumbnails].sort((a, b) => a.size - b.size)[0];
  return {
    owner: r.owner,
    photoId: r.photoId,
    status: r.status,
    createdAt: r.createdAt,
    ...(r.processedAt ? { processedAt: r.processedAt } : {}),
    ...(r.reviewedBy ? { reviewedBy: r.reviewedBy } : {}),
    ...(r.width === undefined ? {} : { width: r.width }),
    ...(r.height === undefined ? {} : { height: r.height }),
    reasonCodes: r.reasons.map((reason) => reason.code),
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
  const [original, display, thumbnails] = await Promise.all([
    signedGet(deps, record.uploadKey, ctx.at),
    record.display ? signedGet(deps, record.display.key, ctx.at) : undefined,
    Promise.all(
      record.thumbnails.map(async (t) => ({ size: t.size, ...(await signedGet(deps, t.key, ctx.at)) })),
    ),
  ]);
  return { ...record, urls: { original, ...(display ? { display } : {}), thumbnails } };
}

/** The part of a record an override changes: what the audit entry keeps as before/after. */
const reviewState = (r: PhotoRecord) => ({
  status: r.status,
  reasons: r.reasons,
  ...(r.reviewedBy ? { reviewedBy: r.reviewedBy } : {}),
});

export type Review =
  | { status: "approved"; note: string }
  | { status: "rejected"; note: string; code: Reason["code"] };

/**
 * Support's override of the processor's verdict. The record changes only if nobody changed it
 * since it was read (same status, same upload), the verdict counter goes up in the same write
 * (so the status.json it publishes supersedes the processor's), then the bucket follows.
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
  // Approving replaces the measured reasons (they stay in the audit entry's `before`);
  // rejecting records support's reason in the code the owner's client shows.
  const reasons: Reason[] = review.status === "approved" ? [] : [{ code: review.code, message: review.note }];
  const result = await deps.dynamo.send(
    new UpdateCommand({
      TableName: deps.config.photoTable,
      Key: photoKey(owner, photoId),
      // Removing the claim fences off a processing run whose lease ended: its late verdict
      // write is conditioned on its claimId and now fails instead of overwriting this review.
      UpdateExpression:
        "SET #status = :status, #reasons = :reasons, #reviewedBy = :reviewedBy ADD #verdictVersion :one REMOVE #failure, #claimId, #leaseExpiresAt",
      ConditionExpression:
        "#status = :before AND #sourceSequencer = :seq AND (attribute_not_exists(#leaseExpiresAt) OR #leaseExpiresAt <= :now)",
      ExpressionAttributeNames: {
        "#status": "status",
        "#reasons": "reasons",
        "#reviewedBy": "reviewedBy",
        "#verdictVersion": "verdictVersion",
        "#failure": "failure",
        "#sourceSequencer": "sourceSequencer",
        "#claimId": "claimId",
        "#leaseExpiresAt": "leaseExpiresAt",
      },
      ExpressionAttributeValues: {
        ":status": review.status,
        ":reasons": reasons,
        ":reviewedBy": ctx.caller.sub,
        ":one": 1,
        ":before": before.status,
        ":seq": before.sourceSequencer,
        ":now": now.toISOString(),
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
  return after;
}

export async function reprocessPhoto(
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
  const keys = [
    record.uploadKey,
    ...(await keysUnder(deps, photoPrefix(record.owner, record.photoId))),
    ...(await keysUnder(deps, sharedPrefix(record.owner, record.photoId))),
  ];
  await Promise.all(
    keys.map((Key) => deps.s3.send(new DeleteObjectCommand({ Bucket: deps.config.bucket, Key }))),
  );
  await deps.dynamo.send(
    new DeleteCommand({ TableName: deps.config.photoTable, Key: photoKey(record.owner, record.photoId) }),
  );
  return keys.length;
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
  return { owner, photoId, deleted: true, objectsDeleted };
}

async function keysUnder(deps: AdminApiDeps, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await deps.s3.send(
      new ListObjectsV2Command({
        Bucket: deps.config.bucket,
        Prefix: prefix,
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

export function photoKey(owner: string, photoId: string) {
  return { [photoTable.partitionKey]: owner, [photoTable.sortKey]: photoId };
}
