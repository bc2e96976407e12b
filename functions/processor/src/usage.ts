import { createHash } from "node:crypto";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { QuotaSettings } from "@photogate/core";
import {
  effectiveQuota,
  QUOTA_OVERRIDE_PERIOD,
  type QuotaLimits,
  QuotaOverride,
  type QuotaPeriodKind,
  type Reason,
  usageExpiresAt,
  usagePeriodEnd,
  usagePeriodKey,
  usageTable,
} from "@photogate/core";

/** The upload being counted: its owner, its identity (photoId + ETag) and its size. */
export interface CountedUpload {
  owner: string;
  photoId: string;
  eTag: string;
  size: number;
}

export type QuotaDecision =
  /** `counted` is false when an earlier delivery of the same upload already counted it. */
  { allowed: true; counted: boolean } | { allowed: false; reason: Reason };

interface Period {
  kind: QuotaPeriodKind;
  key: string;
  limit: QuotaLimits;
}

const PERIOD_WORDS = { day: ["today", "daily"], month: ["this month", "monthly"] } as const;

/** How many times a refusal is re-checked when the item turns out to be within its limit (a release raced it). */
const RACE_RETRIES = 3;

/**
 * Counts one upload against its owner's daily (and monthly) quota before any Rekognition call.
 *
 * Each period's item is updated with one conditional UpdateItem: `ADD uploads :1, bytes :n,
 * counted {id}` only if the id is not in `counted` and the totals stay within the limit. The id
 * (photoId + ETag) makes a redelivery, a Lambda retry or a reprocess of the same upload count
 * once, while a new upload to the same photoId counts again.
 *
 * Not a transaction: the local DynamoDB (dynalite) has no TransactWriteItems, and the same code
 * must run there, on LocalStack and on AWS. Instead the day is counted first, then the month; if
 * the month refuses, the day's count of this upload is released (conditional on the id being in
 * `counted`, so a release never removes someone else's count and is safe to repeat). A refusal
 * therefore leaves no count behind. A crash between the two updates leaves the day one upload
 * high until the event's retry, which finds the day already counted, meets the same refusal and
 * releases it. Day first because the day limit is the one that refuses most often: that
 * common refusal touches one item only.
 */
export async function countUpload(
  dynamo: DynamoDBDocumentClient,
  settings: QuotaSettings,
  upload: CountedUpload,
  at: Date,
): Promise<QuotaDecision> {
  const limits = effectiveQuota(
    settings.limits,
    await readQuotaOverride(dynamo, settings.usageTable, upload.owner),
  );
  const periods: Period[] = [
    { kind: "day", key: usagePeriodKey("day", at), limit: limits.daily },
    ...(limits.monthly
      ? [{ kind: "month" as const, key: usagePeriodKey("month", at), limit: limits.monthly }]
      : []),
  ];
  const id = countedId(upload);
  const reached: Period[] = [];
  let counted = false;
  for (const period of periods) {
    const result = await countIn(dynamo, settings.usageTable, upload, id, period, at);
    if (result.refused) {
      for (const earlier of reached.reverse())
        await release(dynamo, settings.usageTable, upload, id, earlier);
      return { allowed: false, reason: refusal(period, result.used, upload.size, at) };
    }
    reached.push(period);
    counted ||= result.counted;
  }
  return { allowed: true, counted };
}

/** An admin's override of one owner's limits, if any (read consistently: a raise applies at once). */
export async function readQuotaOverride(
  dynamo: DynamoDBDocumentClient,
  table: string,
  owner: string,
): Promise<QuotaOverride | undefined> {
  const result = await dynamo.send(
    new GetCommand({
      TableName: table,
      Key: { [usageTable.partitionKey]: owner, [usageTable.sortKey]: QUOTA_OVERRIDE_PERIOD },
      ConsistentRead: true,
    }),
  );
  if (!result.Item) return undefined;
  const parsed = QuotaOverride.safeParse(result.Item);
  // A malformed override must not lock a user out: the environment's limits apply instead.
  return parsed.success ? parsed.data : undefined;
}

/** The upload's entry in `counted`: short, so a month of uploads stays far below DynamoDB's 400 KB item limit. */
export function countedId(upload: Pick<CountedUpload, "photoId" | "eTag">): string {
  return createHash("sha256").update(`${upload.photoId}#${upload.eTag}`).digest("base64url").slice(0, 16);
}

interface Used {
  uploads: number;
  bytes: number;
}

