import { randomUUID } from "node:crypto";
import { type _Object, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { BatchGetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import {
  FINAL_STATUSES,
  InvalidKeyError,
  type PhotoRecord,
  parseUploadKey,
  photoTable,
  type ReconcileLimits,
  UPLOADS_PREFIX,
} from "@photogate/core";
import type { ProcessorDeps, UploadOutcome } from "./process-upload";
import { processUpload } from "./process-upload";
import { normaliseETag, type UploadEvent } from "./s3-event";

export const DEFAULT_RECONCILE_LIMITS: ReconcileLimits = {
  olderThanSeconds: 300,
  maxKeysPerRun: 5000,
  maxRedrivesPerRun: 20,
};

/** Why the reconciler picked a photo up. */
export type RedriveCause =
  /** An upload with no record at all: its notification never arrived. */
  | "no-record"
  /** The object is newer than its record (another ETag): the newer upload's notification was lost. */
  | "replaced"
  /** A `processing` claim whose lease ended: the run died or timed out. */
  | "lease-expired";

export interface ReconcileReport {
  startedAt: string;
  /** Keys of uploads/ listed this run, and where the walk started. */
  listed: number;
  startAfter: string;
  /** True when the walk covered all of uploads/ (it wrapped around) within maxKeysPerRun. */
  coveredAll: boolean;
  found: { key: string; cause: RedriveCause }[];
  redriven: { key: string; cause: RedriveCause; outcome: UploadOutcome["outcome"] }[];
  failed: { key: string; cause: RedriveCause; error: string }[];
  /** Found but left for the next run (maxRedrivesPerRun or the time budget ran out). */
  deferred: number;
}

export interface ReconcileOptions {
  limits?: ReconcileLimits;
  /** Where the walk of uploads/ starts; a random owner id by default, so runs cover the bucket evenly. */
  startAfter?: string;
  /** Milliseconds left in this invocation; re-driving stops with a margin before it runs out. */
  remainingMs?: () => number;
}

/** Leave this much of the invocation for the photo that is being re-driven when time runs out. */
const TIME_MARGIN_MS = 20_000;

/**
 * Finds uploads that no run will finish, and processes them again through the normal claim,
 * so the result is the same as if their notification had arrived: (a) `processing` records
 * whose lease ended, from the status index (only photos in flight are read), and (b) objects
 * under uploads/ older than `olderThanSeconds` with no record or a record of an older upload,
 * from a bounded walk of the listing that starts at a random owner and wraps around. Twice-run
 * is harmless: a finished photo is final and is not picked up again.
 */
export async function reconcile(
  deps: ProcessorDeps,
  options: ReconcileOptions = {},
): Promise<ReconcileReport> {
  const limits = options.limits ?? DEFAULT_RECONCILE_LIMITS;
  const bucket = deps.config.bucket;
  if (!bucket) throw new Error("The reconciler needs the bucket name (PHOTOGATE_BUCKET)");
  const now = (deps.now ?? (() => new Date()))();
  const log = deps.log.child({ component: "reconciler" });
  const startAfter = options.startAfter ?? `${UPLOADS_PREFIX}${randomUUID()}`;
  const report: ReconcileReport = {
    startedAt: now.toISOString(),
    listed: 0,
    startAfter,
    coveredAll: false,
    found: [],
    redriven: [],
    failed: [],
    deferred: 0,
  };

  const candidates: { upload: UploadEvent; cause: RedriveCause }[] = [];
  for (const record of await expiredClaims(deps, now, limits.maxKeysPerRun)) {
    candidates.push({ upload: uploadOf(bucket, record, now), cause: "lease-expired" });
  }
  const cutoff = now.getTime() - limits.olderThanSeconds * 1000;
  const walk = await walkUploads(deps, bucket, startAfter, limits.maxKeysPerRun);
  report.listed = walk.objects.length;
  report.coveredAll = walk.coveredAll;
  const old = walk.objects.filter((o) => (o.LastModified?.getTime() ?? Number.POSITIVE_INFINITY) <= cutoff);
  const records = await readRecords(
    deps,
    old.map((o) => o.parts),
  );
  for (const object of old) {
    const record = records.get(`${object.parts.owner}/${object.parts.photoId}`);
    const eTag = normaliseETag(object.ETag ?? "");
    const upload: UploadEvent = {
      bucket,
      key: object.Key!,
      ...object.parts,
      size: object.Size ?? 0,
      eTag,
      // No notification, so no sequencer: "0" sorts below every real one (a late real event
      // still wins); after a record's own sequencer, above it and below the next real one.
      sequencer: record ? `${record.sourceSequencer}0` : "0",
      eventTime: (object.LastModified ?? now).toISOString(),
    };
    if (!record) candidates.push({ upload, cause: "no-record" });
    else if (record.sourceETag !== eTag && record.uploadKey === object.Key && isFinal(record)) {
      candidates.push({ upload, cause: "replaced" });
    }
  }

  report.found = candidates.map((c) => ({ key: c.upload.key, cause: c.cause }));
  // Zero is a data point too: the alarms read a missing value differently from "nothing found".
  const expired = candidates.filter((c) => c.cause === "lease-expired").length;
  deps.metrics?.add("reconcileExpiredLeases", {}, expired);
  deps.metrics?.add("reconcileOrphans", {}, candidates.length - expired);
  for (const [index, { upload, cause }] of candidates.entries()) {
    const outOfTime = options.remainingMs && options.remainingMs() < TIME_MARGIN_MS;
    if (index >= limits.maxRedrivesPerRun || outOfTime) {
      report.deferred = candidates.length - index;
      break;
    }
    try {
      const outcome = await processUpload(upload, deps, { claimedBy: "reconciler" });
      report.redriven.push({ key: upload.key, cause, outcome: outcome.outcome });
    } catch (error) {
      report.failed.push({
        key: upload.key,
        cause,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  log[report.failed.length > 0 ? "warn" : "info"]("reconcile.summary", {
    listed: report.listed,
    coveredAll: report.coveredAll,
    found: report.found.length,
    redriven: report.redriven.length,
    failed: report.failed,
    deferred: report.deferred,
    causes: countBy(report.found.map((f) => f.cause)),
  });
  return report;
}

function isFinal(record: Pick<PhotoRecord, "status">): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(record.status) || record.status === "failed";
}

/** `processing` records whose lease ended (or that never had one), read page by page from the status index. */
async function expiredClaims(deps: ProcessorDeps, now: Date, max: number): Promise<PhotoRecord[]> {
  const found: PhotoRecord[] = [];
  let startKey: Record<string, unknown> | undefined;
  let read = 0;
  do {
    const page = await deps.dynamo.send(
      new QueryCommand({
        TableName: deps.config.photoTable,
        IndexName: "byStatus",
        KeyConditionExpression: "#status = :processing",
        FilterExpression: "attribute_not_exists(#lease) OR #lease <= :now",
        ExpressionAttributeNames: {
          "#status": photoTable.indexes.byStatus.partitionKey,
          "#lease": "leaseExpiresAt",
        },
        ExpressionAttributeValues: { ":processing": "processing", ":now": now.toISOString() },
        Limit: 100,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    read += page.ScannedCount ?? 0;
    found.push(...((page.Items ?? []) as PhotoRecord[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey && read < max);
  return found;
}

function uploadOf(bucket: string, record: PhotoRecord, now: Date): UploadEvent {
  const parts = parseUploadKey(record.uploadKey);
  return {
    bucket,
    key: record.uploadKey,
    ...parts,
    size: record.bytes,
    eTag: record.sourceETag,
    sequencer: record.sourceSequencer,
    eventTime: now.toISOString(),
  };
}

type ListedUpload = _Object & { parts: ReturnType<typeof parseUploadKey> };

/** Lists up to `max` keys of uploads/ after `startAfter`, wrapping to the start of the prefix once. */
async function walkUploads(
  deps: ProcessorDeps,
  bucket: string,
  startAfter: string,
  max: number,
): Promise<{ objects: ListedUpload[]; coveredAll: boolean }> {
  const objects: ListedUpload[] = [];
  let listed = 0;
  for (const [from, until] of [
    [startAfter, undefined],
    [UPLOADS_PREFIX, startAfter],
  ] as const) {
    let token: string | undefined;
    do {
      const page = await deps.s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: UPLOADS_PREFIX,
          MaxKeys: Math.min(1000, max - listed),
          ...(token ? { ContinuationToken: token } : { StartAfter: from }),
        }),
      );
      for (const object of page.Contents ?? []) {
        if (until !== undefined && object.Key! > until) return { objects, coveredAll: true };
        listed++;
        try {
          objects.push({ ...object, parts: parseUploadKey(object.Key!) });
        } catch (error) {
          if (!(error instanceof InvalidKeyError)) throw error;
          deps.log.warn("reconcile.key-ignored", { key: object.Key, message: error.message });
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (listed >= max) return { objects, coveredAll: false };
    } while (token);
  }
  return { objects, coveredAll: true };
}

/** The records of these photos, 100 keys a request (BatchGetItem's limit), unprocessed keys retried. */
async function readRecords(
  deps: ProcessorDeps,
  photos: { owner: string; photoId: string }[],
): Promise<Map<string, PhotoRecord>> {
  const records = new Map<string, PhotoRecord>();
  const table = deps.config.photoTable;
  for (let i = 0; i < photos.length; i += 100) {
    let keys: Record<string, unknown>[] | undefined = photos
      .slice(i, i + 100)
      .map((p) => ({ [photoTable.partitionKey]: p.owner, [photoTable.sortKey]: p.photoId }));
    for (let attempt = 0; keys && keys.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const result = await deps.dynamo.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of (result.Responses?.[table] ?? []) as PhotoRecord[]) {
        records.set(`${item.owner}/${item.photoId}`, item);
      }
      keys = result.UnprocessedKeys?.[table]?.Keys as Record<string, unknown>[] | undefined;
      if (attempt >= 5 && keys?.length)
        throw new Error(`DynamoDB left ${keys.length} record reads unprocessed`);
    }
  }
  return records;
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
