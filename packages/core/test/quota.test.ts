import { describe, expect, it } from "vitest";
import { effectiveQuota, lifecycleExpiry, usageExpiresAt, usagePeriodEnd, usagePeriodKey } from "../src";

describe("usage periods (UTC)", () => {
  const lateEvening = new Date("2026-01-31T23:59:59.999Z");

  it("keys a day and a month by their UTC date", () => {
    expect(usagePeriodKey("day", lateEvening)).toBe("day#2026-01-31");
    expect(usagePeriodKey("month", lateEvening)).toBe("month#2026-01");
    // 23:30 in New York on the 31st is already February the 1st in UTC.
    expect(usagePeriodKey("day", new Date("2026-01-31T23:30:00-05:00"))).toBe("day#2026-02-01");
  });

  it("ends a day at the next midnight and a month on the first of the next (across a year end)", () => {
    expect(usagePeriodEnd("day", lateEvening).toISOString()).toBe("2026-02-01T00:00:00.000Z");
    expect(usagePeriodEnd("month", new Date("2026-12-15T10:00:00Z")).toISOString()).toBe(
      "2027-01-01T00:00:00.000Z",
    );
  });

  it("keeps a usage item two days past its period's end", () => {
    expect(usageExpiresAt("day", lateEvening)).toBe(Date.parse("2026-02-03T00:00:00Z") / 1000);
  });
});

describe("effectiveQuota", () => {
  const defaults = { daily: { uploads: 50, bytes: 1000 }, monthly: { uploads: 500, bytes: 9000 } };

  it("is the defaults without an override, and the override's daily limit with one", () => {
    expect(effectiveQuota(defaults, undefined)).toEqual(defaults);
    expect(effectiveQuota(defaults, { daily: { uploads: 80, bytes: 2000 } })).toEqual({
      daily: { uploads: 80, bytes: 2000 },
      monthly: defaults.monthly,
    });
  });
});

describe("lifecycleExpiry", () => {
  it("adds the days and rounds up to the next midnight UTC, as S3 lifecycle rules do", () => {
    expect(lifecycleExpiry("2026-03-01T10:15:00.000Z", 30)).toBe("2026-04-01T00:00:00.000Z");
    // Exactly midnight stays put.
    expect(lifecycleExpiry("2026-03-01T00:00:00.000Z", 1)).toBe("2026-03-02T00:00:00.000Z");
  });
});
