import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { FINAL_STATUSES, type PhotoStatus, photoTable } from "@photogate/core";
import type { DevStackEndpoints } from "./endpoints";

export interface PhotoRef {
  owner: string;
  photoId: string;
}

export interface FinalRecord extends PhotoRef {
  status: PhotoStatus;
  /** Claims of this upload: more than 1 means it was processed again (a redelivery or a retry). */
  attempts: number;
  processedAt?: string;
}

export interface FinalRecordsResult {
  final: FinalRecord[];
  /** Photos without a final record at the deadline, with the status they had, if any. */
  missing: (PhotoRef & { status?: string })[];
}

/**
 * Polls the photo table until every photo has a final record (approved or rejected) or the
 * deadline passes; reads as the local stack's service, strongly consistent.
 */
export async function waitForFinalRecords(
  endpoints: DevStackEndpoints,
  photos: readonly PhotoRef[],
  options: { timeoutMs?: number; pollMs?: number } = {},
): Promise<FinalRecordsResult> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const client = new DynamoDBClient({
    endpoint: endpoints.urls.dynamodb,
    region: endpoints.region,
    credentials: endpoints.serviceCredentials,
  });
  const doc = DynamoDBDocumentClient.from(client);
  const final = new Map<string, FinalRecord>();
  const last = new Map<string, string | undefined>();
  try {
    for (;;) {
      const open = photos.filter((p) => !final.has(p.photoId));
      await Promise.all(
        open.map(async (photo) => {
          const { Item } = await doc.send(
            new GetCommand({
              TableName: endpoints.photoTable,
              Key: { [photoTable.partitionKey]: photo.owner, [photoTable.sortKey]: photo.photoId },
              ConsistentRead: true,
            }),
          );
          const status = Item?.status as PhotoStatus | undefined;
          last.set(photo.photoId, status);
          if (status && FINAL_STATUSES.includes(status)) {
            final.set(photo.photoId, {
              ...photo,
              status,
              attempts: Number(Item?.attempts ?? 1),
              ...(typeof Item?.processedAt === "string" ? { processedAt: Item.processedAt } : {}),
            });
          }
        }),
      );
      if (final.size === photos.length || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
    }
  } finally {
    client.destroy();
  }
  return {
    final: photos.flatMap((p) => final.get(p.photoId) ?? []),
    missing: photos
      .filter((p) => !final.has(p.photoId))
      .map((p) => ({ ...p, ...(last.get(p.photoId) ? { status: last.get(p.photoId) } : {}) })),
  };
}
