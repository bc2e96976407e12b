import { randomUUID } from "node:crypto";
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import {
  type DerivedImage,
  type FaceSummary,
  type Failure,
  FINAL_STATUSES,
  type LeaseState,
  leaseState,
  type ModerationLabel,
  PhotoRecord,
  type PhotoStatus,
  type ProfilePictureOutcome,
  photoTable,
  REVIEW_QUEUE_OPEN,
  type Reason,
  type Thumbnail,
  VERDICT_VERSION_ATTRIBUTE,
  VersionedPhotoRecord,
} from "@photogate/core";
import { RecordWriteError } from "./errors";
import type { UploadEvent } from "./s3-event";

export type ClaimResult =
  | {
      claimed: true;
      attempts: number;
      claim: Claim;
      /** The status the record had before this claim, when it replaced one (another upload, a reprocess). */
      previousStatus?: string;
    }
  | {
      claimed: false;
      /**
       * duplicate: this event already finished; superseded: a newer upload owns the record;
       * leased: a run holds this very upload and its lease has not ended.
       */
      why: "duplicate" | "superseded" | "leased" | "in-flux";
      stored?: { status?: string; sourceSequencer?: string };
      /** When why is "leased": who holds it and for how long. */
      lease?: Extract<LeaseState, { held: true }>;
      /** The stored record when it is whole and final (a duplicate re-publishes from it). */
      record?: VersionedPhotoRecord;
    };

/** One run's hold on a record: the fencing token its final write is conditioned on. */
export interface Claim {
  claimId: string;
  claimedBy: ClaimSource;
  claimedAt: string;
  leaseExpiresAt: string;
}

/** What started the run: an S3 notification (or its redelivery), support's reprocess, or the reconciler. */
export type ClaimSource = "s3-event" | "reprocess" | "reconciler";

export interface ClaimOptions {
  /** Reprocess: the same upload again, whatever its verdict, unless a live lease holds it. */
  force?: boolean;
  claimedBy: ClaimSource;
  leaseSeconds: number;
}

export interface FinalVerdict {
  status: Extract<PhotoStatus, "approved" | "rejected">;
  reasons: Reason[];
  width?: number;
  height?: number;
  format?: string;
  thumbnails: Thumbnail[];
  display?: DerivedImage;
  face?: FaceSummary;
  moderationLabels: ModerationLabel[];
  /** Only for a profile-picture upload: whether it became `picture`, and why not. */
  profilePicture?: ProfilePictureOutcome;
  /** When the lifecycle rules delete the original (rejected only). */
  originalExpiresAt?: string;
}

/** Builds `SET #a = :a, …` with every name aliased, so reserved words (status, owner…) need no care. */
function assignments(values: Record<string, unknown>) {
  const names: Record<string, string> = {};
  const vals: Record<string, unknown> = {};
  const parts: string[] = [];
  for (const [field, value] of Object.entries(values)) {
    if (value === undefined) continue;
    names[`#${field}`] = field;
    vals[`:${field}`] = value;
    parts.push(`#${field} = :${field}`);
  }
  return { names, values: vals, set: parts.join(", ") };
}

function removals(fields: string[], names: Record<string, string>): string {
  for (const f of fields) names[`#${f}`] = f;
  return fields.map((f) => `#${f}`).join(", ");
}

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === "ConditionalCheckFailedException";
}

const key = (u: UploadEvent) => ({ [photoTable.partitionKey]: u.owner, [photoTable.sortKey]: u.photoId });

/**
 * Claims the record for this event with a conditional write that also takes a lease. Proceeds
 * when there is no record (or one without a source), when the stored sequencer is older (a newer
 * upload to the same key), or when it is this very event, not final, and no live lease holds it
 * (a retry after a failure, or a takeover after a crash or a timeout). A duplicate of a finished
 * event, an older event arriving late, or a run under a live lease is not claimed.
 */
