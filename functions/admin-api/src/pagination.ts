import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import type { Logger } from "@photogate/core";
import { z } from "zod";
import { InvalidNextTokenError } from "./errors";

/**
 * Opaque page tokens. A token carries its kind (which list it pages) and the position
 * (DynamoDB's LastEvaluatedKey, or Cognito's PaginationToken) as base64url JSON. Nothing in it
 * is secret: it names keys the caller could already list. What matters is that a token coming
 * back is checked: right kind, exactly the key attributes of that index, string values only, and
 * bound to the query it was issued for (a token for the `rejected` queue cannot page `approved`).
 */
const TOKEN_VERSION = 1;

const Envelope = z.object({
  v: z.literal(TOKEN_VERSION),
  k: z.string(),
  /** The query the token belongs to (e.g. the status), compared on the way back in. */
  q: z.string(),
  p: z.unknown(),
});

export function encodePageToken(kind: string, query: string, position: unknown): string {
  return Buffer.from(JSON.stringify({ v: TOKEN_VERSION, k: kind, q: query, p: position })).toString(
    "base64url",
  );
}

export function decodePageToken<T extends z.ZodType>(
  token: string,
  kind: string,
  query: string,
  position: T,
): z.output<T> {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new InvalidNextTokenError("not base64url");
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw new InvalidNextTokenError("not readable");
  }
  const envelope = Envelope.safeParse(json);
  if (!envelope.success) throw new InvalidNextTokenError("malformed");
  if (envelope.data.k !== kind) throw new InvalidNextTokenError("issued for another list");
  if (envelope.data.q !== query) throw new InvalidNextTokenError("issued for another query");
  const parsed = position.safeParse(envelope.data.p);
  if (!parsed.success) throw new InvalidNextTokenError("position does not fit this list");
  return parsed.data;
}

/** A DynamoDB key of exactly these string attributes, no more. */
export function keyOf(attributes: readonly string[]) {
  return z.strictObject(Object.fromEntries(attributes.map((a) => [a, z.string().min(1).max(1024)])));
}

export interface PartitionPageQuery {
  table: string;
  /** The index to query; the table itself when absent. */
  index?: string;
  partitionKey: string;
  value: string;
  limit: number;
  nextToken?: string | undefined;
  /** The list's kind in its page tokens, and the key shape a returning token must have. */
  kind: string;
  position: z.ZodType<Record<string, string>>;
  /** Oldest first (the review queue); newest first otherwise. */
  oldestFirst?: boolean;
}

/**
 * One page of one partition, newest first, with the page token checked on the way in (same
 * list, same partition, exactly the index's key) and issued on the way out.
 */
export async function queryPartitionPage(
  dynamo: DynamoDBDocumentClient,
  query: PartitionPageQuery,
): Promise<{ items: Record<string, unknown>[]; nextToken?: string }> {
  const input: QueryCommandInput = {
    TableName: query.table,
    ...(query.index ? { IndexName: query.index } : {}),
    KeyConditionExpression: "#pk = :pk",
    ExpressionAttributeNames: { "#pk": query.partitionKey },
    ExpressionAttributeValues: { ":pk": query.value },
    ScanIndexForward: query.oldestFirst === true,
    Limit: query.limit,
  };
  if (query.nextToken) {
    const start = decodePageToken(query.nextToken, query.kind, query.value, query.position);
    if (start[query.partitionKey] !== query.value)
      throw new InvalidNextTokenError("position outside this query");
    input.ExclusiveStartKey = start;
  }
  const result = await dynamo.send(new QueryCommand(input));
  return {
    items: result.Items ?? [],
    ...(result.LastEvaluatedKey
      ? { nextToken: encodePageToken(query.kind, query.value, result.LastEvaluatedKey) }
      : {}),
  };
}

/**
 * Every page of a query, one after the other (following LastEvaluatedKey), for callers that
 * read a whole partition or stop at the first page with what they look for.
 */
export async function* queryPages(
  dynamo: DynamoDBDocumentClient,
  input: QueryCommandInput,
): AsyncGenerator<Record<string, unknown>[]> {
  let start: Record<string, unknown> | undefined;
  do {
    const result = await dynamo.send(
      new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    yield result.Items ?? [];
    start = result.LastEvaluatedKey;
  } while (start);
}

/**
 * The items that fit `schema`. One that does not is logged as `event` with its key fields, not
 * hidden and not fatal: an unreadable item is a bug in whatever wrote it, and the rest still list.
 */
export function readItems<T extends z.ZodType>(
  schema: T,
  items: Record<string, unknown>[],
  log: Logger,
  event: string,
  keyFields: readonly string[],
): z.output<T>[] {
  const read: z.output<T>[] = [];
  for (const item of items) {
    const parsed = schema.safeParse(item);
    if (parsed.success) read.push(parsed.data);
    else
      log.error(event, {
        ...Object.fromEntries(keyFields.map((f) => [f, item[f]])),
        issues: parsed.error.issues,
      });
  }
  return read;
}
