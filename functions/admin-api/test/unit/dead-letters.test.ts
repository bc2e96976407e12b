import type { DeadLetterList, RedriveSummary } from "@photogate/core";
import { beforeEach, describe, expect, it } from "vitest";
import {
  ADMIN,
  auditWrites,
  call,
  type ErrorAnswer,
  event,
  fieldPaths,
  NOW,
  resetAwsMocks,
  testDeps,
} from "../helpers";

beforeEach(resetAwsMocks);

describe("dead letters", () => {
  it("support gets 403 on both routes and nothing is replayed", async () => {
    const deps = testDeps();
    const list = (await call(deps, event("GET", "/dead-letters"))) as ErrorAnswer;
    const run = (await call(deps, event("POST", "/dead-letters/redrive", { body: {} }))) as ErrorAnswer;
    expect([list.status, run.status]).toEqual([403, 403]);
    expect(run.body.error.code).toBe("FORBIDDEN");
    expect(deps.deadLetterKeys).toHaveLength(2);
    expect(auditWrites()).toHaveLength(0);
  });

  it("lists up to limit dead letters with key, failedAt and error, and the total", async () => {
    const answer = await call<DeadLetterList>(
      testDeps(),
      event("GET", "/dead-letters", { who: "admins", query: { limit: "1" } }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      items: [
        {
          id: "dl-uploads/a.jpg",
          bucket: "photo-bucket",
          key: "uploads/a.jpg",
          failedAt: "2026-03-04T05:00:00.000Z",
          error: "Throttled",
        },
      ],
      total: 2,
    });
  });

  it("redrives: the replayed one is gone, the failing one stays with its error, one audit entry", async () => {
    const deps = testDeps();
    const answer = await call<RedriveSummary>(
      deps,
      event("POST", "/dead-letters/redrive", { who: "admins", body: { max: 5 } }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      dryRun: false,
      replayed: 1,
      failed: [{ key: "uploads/fail-b.jpg", error: "processor still failing" }],
      remaining: 1,
    });
    expect(deps.deadLetterKeys).toEqual(["uploads/fail-b.jpg"]);
    const audit = auditWrites();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: "dead-letters.redrive",
      target: "dead-letters",
      actor: ADMIN,
      at: NOW.toISOString(),
      after: { dryRun: false, replayed: 1, remaining: 1, keys: ["uploads/a.jpg", "uploads/fail-b.jpg"] },
    });
  });

  it("a dry run lists what it would replay, changes nothing, and is audited as a dry run", async () => {
    const deps = testDeps();
    const answer = await call<RedriveSummary>(
      deps,
      event("POST", "/dead-letters/redrive", { who: "admins", body: { dryRun: true } }),
    );
    expect(answer.body.results.map((r) => [r.key, r.outcome])).toEqual([
      ["uploads/a.jpg", "would-replay"],
      ["uploads/fail-b.jpg", "would-replay"],
    ]);
    expect(deps.deadLetterKeys).toHaveLength(2);
    expect(auditWrites()[0]).toMatchObject({ after: { dryRun: true, replayed: 0 } });
  });

  it("refuses a max above the batch limit and unknown fields, naming them", async () => {
    const answer = (await call(
      testDeps(),
      event("POST", "/dead-letters/redrive", { who: "admins", body: { max: 1000, all: true } }),
    )) as ErrorAnswer;
    expect(answer.status).toBe(400);
    expect(fieldPaths(answer)?.sort()).toEqual(["body", "body.max"]);
  });

  it("answers NOT_SUPPORTED when the API has no dead letters configured", async () => {
    const deps = testDeps();
    delete deps.deadLetters;
    const answer = (await call(deps, event("GET", "/dead-letters", { who: "admins" }))) as ErrorAnswer;
    expect(answer.status).toBe(501);
    expect(answer.body.error.code).toBe("NOT_SUPPORTED");
  });
});
