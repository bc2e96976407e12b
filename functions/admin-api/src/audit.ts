import { PutCommand } from "@aws-sdk/lib-dynamodb";
import {
  type AuditAction,
  type AuditEntry,
  AuditItem,
  type AuditQuery,
  auditTable,
  type Page,
} from "@photogate/core";
import type { AdminApiDeps, RequestContext } from "./deps";
import { keyOf, queryPartitionPage, readItems } from "./pagination";

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

/** Newest first: by target (the table), by actor or by UTC day (today when no filter). */
export async function listAudit(
  deps: AdminApiDeps,
  ctx: RequestContext,
  query: AuditQuery,
): Promise<Page<AuditItem>> {
  const [kind, value, index, position] = query.target
    ? (["audit.target", query.target, undefined, byTarget] as const)
    : query.actor
      ? (["audit.actor", query.actor, "byActor", byActor] as const)
      : (["audit.day", query.day ?? ctx.at.toISOString().slice(0, 10), "byDay", byDay] as const);
  const page = await queryPartitionPage(deps.dynamo, {
    table: deps.config.auditTable,
    ...(index ? { index } : {}),
    partitionKey: index ? auditTable.indexes[index].partitionKey : auditTable.partitionKey,
    value,
    limit: query.limit,
    nextToken: query.nextToken,
    kind,
    position,
  });
  const items = readItems(AuditItem, page.items, ctx.log, "audit.unreadable", ["target", "sortKey"]);
  return {
    items,
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  };
}
