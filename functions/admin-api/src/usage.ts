import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import {
  auditTarget,
  effectiveQuota,
  type PeriodUsage,
  QUOTA_OVERRIDE_PERIOD,
  type QuotaLimits,
  QuotaOverride,
  type QuotaPeriodKind,
  type SetQuotaBody,
  type UserUsage,
  usagePeriodEnd,
  usagePeriodKey,
  usageTable,
} from "@photogate/core";
import { writeAudit } from "./audit";
import type { AdminApiDeps, RequestContext } from "./deps";
import { AdminApiError } from "./errors";
import { loadUser } from "./users";

type StoredOverride = NonNullable<UserUsage["override"]>;

/** GET /users/{sub}/usage: what the processor counted today and this month, against which limits. */
export async function getUserUsage(deps: AdminApiDeps, ctx: RequestContext, sub: string): Promise<UserUsage> {
  const quota = configured(deps);
  const [override, day, month] = await Promise.all([
    readOverride(deps, quota.usageTable, sub),
    readCounts(deps, quota.usageTable, sub, "day", ctx.at),
    readCounts(deps, quota.usageTable, sub, "month", ctx.at),
  ]);
  const limits = effectiveQuota(quota.limits, override);
  return {
    sub,
    day: periodUsage("day", ctx.at, day, limits.daily),
    ...(limits.monthly ? { month: periodUsage("month", ctx.at, month, limits.monthly) } : {}),
    ...(override ? { override } : {}),
  };
}

/** PUT /users/{sub}/quota (admins): sets the user's limits, in force from the next upload; audited. */
export async function setUserQuota(
  deps: AdminApiDeps,
  ctx: RequestContext,
  sub: string,
  body: SetQuotaBody,
): Promise<UserUsage> {
  const quota = configured(deps);
  // A limit for a user who does not exist would be an audit entry about nobody: 404 instead.
  await loadUser(deps, sub);
  const previous = await readOverride(deps, quota.usageTable, sub);
  const next: StoredOverride = {
    daily: body.daily,
    ...(body.monthly ? { monthly: body.monthly } : {}),
    updatedAt: ctx.at.toISOString(),
    updatedBy: ctx.caller.sub,
  };
  await deps.dynamo.send(
    new PutCommand({
      TableName: quota.usageTable,
      Item: { [usageTable.partitionKey]: sub, [usageTable.sortKey]: QUOTA_OVERRIDE_PERIOD, ...next },
    }),
  );
  await writeAudit(deps, ctx, {
    action: "user.set-quota",
    target: auditTarget.user(sub),
    before: effectiveQuota(quota.limits, previous),
    after: { ...effectiveQuota(quota.limits, next), reason: body.reason },
  });
  return getUserUsage(deps, ctx, sub);
}

function configured(deps: AdminApiDeps): NonNullable<AdminApiDeps["quota"]> {
  if (!deps.quota)
    throw new AdminApiError("NOT_SUPPORTED", 501, "No upload quota is configured for this admin API");
  return deps.quota;
}

async function readOverride(
  deps: AdminApiDeps,
  table: string,
  sub: string,
): Promise<StoredOverride | undefined> {
  const { Item } = await deps.dynamo.send(
    new GetCommand({
      TableName: table,
      Key: { [usageTable.partitionKey]: sub, [usageTable.sortKey]: QUOTA_OVERRIDE_PERIOD },
      ConsistentRead: true,
    }),
  );
  const parsed = QuotaOverride.safeParse(Item);
  if (!Item || !parsed.success) return undefined;
  return { ...parsed.data, updatedAt: String(Item.updatedAt ?? ""), updatedBy: String(Item.updatedBy ?? "") };
}

async function readCounts(deps: AdminApiDeps, table: string, sub: string, kind: QuotaPeriodKind, at: Date) {
  const { Item } = await deps.dynamo.send(
    new GetCommand({
      TableName: table,
      Key: { [usageTable.partitionKey]: sub, [usageTable.sortKey]: usagePeriodKey(kind, at) },
    }),
  );
  return { uploads: Number(Item?.uploads ?? 0), bytes: Number(Item?.bytes ?? 0) };
}

function periodUsage(
  kind: QuotaPeriodKind,
  at: Date,
  counts: { uploads: number; bytes: number },
  limit: QuotaLimits,
): PeriodUsage {
  return {
    period: usagePeriodKey(kind, at),
    ...counts,
    limit,
    resetsAt: usagePeriodEnd(kind, at).toISOString(),
  };
}
