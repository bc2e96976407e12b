import { GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type PhotoRecord, type PhotoSummary, REPORT_PHOTO_ROUTE } from "@photogate/core";
import { beforeEach, describe, expect, it } from "vitest";
import {
  auditWrites,
  awsError,
  call,
  dynamo,
  dynamoUpdates,
  type ErrorAnswer,
  event,
  fieldPaths,
  NOW,
  OWNER,
  PHOTO,
  PLAIN,
  record,
  resetAwsMocks,
  SUPPORT,
  storedPhotos,
  testDeps,
  userRouteEvent,
} from "../helpers";

beforeEach(resetAwsMocks);

const APPROVED = () => record({ status: "approved", reasons: [] });

/** `POST /reports` as API Gateway hands it over: its own route key, an upload-app user's claims. */
function report(body: unknown, options: { who?: "plain" | "none" } = {}) {
  return userRouteEvent(REPORT_PHOTO_ROUTE, { ...options, body });
}

const valid = { owner: OWNER, photoId: PHOTO, reason: "IMPERSONATION", comment: "  That is my face  " };

describe("POST /reports (a signed-in user reports another user's approved photo)", () => {
  it("adds the report, puts the photo in the review queue and audits it with the reporter as actor", async () => {
    dynamo.on(GetCommand).resolves({ Item: APPROVED() });
    dynamo.on(UpdateCommand).resolves({});
    const answer = await call(testDeps(), report(valid));
    expect(answer).toMatchObject({ status: 200, body: { owner: OWNER, photoId: PHOTO, counted: true } });
    const [update] = dynamoUpdates();
    expect(update?.Key).toEqual({ owner: OWNER, photoId: PHOTO });
    expect(update?.UpdateExpression).toContain("#reviewQueue = :open");
    expect(update?.ExpressionAttributeValues).toMatchObject({
      ":open": "open",
      ":reporter": [PLAIN],
      ":report": [{ reason: "IMPERSONATION", at: NOW.toISOString() }],
      ":approved": "approved",
      ":me": PLAIN,
    });
    // Only while still approved, and only if this user's report is not there yet.
    expect(update?.ConditionExpression).toContain("#status = :approved");
    expect(update?.ConditionExpression).toContain("NOT contains(#reportedBy, :me)");
    // The comment is for support (the audit log), not the record the owner's verdict comes from.
    expect(JSON.stringify(update)).not.toContain("my face");
    expect(auditWrites()).toMatchObject([
      {
        action: "photo.report",
        actor: PLAIN,
        target: `photo/${OWNER}/${PHOTO}`,
        after: { reason: "IMPERSONATION", comment: "That is my face", counted: true },
      },
    ]);
  });

  it("counts one user's repeated report once: no second write to the record, still audited", async () => {
    dynamo.on(GetCommand).resolves({
      Item: record({ status: "approved", reasons: [], reportedBy: [PLAIN] }),
    });
    const answer = await call(testDeps(), report({ owner: OWNER, photoId: PHOTO, reason: "SPAM" }));
    expect(answer).toMatchObject({ status: 200, body: { counted: false } });
    expect(dynamoUpdates()).toEqual([]);
    expect(auditWrites()).toMatchObject([
      { action: "photo.report", after: { reason: "SPAM", counted: false } },
    ]);
  });

  it("counts it once when the same user's two reports race: the losing write's condition fails", async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: APPROVED() })
      .resolves({ Item: record({ status: "approved", reasons: [], reportedBy: [PLAIN] }) });
    dynamo.on(UpdateCommand).rejects(awsError("ConditionalCheckFailedException"));
    const answer = await call(testDeps(), report(valid));
    expect(answer).toMatchObject({ status: 200, body: { counted: false } });
  });

  it.each([
    [
      "the caller's own photo",
      [record({ owner: PLAIN, status: "approved", reasons: [] })],
      PLAIN,
      409,
      "CANNOT_TARGET_SELF",
    ],
    ["a missing photo", [], OWNER, 404, "PHOTO_NOT_FOUND"],
    ["a rejected photo", [record()], OWNER, 409, "PHOTO_NOT_APPROVED"],
    [
      "a photo still processing",
      [record({ status: "processing", reasons: [] })],
      OWNER,
      409,
      "PHOTO_NOT_APPROVED",
    ],
  ])(
    "refuses %s with a clear 4xx, writes nothing to the record and audits nothing",
    async (_, items, owner, status, code) => {
      storedPhotos(...items);
      const answer = (await call(testDeps(), report({ ...valid, owner }))) as ErrorAnswer;
      expect(answer).toMatchObject({ status, body: { error: { code } } });
      expect(answer.body.error.message).toMatch(code === "PHOTO_NOT_FOUND" ? /^No photo / : /report/);
      expect(dynamoUpdates()).toEqual([]);
      expect(auditWrites()).toEqual([]);
    },
  );

  it("refuses a photo that support removed between the read and the write", async () => {
    dynamo.on(GetCommand).resolvesOnce({ Item: APPROVED() }).resolves({ Item: record() });
    dynamo.on(UpdateCommand).rejects(awsError("ConditionalCheckFailedException"));
    const answer = (await call(testDeps(), report(valid))) as ErrorAnswer;
    expect(answer).toMatchObject({ status: 409, body: { error: { code: "PHOTO_NOT_APPROVED" } } });
    expect(auditWrites()).toEqual([]);
  });

  it.each([
    ["no body", { rawBody: "" }, "body"],
    ["a reason outside the fixed set", { body: { ...valid, reason: "UGLY" } }, "body.reason"],
    ["a comment over 500 characters", { body: { ...valid, comment: "x".repeat(501) } }, "body.comment"],
    ["an owner that is not a UUID", { body: { ...valid, owner: "../x" } }, "body.owner"],
    ["an unknown field", { body: { ...valid, reporter: SUPPORT } }, "body"],
  ])("answers 400 INVALID_REQUEST naming the field for %s", async (_, input, path) => {
    const answer = (await call(testDeps(), userRouteEvent(REPORT_PHOTO_ROUTE, input))) as ErrorAnswer;
    expect(answer).toMatchObject({ status: 400, body: { error: { code: "INVALID_REQUEST" } } });
    expect(fieldPaths(answer)).toContain(path);
  });

  it("answers 401 without a caller, and is not an admin route (a plain user on the catch-all gets 403)", async () => {
    expect(await call(testDeps(), report(valid, { who: "none" }))).toMatchObject({ status: 401 });
    const admin = await call(
      testDeps(),
      event("POST", REPORT_PHOTO_ROUTE.path, { who: "plain", body: valid }),
    );
    expect(admin.status).toBe(403);
  });
});

