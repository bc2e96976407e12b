import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import {
  type DerivedImage,
  type FaceSummary,
  type Failure,
  FINAL_STATUSES,
  type ModerationLabel,
  PhotoRecord,
  type PhotoStatus,
  photoTable,
  type Reason,
  type Thumbnail,
  VERDICT_VERSION_ATTRIBUTE,
  VersionedPhotoRecord,
} from "@photogate/core";
import { RecordWriteError } from "./errors";
import type { UploadEvent } from "./s3-event";

export type ClaimResult =
  | { claimed: true; attempts: number }
  | {
      claimed: false;
      /** duplicate: this event already finished; superseded: a newer upload owns the record. */
      why: "duplicate" | "superseded" | "in-flux";
      stored?: { status?: string; sourceSequencer?: string };
      /** The stored record when it is whole and final (a duplicate re-publishes from it). */
      record?: VersionedPhotoRecord;
    };

export interface Verdict {
  status: Extract<PhotoStatus, "approved" | "rejected">;
  reasons: Reason[];
  width?: number;
  height?: number;
  format?: string;
  thumbnails: Thumbnail[];
  display?: DerivedImage;
  face?: FaceSummary;
  moderationLabels: ModerationLabel[];
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
 * Claims the record for this event with a conditional write. Proceeds when there is no record
 * (or one without a source), when the stored sequencer is older (a newer upload to the same key),
 * or when it is this very event and it did not reach a final state (a retry after a crash or a
 * failure). A duplicate of a finished event, or an older event arriving late, is not claimed.
 */
export async function claimRecord(
  doc: DynamoDBDocumentClient,
  table: string,
  upload: UploadEvent,
  now: string,
  options: { force?: boolean } = {},
): Promise<ClaimResult> {
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
    });
    // A new upload to the same key replaces the old verdict wholesale; createdAt stays the first upload's.
    const remove = removals(
      ["width", "height", "format", "display", "face", "processedAt", "reviewedBy", "failure"],
      a.names,
    );
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: key(upload),
        UpdateExpression: `SET ${a.set}, #createdAt = if_not_exists(#createdAt, :now) REMOVE ${remove}`,
        // force (reprocess): the same upload again, whatever its verdict, unless a run holds it now.
        ConditionExpression: options.force
          ? "#sourceSequencer = :sourceSequencer AND #status <> :processing"
          : "attribute_not_exists(#photoId) OR attribute_not_exists(#sourceSequencer) OR #sourceSequencer < :sourceSequencer",
        ExpressionAttributeNames: {
          ...a.names,
          "#createdAt": "createdAt",
          ...(options.force ? {} : { "#photoId": "photoId" }),
        },
        ExpressionAttributeValues: {
          ...a.values,
          ":now": now,
          ...(options.force ? { ":processing": "processing" } : {}),
        },
      }),
    );
    return { claimed: true, attempts: 1 };
  } catch (error) {
    if (!isConditionFailure(error))
      throw new RecordWriteError(upload.owner, upload.photoId, { cause: error });
    if (options.force) return { claimed: false, why: "in-flux" };
  }
  try {
    const result = await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: key(upload),
        // The source fields are rewritten (same values) so a record from an interrupted claim is whole.
        UpdateExpression:
          "SET #status = :processing, #uploadKey = :uploadKey, #bytes = :bytes, #sourceETag = :sourceETag ADD #attempts :one",
        ConditionExpression: "#sourceSequencer = :seq AND NOT (#status IN (:final0, :final1))",
        ExpressionAttributeNames: {
          "#status": "status",
          "#attempts": "attempts",
          "#sourceSequencer": "sourceSequencer",
          "#uploadKey": "uploadKey",
          "#bytes": "bytes",
          "#sourceETag": "sourceETag",
        },
        ExpressionAttributeValues: {
          ":processing": "processing",
          ":uploadKey": upload.key,
          ":bytes": upload.size,
          ":sourceETag": upload.eTag,
          ":one": 1,
          ":seq": upload.sequencer,
          ":final0": FINAL_STATUSES[0],
          ":final1": FINAL_STATUSES[1],
        },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    return { claimed: true, attempts: Number(result.Attributes?.attempts ?? 1) };
  } catch (error) {
    if (!isConditionFailure(error))
      throw new RecordWriteError(upload.owner, upload.photoId, { cause: error });
  }
  // Not ours: read what is there only to say why in the log.
  let stored: { status?: string; sourceSequencer?: string } | undefined;
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
  const why =
    storedSeq && storedSeq > upload.sequencer
      ? "superseded"
      : storedSeq === upload.sequencer
        ? "duplicate"
        : "in-flux";
  return {
    claimed: false,
    why,
    ...(stored ? { stored: { status: stored.status, sourceSequencer: storedSeq } } : {}),
    ...(whole ? { record: whole } : {}),
  };
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
export async function completeRecord(
  doc: DynamoDBDocumentClient,
  table: string,
  upload: UploadEvent,
  verdict: Verdict,
  processedAt: string,
): Promise<VersionedPhotoRecord | undefined> {
  const a = assignments({ ...verdict, processedAt });
  const absent = (["width", "height", "format", "display", "face"] as const).filter(
    (f) => verdict[f] === undefined,
  );
  const remove = removals([...absent, "failure"], a.names);
  return updateOwnedRecord(doc, table, upload, `SET ${a.set} REMOVE ${remove}`, a);
}

/**
 * Marks this event's record `failed` (only while it is still this event's record). Returns the
 * stored record, or undefined when a newer upload owns it.
 */
export async function failRecord(
  doc: DynamoDBDocumentClient,
  table: string,
  upload: UploadEvent,
  failure: Failure,
  processedAt: string,
): Promise<VersionedPhotoRecord | undefined> {
  const a = assignments({ status: "failed", failure, processedAt });
  return updateOwnedRecord(doc, table, upload, `SET ${a.set}`, a);
}

/**
 * Applies `update` to this event's record while it is still this event's (same sequencer),
 * raising the verdict counter in the same conditional write so it cannot skip or repeat.
 * Returns the stored record, or undefined when a newer upload owns it.
 */
async function updateOwnedRecord(
  doc: DynamoDBDocumentClient,
  table: string,
  upload: UploadEvent,
  update: string,
  a: { names: Record<string, string>; values: Record<string, unknown> },
): Promise<VersionedPhotoRecord | undefined> {
  try {
    const result = await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: key(upload),
        UpdateExpression: `${update} ADD #verdictVersion :one`,
        ConditionExpression: "#sourceSequencer = :seq",
        ExpressionAttributeNames: {
          ...a.names,
          "#sourceSequencer": "sourceSequencer",
          "#verdictVersion": VERDICT_VERSION_ATTRIBUTE,
        },
        ExpressionAttributeValues: { ...a.values, ":seq": upload.sequencer, ":one": 1 },
        ReturnValues: "ALL_NEW",
      }),
    );
    return VersionedPhotoRecord.parse(result.Attributes);
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw new RecordWriteError(upload.owner, upload.photoId, { cause: error });
  }
}