export async function claimRecord(
  doc: DynamoDBDocumentClient,
  table: string,
  upload: UploadEvent,
  now: Date,
  options: ClaimOptions,
): Promise<ClaimResult> {
  const claim: Claim = {
    claimId: randomUUID(),
    claimedBy: options.claimedBy,
    claimedAt: now.toISOString(),
    leaseExpiresAt: new Date(now.getTime() + options.leaseSeconds * 1000).toISOString(),
  };
  const leaseEnded =
    "(#status <> :processing OR attribute_not_exists(#leaseExpiresAt) OR #leaseExpiresAt <= :now)";
  try {
    const a = assignments({
      uploadKey: upload.key,
      status: "processing",
      reasons: [],
      bytes: upload.size,
      thumbnails: [],
      moderationLabels: [],
      attempts: 1,
      sourceETag: upload.eTag,
      sourceSequencer: upload.sequencer,
      ...claim,
    });
    // A new upload to the same key replaces the old verdict wholesale; createdAt stays the first upload's.
    const remove = removals(
      ["width", "height", "format", "display", "face", "processedAt", "reviewedBy", "failure"],
      a.names,
    );
    const replaced = await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: key(upload),
        UpdateExpression: `SET ${a.set}, #createdAt = if_not_exists(#createdAt, :claimedAt) REMOVE ${remove}`,
        ConditionExpression: options.force
          ? `#sourceSequencer = :sourceSequencer AND ${leaseEnded}`
          : "attribute_not_exists(#photoId) OR attribute_not_exists(#sourceSequencer) OR #sourceSequencer < :sourceSequencer",
        ExpressionAttributeNames: {
          ...a.names,
          "#createdAt": "createdAt",
          ...(options.force ? {} : { "#photoId": "photoId" }),
        },
        ExpressionAttributeValues: {
          ...a.values,
          ...(options.force ? { ":processing": "processing", ":now": claim.claimedAt } : {}),
        },
        ReturnValues: "ALL_OLD",
      }),
    );
    const previousStatus = replaced.Attributes?.status;
    return {
      claimed: true,
      attempts: 1,
      claim,
      ...(typeof previousStatus === "string" ? { previousStatus } : {}),
    };
  } catch (error) {
    if (!isConditionFailure(error))
      throw new RecordWriteError(upload.owner, upload.photoId, { cause: error });
  }
  if (!options.force) {
    try {
      const result = await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: key(upload),
          // The source fields are rewritten (same values) so a record from an interrupted claim is whole.
          UpdateExpression:
            "SET #status = :processing, #uploadKey = :uploadKey, #bytes = :bytes, #sourceETag = :sourceETag, #claimId = :claimId, #claimedBy = :claimedBy, #claimedAt = :now, #leaseExpiresAt = :leaseExpiresAt ADD #attempts :one",
          ConditionExpression: `#sourceSequencer = :seq AND NOT (#status IN (:final0, :final1)) AND ${leaseEnded}`,
          ExpressionAttributeNames: {
            "#status": "status",
            "#attempts": "attempts",
            "#sourceSequencer": "sourceSequencer",
            "#uploadKey": "uploadKey",
            "#bytes": "bytes",
            "#sourceETag": "sourceETag",
            "#claimId": "claimId",
            "#claimedBy": "claimedBy",
            "#claimedAt": "claimedAt",
            "#leaseExpiresAt": "leaseExpiresAt",
          },
          ExpressionAttributeValues: {
            ":processing": "processing",
            ":uploadKey": upload.key,
            ":bytes": upload.size,
            ":sourceETag": upload.eTag,
            ":claimId": claim.claimId,
            ":claimedBy": claim.claimedBy,
            ":now": claim.claimedAt,
            ":leaseExpiresAt": claim.leaseExpiresAt,
            ":one": 1,
            ":seq": upload.sequencer,
            ":final0": FINAL_STATUSES[0],
            ":final1": FINAL_STATUSES[1],
          },
          ReturnValues: "UPDATED_NEW",
        }),
      );
      return { claimed: true, attempts: Number(result.Attributes?.attempts ?? 1), claim };
    } catch (error) {
      if (!isConditionFailure(error))
        throw new RecordWriteError(upload.owner, upload.photoId, { cause: error });
    }
  }
  // Not ours: read what is there only to say why.
  let stored: (ClaimFieldsItem & { sourceSequencer?: string }) | undefined;
  let whole: VersionedPhotoRecord | undefined;
  try {
    const result = await doc.send(
      new GetCommand({ TableName: table, Key: key(upload), ConsistentRead: true }),
    );
    stored = result.Item as typeof stored;
    const parsed = VersionedPhotoRecord.safeParse(result.Item);
    if (parsed.success) whole = parsed.data;
  } catch {
    stored = undefined;
  }
  const storedSeq = stored?.sourceSequencer;
  const lease = stored
    ? leaseState({ ...stored, status: String(stored.status) }, now)
    : { held: false as const };
  const why =
    storedSeq && storedSeq > upload.sequencer
      ? "superseded"
      : storedSeq === upload.sequencer && lease.held
        ? "leased"
        : storedSeq === upload.sequencer && !options.force
          ? "duplicate"
          : "in-flux";
  return {
    claimed: false,
    why,
    ...(stored ? { stored: { status: stored.status, sourceSequencer: storedSeq } } : {}),
    ...(whole ? { record: whole } : {}),
    ...(lease.held ? { lease } : {}),
  };
}

interface ClaimFieldsItem {
  status?: string;
  claimedBy?: string;
  claimedAt?: string;
  leaseExpiresAt?: string;
}