describe("reported photos in the review queue", () => {
  const reported = (overrides: Partial<PhotoRecord> = {}) =>
    record({
      status: "approved",
      reasons: [],
      reviewQueue: "open",
      reportedBy: [PLAIN, SUPPORT, "33333333-2222-4333-8444-555555555555"],
      openReports: [
        { reason: "SPAM", at: "2026-03-02T00:00:00.000Z" },
        { reason: "HARASSMENT", at: "2026-03-02T01:00:00.000Z" },
        { reason: "SPAM", at: "2026-03-02T02:00:00.000Z" },
      ],
      ...overrides,
    });

  it("shows the report count and reasons (commonest first) on the queue's summary", async () => {
    dynamo.on(QueryCommand).resolves({ Items: [reported()] });
    const answer = await call<{ items: PhotoSummary[] }>(
      testDeps(),
      event("GET", "/photos", { query: { queue: "review" } }),
    );
    expect(answer.body.items[0]).toMatchObject({
      needsReview: true,
      reports: {
        count: 3,
        reasons: [
          { reason: "SPAM", count: 2 },
          { reason: "HARASSMENT", count: 1 },
        ],
      },
    });
  });

  it("approving keeps the photo, takes it out of the queue and marks its reports handled (kept)", async () => {
    dynamo.on(GetCommand).resolves({ Item: reported() });
    dynamo.on(UpdateCommand).callsFake((input) => ({
      Attributes: {
        ...reported(),
        reviewQueue: undefined,
        openReports: undefined,
        verdictVersion: 2,
        ...{
          reportsHandled: input.ExpressionAttributeValues[":handled"],
        },
      },
    }));
    const deps = testDeps();
    const answer = await call(
      deps,
      event("POST", `/photos/${OWNER}/${PHOTO}/approve`, { body: { reason: "Looks fine" } }),
    );
    expect(answer.status).toBe(200);
    const [update] = dynamoUpdates();
    expect(update?.UpdateExpression).toMatch(/REMOVE .*#reviewQueue/);
    expect(update?.UpdateExpression).toMatch(/REMOVE .*#openReports/);
    expect(update?.ExpressionAttributeValues?.[":status"]).toBe("approved");
    expect(update?.ExpressionAttributeValues?.[":handled"]).toEqual({
      by: SUPPORT,
      at: NOW.toISOString(),
      outcome: "kept",
      reports: reported().openReports,
    });
    // A report that lands meanwhile fails the write instead of being marked handled unseen.
    expect(update?.ConditionExpression).toContain("size(#openReports) = :openCount");
    expect(update?.ExpressionAttributeValues?.[":openCount"]).toBe(3);
    expect(deps.published.map((r) => r.status)).toEqual(["approved"]);
  });

  it("rejecting removes the photo as today and marks the reports handled (removed)", async () => {
    dynamo.on(GetCommand).resolves({ Item: reported() });
    dynamo.on(UpdateCommand).resolves({ Attributes: { ...record(), verdictVersion: 2 } });
    const answer = await call(
      testDeps(),
      event("POST", `/photos/${OWNER}/${PHOTO}/reject`, { body: { note: "spam account" } }),
    );
    expect(answer.status).toBe(200);
    const values = dynamoUpdates()[0]?.ExpressionAttributeValues;
    expect(values?.[":status"]).toBe("rejected");
    expect(values?.[":handled"]).toMatchObject({ outcome: "removed", reports: reported().openReports });
  });

  it("Undo of that review reopens its reports and puts the photo back in the queue", async () => {
    const handled = {
      by: SUPPORT,
      at: NOW.toISOString(),
      outcome: "removed" as const,
      reports: reported().openReports!,
    };
    dynamo.on(GetCommand).resolves({
      Item: reported({
        status: "rejected",
        reviewQueue: undefined,
        openReports: undefined,
        reviewedBy: SUPPORT,
        reviewedAt: NOW.toISOString(),
        reportsHandled: handled,
        automatic: { status: "approved", reasons: [] },
      }),
    });
    dynamo.on(UpdateCommand).resolves({ Attributes: { ...reported(), verdictVersion: 3 } });
    const answer = await call(testDeps(), event("POST", `/photos/${OWNER}/${PHOTO}/restore`));
    expect(answer.status).toBe(200);
    const [update] = dynamoUpdates();
    expect(update?.ExpressionAttributeValues).toMatchObject({
      ":status": "approved",
      ":open": "open",
      ":reports": handled.reports,
    });
    expect(update?.UpdateExpression).toMatch(/REMOVE .*#reportsHandled/);
    expect(update?.UpdateExpression).not.toMatch(/REMOVE .*#reviewQueue/);
  });

  it("Undo of an unreported approval leaves the photo out of the queue", async () => {
    dynamo.on(GetCommand).resolves({
      Item: record({
        status: "rejected",
        reviewedBy: SUPPORT,
        reviewedAt: NOW.toISOString(),
        automatic: { status: "approved", reasons: [] },
      }),
    });
    dynamo.on(UpdateCommand).resolves({ Attributes: { ...APPROVED(), verdictVersion: 3 } });
    await call(testDeps(), event("POST", `/photos/${OWNER}/${PHOTO}/restore`));
    const [update] = dynamoUpdates();
    expect(update?.UpdateExpression).toMatch(/REMOVE .*#reviewQueue/);
    expect(update?.ConditionExpression).toContain("attribute_not_exists(#openReports)");
  });
});
