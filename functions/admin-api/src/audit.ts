import { PutCommand, QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import {
  type AuditAction,
  type AuditEntry,
  AuditItem,
  type AuditQuery,
  auditTable,
  auditTarget,
  type DisabledBy,
  MAX_AUDIT_RANGE_DAYS,
  type Page,
} from "@photogate/core";
import { z } from "zod";
import type { AdminApiDeps, RequestContext } from "./deps";
import { emailsOf, subOfEmail } from "./emails";
import { InvalidNextTokenError, InvalidRequestError } from "./errors";
import { decodePageToken, encodePageToken, keyOf, queryPages, readItems } from "./pagination";

export interface AuditChange {
  action: AuditAction;
  target: string;
  before?: unknown;
  after?: unknown;
}

/**
 * Records one admin action. Written after the action succeeded, so the log never claims what did
 * not happen; if this write fails the action stands, the entry goes to the error log in full
 * and the caller gets an error, so nobody assumes it was recorded.
 */
export async function writeAudit(
  deps: AdminApiDeps,
  ctx: RequestContext,
  change: AuditChange,
): Promise<AuditEntry> {
  const at = ctx.at.toISOString();
  const auditId = deps.newId?.() ?? crypto.randomUUID();
  const entry: AuditEntry = {
    target: change.target,
    sortKey: `${at}#${auditId}`,
    auditId,
    day: at.slice(0, 10),
    at,
    actor: ctx.caller.sub,
    action: change.action,
    ...(change.before === undefined ? {} : { before: change.before }),
    ...(change.after === undefined ? {} : { after: change.after }),
    requestId: ctx.requestId,
  };
  try {
    // Append-only: IAM allows PutItem, and this condition keeps a put from replacing an entry.
    await deps.dynamo.send(
      new PutCommand({
        TableName: deps.config.auditTable,
        Item: entry,
        ConditionExpression: "attribute_not_exists(#sortKey)",
        ExpressionAttributeNames: { "#sortKey": auditTable.sortKey },
      }),
    );
  } catch (error) {
    ctx.log.error("audit.write-failed", { entry, error, message: "the action was done but not audited" });
    throw error;
  }
  ctx.log.info("audit.written", { action: entry.action, target: entry.target });
  return entry;
}

const byTarget = keyOf([auditTable.partitionKey, auditTable.sortKey]);
const byActor = keyOf([auditTable.indexes.byActor.partitionKey, auditTable.sortKey, auditTable.partitionKey]);
const byDay = keyOf([auditTable.indexes.byDay.partitionKey, auditTable.sortKey, auditTable.partitionKey]);
/** Queries one request may make while a filter leaves pages short (bounded cost per request). */
const MAX_QUERIES = 8;
const DAY_MS = 86_400_000;

/** The UTC days from `to` back to `from`, newest first. */
function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(to); t >= Date.parse(from); t -= DAY_MS)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/**
 * Newest first: by target (the table), by actor (sub or e-mail) or by UTC day (a day, a range of
 * days, or today), optionally within a date range and of one action. Actors and targets come back
 * with their e-mails.
 */
