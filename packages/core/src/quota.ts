import { z } from "zod";
import { type QuotaConfig, QuotaLimits } from "./config";

/**
 * The per-owner upload quota's shared rules: which usage item an upload counts in (UTC day and
 * month), when each resets, and which limits are in force. The processor counts with these and
 * the admin API reports with them, so both speak of the same periods.
 */
export type QuotaPeriodKind = "day" | "month";

/** Sort key of the usage item of one period: `day#YYYY-MM-DD` or `month#YYYY-MM` (UTC). */
export function usagePeriodKey(kind: QuotaPeriodKind, at: Date): string {
  const iso = at.toISOString();
  return kind === "day" ? `day#${iso.slice(0, 10)}` : `month#${iso.slice(0, 7)}`;
}

/** When the period containing `at` ends: the next midnight UTC, or the first of next month. */
export function usagePeriodEnd(kind: QuotaPeriodKind, at: Date): Date {
  return kind === "day"
    ? new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1))
    : new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
}

/** Usage items outlive their period by this much (TTL), so support can still see yesterday's. */
export const USAGE_TTL_GRACE_DAYS = 2;

/** The TTL (epoch seconds) of a period's usage item. */
export function usageExpiresAt(kind: QuotaPeriodKind, at: Date): number {
  return Math.floor(usagePeriodEnd(kind, at).getTime() / 1000) + USAGE_TTL_GRACE_DAYS * 86_400;
}

/** Sort key of the item holding one owner's limits override. */
export const QUOTA_OVERRIDE_PERIOD = "limits";

/** Limits an admin set for one owner; `monthly` absent keeps the environment's monthly limit. */
export const QuotaOverride = z.object({
  daily: QuotaLimits,
  monthly: QuotaLimits.optional(),
});
export type QuotaOverride = z.infer<typeof QuotaOverride>;

/** The limits in force for an owner: the override where it says something, else the defaults. */
export function effectiveQuota(defaults: QuotaConfig, override: QuotaOverride | undefined): QuotaConfig {
  if (!override) return defaults;
  const monthly = override.monthly ?? defaults.monthly;
  return { daily: override.daily, ...(monthly ? { monthly } : {}) };
}

/**
 * When S3 deletes an original under a lifecycle expiration of `days`: S3 adds the days to the
 * object's creation time and rounds up to the next midnight UTC.
 */
export function lifecycleExpiry(createdAt: string | Date, days: number): string {
  const created = new Date(createdAt);
  const due = new Date(created.getTime() + days * 86_400_000);
  const midnight = Date.UTC(due.getUTCFullYear(), due.getUTCMonth(), due.getUTCDate());
  return new Date(due.getTime() === midnight ? midnight : midnight + 86_400_000).toISOString();
}
