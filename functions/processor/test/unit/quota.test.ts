import { AccessDeniedException, DetectFacesCommand } from "@aws-sdk/client-rekognition";
import type { QuotaConfig } from "@photogate/core";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createProcessorMetrics } from "../../src/metrics";
import { processS3Event } from "../../src/process-upload";
import { type ProcessorHarness, processorHarness, USAGE_TABLE } from "../harness";
import { OWNER, oneFace, photoJpeg } from "../helpers";

const MB = 1024 * 1024;
const photoId = (n: number) => `${String(n).padStart(8, "0")}-e5f6-4789-8abc-def012345678`;

describe("per-user quota", () => {
  let harness: ProcessorHarness;
  let portrait: Buffer;
  let now: Date;
  let next = 0;
  beforeAll(async () => {
    portrait = await photoJpeg(600, 800);
  });
  beforeEach(() => {
    harness = processorHarness();
    now = new Date("2026-05-20T15:00:00.000Z");
  });
  afterEach(() => harness.restore());

  const withQuota = (limits: QuotaConfig) => ({
    ...harness.deps,
    now: () => now,
    operations: { quota: { usageTable: USAGE_TABLE, limits } },
  });
  const daily3 = { daily: { uploads: 3, bytes: 50 * MB } };
  const send = async (deps: ReturnType<typeof withQuota>, id = photoId(++next)) => {
    const [outcome] = await processS3Event(harness.upload(portrait, id), deps);
    return outcome!;
  };
  const usage = (period: string) => harness.usage.items.get(`${OWNER}/${period}`);

  it("rejects the (N+1)th upload of the day QUOTA_EXCEEDED, with count, limit and reset, before Rekognition", async () => {
    const lines: string[] = [];
    const metrics = createProcessorMetrics({ environment: "dev", sink: (l) => lines.push(l) });
    const deps = { ...withQuota(daily3), metrics };
    for (let i = 0; i < 3; i++) expect((await send(deps)).outcome).toBe("approved");
    const calls = harness.rekognitionCalls();

    const fourth = await send(deps);
    expect(fourth.outcome).toBe("rejected");
    const reason = fourth.outcome === "rejected" ? fourth.record.reasons[0] : undefined;
    expect(reason).toMatchObject({
      code: "QUOTA_EXCEEDED",
      measured: 4,
      threshold: 3,
      resetsAt: "2026-05-21T00:00:00.000Z",
    });
    expect(reason?.message).toBe(
      "This would be upload 4 today; the daily limit is 3 uploads. It resets at 2026-05-21T00:00:00.000Z.",
    );
    expect(harness.rekognitionCalls()).toBe(calls);
    // Nothing for a person to review, and the refusal did not count.
    expect(fourth.outcome === "rejected" && fourth.record.reviewQueue).toBeFalsy();
    expect(usage("day#2026-05-20")).toMatchObject({ uploads: 3 });
    metrics.flush();
    expect(lines.some((l) => JSON.parse(l).QuotaRefusals === 1)).toBe(true);
  });

  it("counts afresh the next UTC day, and keeps each day's item two days past its end", async () => {
    const deps = withQuota(daily3);
    for (let i = 0; i < 3; i++) await send(deps);
    expect((await send(deps)).outcome).toBe("rejected");
    now = new Date("2026-05-21T00:00:01.000Z");
    expect((await send(deps)).outcome).toBe("approved");
    expect(usage("day#2026-05-21")).toMatchObject({
      uploads: 1,
      expiresAt: Date.parse("2026-05-24T00:00:00Z") / 1000,
    });
  });

  it("applies a raised limit at once", async () => {
    const deps = withQuota(daily3);
    for (let i = 0; i < 3; i++) await send(deps);
    expect((await send(deps)).outcome).toBe("rejected");
    harness.usage.items.set(`${OWNER}/limits`, {
      owner: OWNER,
      period: "limits",
      daily: { uploads: 5, bytes: 50 * MB },
    });
    expect((await send(deps)).outcome).toBe("approved");
    expect(usage("day#2026-05-20")).toMatchObject({ uploads: 4 });
  });

  it("does not count a redelivered upload twice (Lambda's retry after a failure)", async () => {
    const deps = { ...withQuota(daily3), config: { ...harness.deps.config, maxAttempts: 3 } };
    harness.rekognition
      .on(DetectFacesCommand)
      .rejectsOnce(new AccessDeniedException({ message: "no", $metadata: {} }))
      .resolves(oneFace());
    const id = photoId(++next);
    const event = harness.upload(portrait, id);
    await expect(processS3Event(event, deps)).rejects.toThrow();
    expect(usage("day#2026-05-20")).toMatchObject({ uploads: 1 });
    // Lambda retries the same event: the claim is taken over, the quota finds it counted.
    const [retried] = await processS3Event(event, deps);
    expect(retried?.outcome).toBe("approved");
    expect(usage("day#2026-05-20")).toMatchObject({ uploads: 1, bytes: portrait.length });
    expect(harness.logs.entries.some((e) => e.event === "quota.already-counted")).toBe(true);
  });

  it("refused by the month, releases the day's count so a refusal leaves nothing behind", async () => {
    const deps = withQuota({
      daily: { uploads: 5, bytes: 50 * MB },
      monthly: { uploads: 2, bytes: 50 * MB },
    });
    await send(deps);
    await send(deps);
    const third = await send(deps);
    expect(third.outcome === "rejected" && third.record.reasons[0]).toMatchObject({
      code: "QUOTA_EXCEEDED",
      measured: 3,
      threshold: 2,
      resetsAt: "2026-06-01T00:00:00.000Z",
    });
    expect(usage("day#2026-05-20")).toMatchObject({ uploads: 2 });
    expect(usage("month#2026-05")).toMatchObject({ uploads: 2 });
  });

  it("refuses by bytes, naming the bytes measured and the byte limit", async () => {
    const deps = withQuota({ daily: { uploads: 10, bytes: portrait.length * 2 } });
    await send(deps);
    await send(deps);
    const third = await send(deps);
    const reason = third.outcome === "rejected" ? third.record.reasons[0] : undefined;
    expect(reason).toMatchObject({ measured: portrait.length * 3, threshold: portrait.length * 2 });
    expect(reason?.message).toMatch(/today's total to \d+ bytes; the daily limit is \d+ bytes/);
  });
});