/** Reads a photo's record (strongly consistent), or undefined when there is none. */
export async function readRecord(
  doc: DynamoDBDocumentClient,
  table: string,
  owner: string,
  photoId: string,
): Promise<(PhotoRecord & { verdictVersion?: number }) | undefined> {
  try {
    const result = await doc.send(
      new GetCommand({
        TableName: table,
        Key: { [photoTable.partitionKey]: owner, [photoTable.sortKey]: photoId },
        ConsistentRead: true,
      }),
    );
    if (!result.Item) return undefined;
    const record = PhotoRecord.parse(result.Item);
    const version = result.Item[VERDICT_VERSION_ATTRIBUTE];
    return typeof version === "number" ? { ...record, verdictVersion: version } : record;
  } catch (error) {
    throw new RecordWriteError(owner, photoId, { cause: error });
  }
}

/**
 * Writes the verdict, only if the record still belongs to this event. Returns the stored
 * record, or undefined when a newer upload took the record over meanwhile.
 */
/** A rejection waits for a person, unless its only reason is the quota: there is nothing to review. */
function needsReview(verdict: FinalVerdict): boolean {
  return verdict.status === "rejected" && verdict.reasons.some((r) => r.code !== "QUOTA_EXCEEDED");
}

export async function completeRecord(
  doc: DynamoDBDocumentClient,
  table: string,
  upload: UploadEvent,
  claim: Claim,
  verdict: FinalVerdict,
  processedAt: string,
): Promise<VersionedPhotoRecord | undefined> {
  // A rejection waits for a person's review (the sparse byReview index); a new automatic verdict
  // also ends any earlier manual review of this photo.
  const review = needsReview(verdict) ? { reviewQueue: REVIEW_QUEUE_OPEN } : {};
  const a = assignments({ ...verdict, ...review, processedAt });
  const absent = (
    ["width", "height", "format", "display", "face", "profilePicture", "originalExpiresAt"] as const
  ).filter((f) => verdict[f] === undefined);
  // Reports were about the image this verdict replaces (a new upload, or a reprocess that
  // resets every review): they go with it, as does the manual review.
  const reviewFields = [
    "reviewedBy",
    "reviewedAt",
    "automatic",
    "reviewClaim",
    "reportedBy",
    "openReports",
    "reportsHandled",
  ];
  if (!needsReview(verdict)) reviewFields.push("reviewQueue");
  const remove = removals([...absent, "failure", "claimId", "leaseExpiresAt", ...reviewFields], a.names);
  return updateOwnedRecord(doc, table, upload, claim, `SET ${a.set} REMOVE ${remove}`, a);
}

/**
 * Marks this event's record `failed` (only while it is still this event's record). Returns the
 * stored record, or undefined when a newer upload owns it.
 */
export async function failRecord(
  doc: DynamoDBDocumentClient,
  table: string,
  upload: UploadEvent,
  claim: Claim,
  failure: Failure,
  processedAt: string,
  originalExpiresAt?: string,
): Promise<VersionedPhotoRecord | undefined> {
  const a = assignments({
    status: "failed",
    failure,
    processedAt,
    ...(originalExpiresAt ? { originalExpiresAt } : {}),
  });
  const remove = removals(
    ["claimId", "leaseExpiresAt", ...(originalExpiresAt ? [] : ["originalExpiresAt"])],
    a.names,
  );
  return updateOwnedRecord(doc, table, upload, claim, `SET ${a.set} REMOVE ${remove}`, a);
}

/**
 * Applies `update` to this event's record while this run still holds it (same sequencer, same
 * claim: a run whose lease was taken over after it expired must not overwrite the new run's
 * verdict), raising the verdict counter in the same conditional write so it cannot skip or
 * repeat. Returns the stored record, or undefined when the record is no longer this run's.
 */
async function updateOwnedRecord(
  doc: DynamoDBDocumentClient,
  table: string,
  upload: UploadEvent,
  claim: Claim,
  update: string,
  a: { names: Record<string, string>; values: Record<string, unknown> },
): Promise<VersionedPhotoRecord | undefined> {
  try {
    const result = await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: key(upload),
        UpdateExpression: `${update} ADD #verdictVersion :one`,
        ConditionExpression: "#sourceSequencer = :seq AND #claimId = :claimId",
        ExpressionAttributeNames: {
          ...a.names,
          "#sourceSequencer": "sourceSequencer",
          "#claimId": "claimId",
          "#verdictVersion": VERDICT_VERSION_ATTRIBUTE,
        },
        ExpressionAttributeValues: {
          ...a.values,
          ":seq": upload.sequencer,
          ":claimId": claim.claimId,
          ":one": 1,
        },
        ReturnValues: "ALL_NEW",
      }),
    );
    return VersionedPhotoRecord.parse(result.Attributes);
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw new RecordWriteError(upload.owner, upload.photoId, { cause: error });
  }
}