export async function listAudit(
  deps: AdminApiDeps,
  ctx: RequestContext,
  query: AuditQuery,
): Promise<Page<AuditItem>> {
  let actor = query.actor;
  if (actor?.includes("@")) {
    actor = await subOfEmail(deps, actor);
    if (!actor) {
      throw new InvalidRequestError([
        { path: "query.actor", message: `no user has the e-mail ${query.actor}` },
      ]);
    }
  }
  const today = ctx.at.toISOString().slice(0, 10);
  const ranged = query.from !== undefined || query.to !== undefined;
  const [kind, index, partitions, position] = query.target
    ? (["audit.target", undefined, [query.target], byTarget] as const)
    : actor
      ? (["audit.actor", "byActor" as const, [actor], byActor] as const)
      : ranged
        ? ([
            "audit.days",
            "byDay" as const,
            daysBetween(query.from ?? query.to ?? today, query.to ?? today),
            byDay,
          ] as const)
        : (["audit.day", "byDay" as const, [query.day ?? today], byDay] as const);
  if (partitions.length > MAX_AUDIT_RANGE_DAYS) {
    throw new InvalidRequestError([
      {
        path: "query.from",
        message: `a range without actor or target spans at most ${MAX_AUDIT_RANGE_DAYS} days`,
      },
    ]);
  }
  const partitionKey = index ? auditTable.indexes[index].partitionKey : auditTable.partitionKey;
  const bound = JSON.stringify([
    partitions[0],
    query.from ?? "",
    query.to ?? "",
    query.action ?? "",
    partitions.length,
  ]);
  const Position = z.object({
    i: z
      .number()
      .int()
      .min(0)
      .max(partitions.length - 1),
    k: position.optional(),
  });
  let { i, k: start } = query.nextToken
    ? decodePageToken(query.nextToken, kind, bound, Position)
    : { i: 0, k: undefined };
  if (start && start[partitionKey] !== partitions[i])
    throw new InvalidNextTokenError("position outside this query");
  const names: Record<string, string> = { "#pk": partitionKey };
  const values: Record<string, unknown> = {};
  let range = "";
  if (ranged && !index?.startsWith("byDay")) {
    names["#sk"] = auditTable.sortKey;
    values[":lo"] = query.from ?? "0000";
    // Sort keys are `${at}#${auditId}`: everything of the `to` day sorts below its next character.
    values[":hi"] = `${query.to ?? "9999"}~`;
    range = " AND #sk BETWEEN :lo AND :hi";
  }
  if (query.action) {
    names["#action"] = "action";
    values[":action"] = query.action;
  }
  const raw: Record<string, unknown>[] = [];
  let queries = 0;
  while (i < partitions.length && raw.length < query.limit && queries < MAX_QUERIES) {
    const input: QueryCommandInput = {
      TableName: deps.config.auditTable,
      ...(index ? { IndexName: index } : {}),
      KeyConditionExpression: `#pk = :pk${range}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ...values, ":pk": partitions[i] },
      ...(query.action ? { FilterExpression: "#action = :action" } : {}),
      ScanIndexForward: false,
      Limit: query.limit - raw.length,
      ...(start ? { ExclusiveStartKey: start } : {}),
    };
    const result = await deps.dynamo.send(new QueryCommand(input));
    queries++;
    raw.push(...(result.Items ?? []));
    start = result.LastEvaluatedKey as Record<string, string> | undefined;
    if (!start) i++;
    // A full page stops here; only a filter (short pages) or an exhausted day reads on.
    else if (!query.action) break;
  }
  const items = readItems(AuditItem, raw, ctx.log, "audit.unreadable", ["target", "sortKey"]);
  const people = items.flatMap((e) =>
    [e.actor, targetSub(e.target)].filter((s): s is string => s !== undefined),
  );
  const emails = await emailsOf(deps, people);
  const more = i < partitions.length;
  return {
    items: items.map((e) => {
      const actorEmail = emails.get(e.actor);
      const owner = targetSub(e.target);
      const targetEmail = owner ? emails.get(owner) : undefined;
      return { ...e, ...(actorEmail ? { actorEmail } : {}), ...(targetEmail ? { targetEmail } : {}) };
    }),
    ...(more ? { nextToken: encodePageToken(kind, bound, { i, ...(start ? { k: start } : {}) }) } : {}),
  };
}

/**
 * Who disabled this user, when and with what reason: the newest `user.disable` entry of the
 * user's target (a user's own entries are few, so the filtered walk is short).
 */
export async function lastDisable(
  deps: AdminApiDeps,
  ctx: RequestContext,
  sub: string,
): Promise<DisabledBy | undefined> {
  const pages = queryPages(deps.dynamo, {
    TableName: deps.config.auditTable,
    KeyConditionExpression: "#pk = :pk",
    FilterExpression: "#action = :action",
    ExpressionAttributeNames: { "#pk": auditTable.partitionKey, "#action": "action" },
    ExpressionAttributeValues: { ":pk": auditTarget.user(sub), ":action": "user.disable" },
    ScanIndexForward: false,
  });
  for await (const items of pages) {
    const [entry] = readItems(AuditItem, items, ctx.log, "audit.unreadable", ["target", "sortKey"]);
    if (!entry) continue;
    const email = (await emailsOf(deps, [entry.actor])).get(entry.actor);
    const reason = (entry.after as { reason?: unknown } | undefined)?.reason;
    return {
      by: entry.actor,
      ...(email ? { email } : {}),
      at: entry.at,
      ...(typeof reason === "string" ? { reason } : {}),
    };
  }
  return undefined;
}

/** The user a target is about: `user/{sub}` or the owner in `photo/{owner}/{photoId}`. */
function targetSub(target: string): string | undefined {
  return /^(?:user|photo)\/([0-9a-f-]{36})/.exec(target)?.[1];
}