async function countIn(
  dynamo: DynamoDBDocumentClient,
  table: string,
  upload: CountedUpload,
  id: string,
  period: Period,
  at: Date,
): Promise<{ refused: false; counted: boolean } | { refused: true; used: Used }> {
  const key = { [usageTable.partitionKey]: upload.owner, [usageTable.sortKey]: period.key };
  // One upload larger than the whole byte limit can never fit; the condition below would pass
  // it on an item that does not exist yet.
  if (upload.size > period.limit.bytes) {
    const used = await readUsed(dynamo, table, key);
    if (used.counted.has(id)) return { refused: false, counted: false };
    return { refused: true, used };
  }
  for (let attempt = 0; ; attempt++) {
    try {
      await dynamo.send(
        new UpdateCommand({
          TableName: table,
          Key: key,
          UpdateExpression: "ADD #uploads :one, #bytes :bytes, #counted :ids SET #expiresAt = :expiresAt",
          ConditionExpression:
            "NOT contains(#counted, :id) AND (attribute_not_exists(#uploads) OR (#uploads <= :maxUploads AND #bytes <= :maxBytes))",
          ExpressionAttributeNames: {
            "#uploads": "uploads",
            "#bytes": "bytes",
            "#counted": "counted",
            "#expiresAt": usageTable.ttlAttribute,
          },
          ExpressionAttributeValues: {
            ":one": 1,
            ":bytes": upload.size,
            ":ids": new Set([id]),
            ":id": id,
            ":expiresAt": usageExpiresAt(period.kind, at),
            ":maxUploads": period.limit.uploads - 1,
            ":maxBytes": period.limit.bytes - upload.size,
          },
        }),
      );
      return { refused: false, counted: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const used = await readUsed(dynamo, table, key);
    if (used.counted.has(id)) return { refused: false, counted: false };
    const fits = used.uploads + 1 <= period.limit.uploads && used.bytes + upload.size <= period.limit.bytes;
    // Within the limit now: a concurrent refusal released its count between our update and read.
    if (!fits || attempt >= RACE_RETRIES) return { refused: true, used };
  }
}

async function readUsed(
  dynamo: DynamoDBDocumentClient,
  table: string,
  key: Record<string, string>,
): Promise<Used & { counted: Set<string> }> {
  const { Item } = await dynamo.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
  return {
    uploads: Number(Item?.uploads ?? 0),
    bytes: Number(Item?.bytes ?? 0),
    counted: (Item?.counted as Set<string> | undefined) ?? new Set(),
  };
}

/** Takes this upload's count out of one period again (only if it is there: safe to repeat). */
async function release(
  dynamo: DynamoDBDocumentClient,
  table: string,
  upload: CountedUpload,
  id: string,
  period: Period,
): Promise<void> {
  try {
    await dynamo.send(
      new UpdateCommand({
        TableName: table,
        Key: { [usageTable.partitionKey]: upload.owner, [usageTable.sortKey]: period.key },
        UpdateExpression: "ADD #uploads :minusOne, #bytes :minusBytes DELETE #counted :ids",
        ConditionExpression: "contains(#counted, :id)",
        ExpressionAttributeNames: { "#uploads": "uploads", "#bytes": "bytes", "#counted": "counted" },
        ExpressionAttributeValues: {
          ":minusOne": -1,
          ":minusBytes": -upload.size,
          ":ids": new Set([id]),
          ":id": id,
        },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/** QUOTA_EXCEEDED with what was measured against which limit, and when that limit resets. */
function refusal(period: Period, used: Used, size: number, at: Date): Reason {
  const resetsAt = usagePeriodEnd(period.kind, at).toISOString();
  const [when, which] = PERIOD_WORDS[period.kind];
  if (used.uploads + 1 > period.limit.uploads) {
    return {
      code: "QUOTA_EXCEEDED",
      message: `This would be upload ${used.uploads + 1} ${when}; the ${which} limit is ${period.limit.uploads} uploads. It resets at ${resetsAt}.`,
      measured: used.uploads + 1,
      threshold: period.limit.uploads,
      resetsAt,
    };
  }
  return {
    code: "QUOTA_EXCEEDED",
    message: `This upload would bring ${when}'s total to ${used.bytes + size} bytes; the ${which} limit is ${period.limit.bytes} bytes. It resets at ${resetsAt}.`,
    measured: used.bytes + size,
    threshold: period.limit.bytes,
    resetsAt,
  };
}
