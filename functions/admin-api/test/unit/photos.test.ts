import {
  AdminUpdateUserAttributesCommand,
  ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { DeleteObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import {
  CANNED_REPLIES,
  type Page,
  type PhotoDetail,
  type PhotoRecord,
  type PhotoSummary,
} from "@photogate/core";
import { beforeEach, describe, expect, it } from "vitest";
import { createLogger, encodePageToken, type LogEntry } from "../../src/index";
import {
  ADMIN,
  auditWrites,
  awsError,
  call,
  cognito,
  dynamo,
  dynamoUpdates,
  type ErrorAnswer,
  event,
  fieldPaths,
  NOW,
  OWNER,
  PHOTO,
  record,
  resetAwsMocks,
  SUPPORT,
  s3,
  testDeps,
  userWithPicture,
} from "../helpers";

beforeEach(resetAwsMocks);

const LEK = { status: "rejected", createdAt: "2026-03-01T10:00:00.000Z", owner: OWNER, photoId: PHOTO };

describe("photo lists", () => {
  it("queries the byStatus index newest first and presigns the smallest thumbnail", async () => {
    dynamo.on(QueryCommand).resolves({ Items: [record()], LastEvaluatedKey: LEK });
    const answer = await call<Page<PhotoSummary>>(
      testDeps(),
      event("GET", "/photos", { query: { status: "rejected", limit: "1" } }),
    );
    expect(answer.status).toBe(200);
    const input = dynamo.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      IndexName: "byStatus",
      ScanIndexForward: false,
      Limit: 1,
      ExpressionAttributeValues: { ":pk": "rejected" },
    });
    const item = answer.body.items[0]!;
    expect(item.reasonCodes).toEqual(["BLURRY"]);
    const url = new URL(item.thumbnail!.url);
    expect(url.pathname).toContain(`photos/${OWNER}/${PHOTO}/thumb-128.webp`);
    expect(url.searchParams.get("X-Amz-Expires")).toBe("300");
    expect(item.thumbnail!.expiresAt).toBe(new Date(NOW.getTime() + 300_000).toISOString());
    expect(answer.body.nextToken).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it("a nextToken comes back as the same ExclusiveStartKey", async () => {
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: [record()], LastEvaluatedKey: LEK })
      .resolves({ Items: [] });
    const deps = testDeps();
    const first = await call<Page<PhotoSummary>>(
      deps,
      event("GET", "/photos", { query: { status: "rejected" } }),
    );
    const second = await call<Page<PhotoSummary>>(
      deps,
      event("GET", "/photos", { query: { status: "rejected", nextToken: first.body.nextToken! } }),
    );
    expect(second.status).toBe(200);
    expect(dynamo.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual(LEK);
    expect(second.body.nextToken).toBeUndefined();
  });

  const tampered: [string, string][] = [
    ["not base64url", "%%%"],
    ["not JSON", Buffer.from("{oops").toString("base64url")],
    ["another list's token", encodePageToken("photos.owner", "rejected", LEK)],
    ["another status's token", encodePageToken("photos.status", "approved", { ...LEK, status: "approved" })],
    [
      "a key naming another status",
      encodePageToken("photos.status", "rejected", { ...LEK, status: "approved" }),
    ],
    ["an extra attribute", encodePageToken("photos.status", "rejected", { ...LEK, bytes: "1" })],
    ["a non-string value", encodePageToken("photos.status", "rejected", { ...LEK, createdAt: { S: "x" } })],
  ];
  it.each(tampered)("refuses %s with 400 INVALID_NEXT_TOKEN before querying", async (_, token) => {
    dynamo.on(QueryCommand).resolves({ Items: [] });
    const answer = (await call(
      testDeps(),
      event("GET", "/photos", { query: { status: "rejected", nextToken: token } }),
    )) as ErrorAnswer;
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe("INVALID_NEXT_TOKEN");
    expect(dynamo.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it("lists the readable records and logs an unreadable one by its key instead of failing the page", async () => {
    const broken = {
      owner: OWNER,
      photoId: "0b0b0b0b-0000-4000-8000-000000000000",
      status: "no-such-status",
    };
    dynamo.on(QueryCommand).resolves({ Items: [broken, record()] });
    const logged: LogEntry[] = [];
    const deps = { ...testDeps(), log: createLogger((entry) => logged.push(entry)) };
    const answer = await call<Page<PhotoSummary>>(
      deps,
      event("GET", "/photos", { query: { status: "rejected" } }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body.items.map((i) => i.photoId)).toEqual([PHOTO]);
    const unreadable = logged.filter((e) => e.event === "photo.unreadable");
    expect(unreadable).toHaveLength(1);
    expect(unreadable[0]).toMatchObject({ level: "error", owner: OWNER, photoId: broken.photoId });
    expect(unreadable[0]!.issues).toBeInstanceOf(Array);
  });

  it("by owner uses the byOwner index", async () => {
    dynamo.on(QueryCommand).resolves({ Items: [] });
    await call(testDeps(), event("GET", "/photos", { query: { owner: OWNER } }));
    expect(dynamo.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({
      IndexName: "byOwner",
      ExpressionAttributeValues: { ":pk": OWNER },
    });
  });

  it("bad queries → 400 naming the fields", async () => {
    const deps = testDeps();
    const neither = (await call(deps, event("GET", "/photos"))) as ErrorAnswer;
    expect(neither.status).toBe(400);
    expect(fieldPaths(neither)).toEqual(["query.status"]);
    const bad = (await call(
      deps,
      event("GET", "/photos", { query: { status: "lost", limit: "500" } }),
    )) as ErrorAnswer;
    expect(fieldPaths(bad)?.sort()).toEqual(["query.limit", "query.status"]);
    const badId = (await call(deps, event("GET", `/photos/${OWNER}/not-a-uuid`))) as ErrorAnswer;
    expect(badId.body.error).toMatchObject({ code: "INVALID_REQUEST", fields: [{ path: "params.photoId" }] });
  });
});

describe("photo detail", () => {
  it("has the record (face, reasons with measured values) and presigned URLs for every image", async () => {
    dynamo.on(GetCommand).resolves({ Item: record() });
    const answer = await call<PhotoDetail>(testDeps(), event("GET", `/photos/${OWNER}/${PHOTO}`));
    expect(answer.status).toBe(200);
    expect(answer.body.face?.boundingBox).toEqual({ left: 0.3, top: 0.2, width: 0.4, height: 0.5 });
    expect(answer.body.reasons[0]).toMatchObject({ code: "BLURRY", measured: 12.3, threshold: 20 });
    expect(new URL(answer.body.urls.original.url).pathname).toContain(`uploads/${OWNER}/${PHOTO}.jpg`);
    expect(answer.body.urls.thumbnails.map((t) => t.size)).toEqual([256, 128]);
    for (const u of [answer.body.urls.original, answer.body.urls.display!, ...answer.body.urls.thumbnails]) {
      expect(new URL(u.url).searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it("names the support member who overrode the verdict by e-mail", async () => {
    dynamo.on(GetCommand).resolves({ Item: record({ status: "approved", reviewedBy: SUPPORT }) });
    cognito.on(ListUsersCommand, { Filter: `sub = "${SUPPORT}"` }).resolves({
      Users: [{ Username: SUPPORT, Attributes: [{ Name: "email", Value: "support@example.com" }] }],
    });
    const answer = await call<PhotoDetail>(testDeps(), event("GET", `/photos/${OWNER}/${PHOTO}`));
    expect(answer.body).toMatchObject({ reviewedBy: SUPPORT, reviewedByEmail: "support@example.com" });
  });

  it("a missing photo → 404 PHOTO_NOT_FOUND", async () => {
    dynamo.on(GetCommand).resolves({});
    const answer = (await call(testDeps(), event("GET", `/photos/${OWNER}/${PHOTO}`))) as ErrorAnswer;
    expect(answer).toMatchObject({ status: 404, body: { error: { code: "PHOTO_NOT_FOUND" } } });
  });
});

describe("approve and reject", () => {
  const updated = (r: Partial<PhotoRecord>, version: number) => ({
    Attributes: { ...record(r), verdictVersion: version },
  });
  /** What DynamoDB answers to support's rejection: the record with the reasons it was given. */
  const rejectedBySupport = (input: { ExpressionAttributeValues: Record<string, unknown> }) =>
    updated(
      {
        status: "rejected",
        reasons: input.ExpressionAttributeValues[":reasons"] as PhotoRecord["reasons"],
        reviewedBy: SUPPORT,
      },
      3,
    );

  it("approve: conditional update with reviewedBy, publishes the new version, audits before/after", async () => {
    dynamo.on(GetCommand).resolves({ Item: record() });
    dynamo.on(UpdateCommand).resolves(updated({ status: "approved", reasons: [], reviewedBy: SUPPORT }, 2));
    const deps = testDeps();
    const answer = await call<PhotoRecord>(
      deps,
      event("POST", `/photos/${OWNER}/${PHOTO}/approve`, { body: { reason: "face is clear enough" } }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: "approved", reviewedBy: SUPPORT });
    const update = dynamoUpdates()[0]!;
    expect(update.ExpressionAttributeValues).toMatchObject({
      ":status": "approved",
      ":reviewedBy": SUPPORT,
      ":before": "rejected",
      ":seq": record().sourceSequencer,
      ":reasons": [],
    });
    expect(update.ConditionExpression).toContain("#sourceSequencer = :seq");
    expect(deps.published.map((r) => [r.status, r.verdictVersion])).toEqual([["approved", 2]]);
    const [entry] = auditWrites();
    expect(entry).toMatchObject({
      action: "photo.approve",
      actor: SUPPORT,
      target: `photo/${OWNER}/${PHOTO}`,
      requestId: "JKJaXmPLvHcESHA=",
      at: NOW.toISOString(),
      day: "2026-03-04",
      before: { status: "rejected", reasons: [{ code: "BLURRY" }] },
      after: { status: "approved", reasons: [], reviewedBy: SUPPORT, note: "face is clear enough" },
    });
    expect(entry!.sortKey.startsWith(NOW.toISOString())).toBe(true);
  });

  it("reject records support's reason under the chosen code", async () => {
    dynamo.on(GetCommand).resolves({ Item: record({ status: "approved", reasons: [] }) });
    dynamo.on(UpdateCommand).callsFake(rejectedBySupport);
    const deps = testDeps();
    const answer = await call<PhotoRecord>(
      deps,
      event("POST", `/photos/${OWNER}/${PHOTO}/reject`, {
        body: {
          note: "a drawing, not a photo",
          message: "Please upload a photo of yourself",
          code: "NO_FACE",
        },
      }),
    );
    expect(answer.body.reasons).toEqual([{ code: "NO_FACE", message: "Please upload a photo of yourself" }]);
    // The internal note is in the audit entry only: not in the record, not in what is published.
    expect(JSON.stringify(answer.body)).not.toContain("a drawing");
    expect(JSON.stringify(deps.published)).not.toContain("a drawing");
    expect(JSON.stringify(deps.published)).toContain("Please upload a photo of yourself");
    expect(auditWrites()[0]).toMatchObject({
      action: "photo.reject",
      before: { status: "approved" },
      after: { status: "rejected", note: "a drawing, not a photo" },
    });
  });

  it("reject without a code keeps the photo's current code and publishes its canned reply; the review leaves the queue", async () => {
    dynamo.on(GetCommand).resolves({ Item: record({ reviewQueue: "open" }) });
    dynamo.on(UpdateCommand).callsFake(rejectedBySupport);
    const deps = testDeps();
    const answer = await call<PhotoRecord>(
      deps,
      event("POST", `/photos/${OWNER}/${PHOTO}/reject`, { body: { note: "blurred on purpose" } }),
    );
    expect(answer.body.reasons).toEqual([{ code: "BLURRY", message: CANNED_REPLIES.BLURRY[0] }]);
    const update = dynamoUpdates()[0]!;
    expect(update.UpdateExpression).toMatch(/REMOVE .*#reviewQueue/);
    expect(update.ExpressionAttributeValues?.[":automatic"]).toMatchObject({
      status: "rejected",
      reasons: [{ code: "BLURRY" }],
    });
    const noNote = (await call(
      deps,
      event("POST", `/photos/${OWNER}/${PHOTO}/reject`, { body: { message: "hi" } }),
    )) as ErrorAnswer;
    expect(fieldPaths(noNote)).toEqual(["body.note"]);
  });

  it("restore (Undo) brings the automatic verdict back into the queue; without one → 409", async () => {
    const automatic = { status: "rejected", reasons: [{ code: "BLURRY", message: "blurry" }] };
    dynamo.on(GetCommand).resolves({
      Item: record({ status: "approved", reasons: [], automatic: automatic as PhotoRecord["automatic"] }),
    });
    dynamo.on(UpdateCommand).callsFake((input) =>
      updated(
        {
          status: input.ExpressionAttributeValues[":status"],
          reasons: input.ExpressionAttributeValues[":reasons"],
          reviewQueue: input.ExpressionAttributeValues[":open"],
        },
        4,
      ),
    );
    const deps = testDeps();
    const answer = await call<PhotoRecord>(deps, event("POST", `/photos/${OWNER}/${PHOTO}/restore`));
    expect(answer.body).toMatchObject({
      status: "rejected",
      reviewQueue: "open",
      reasons: automatic.reasons,
    });
    expect(deps.published.map((r) => r.status)).toEqual(["rejected"]);
    expect(auditWrites()[0]).toMatchObject({ action: "photo.restore", before: { status: "approved" } });
    dynamo.on(GetCommand).resolves({ Item: record() });
    const none = (await call(deps, event("POST", `/photos/${OWNER}/${PHOTO}/restore`))) as ErrorAnswer;
    expect(none).toMatchObject({ status: 409, body: { error: { code: "CONFLICT" } } });
  });

  it("claim: the caller's when free or expired; someone else's live claim comes back with mine: false", async () => {
    dynamo.on(UpdateCommand).resolvesOnce({});
    const deps = testDeps();
    const mine = await call<{ mine: boolean; reviewClaim: { by: string; until: string } }>(
      deps,
      event("POST", `/photos/${OWNER}/${PHOTO}/claim`),
    );
    expect(mine.body).toMatchObject({
      mine: true,
      reviewClaim: { by: SUPPORT, until: "2026-03-04T05:11:07.000Z" },
    });
    expect(dynamoUpdates()[0]!.ConditionExpression).toContain("#reviewClaim.#until <= :now");
    const theirs = { by: ADMIN, email: "admin@example.com", until: "2026-03-04T05:08:00.000Z" };
    dynamo.on(UpdateCommand).rejects(awsError("ConditionalCheckFailedException"));
    dynamo.on(GetCommand).resolves({ Item: record({ reviewClaim: theirs }) });
    const other = await call<{ mine: boolean }>(deps, event("POST", `/photos/${OWNER}/${PHOTO}/claim`));
    expect(other.body).toEqual({ owner: OWNER, photoId: PHOTO, reviewClaim: theirs, mine: false });
  });

  it("no reason → 400 body.reason; a photo still processing → 409; a concurrent change → 409 CONFLICT", async () => {
    const deps = testDeps();
    const noReason = (await call(
      deps,
      event("POST", `/photos/${OWNER}/${PHOTO}/approve`, { body: {} }),
    )) as ErrorAnswer;
    expect(fieldPaths(noReason)).toEqual(["body.reason"]);
    const badJson = (await call(
      deps,
      event("POST", `/photos/${OWNER}/${PHOTO}/approve`, { rawBody: "{" }),
    )) as ErrorAnswer;
    expect(fieldPaths(badJson)).toContain("body");
    const leased = record({
      status: "processing",
      claimId: "run-1",
      claimedBy: "s3-event",
      leaseExpiresAt: new Date(NOW.getTime() + 42_000).toISOString(),
    });
    dynamo.on(GetCommand).resolvesOnce({ Item: leased }).resolves({ Item: record() });
    const busy = (await call(
      deps,
      event("POST", `/photos/${OWNER}/${PHOTO}/approve`, { body: { reason: "ok" } }),
    )) as ErrorAnswer;
    expect(busy).toMatchObject({ status: 409, body: { error: { code: "PHOTO_IN_PROGRESS" } } });
    expect(busy.body.error.message).toMatch(/lease ends in 42 s/);
    dynamo.on(UpdateCommand).rejects(awsError("ConditionalCheckFailedException"));
    const raced = (await call(
      deps,
      event("POST", `/photos/${OWNER}/${PHOTO}/approve`, { body: { reason: "ok" } }),
    )) as ErrorAnswer;
    expect(raced).toMatchObject({ status: 409, body: { error: { code: "CONFLICT" } } });
    expect(deps.published).toHaveLength(0);
    expect(auditWrites()).toHaveLength(0);
  });
});

describe("photos stuck in processing", () => {
  const stuck = (leaseEndsInMs: number) =>
    record({
      status: "processing",
      reasons: [],
      claimId: "dead-run",
      claimedBy: "s3-event",
      claimedAt: new Date(NOW.getTime() - 120_000).toISOString(),
      leaseExpiresAt: new Date(NOW.getTime() + leaseEndsInMs).toISOString(),
    });

  it("reprocess answers 409 with the time left under a live lease, and takes over once it ended", async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: stuck(30_000) })
      .resolves({ Item: stuck(-1) });
    const deps = testDeps();
    const busy = (await call(deps, event("POST", `/photos/${OWNER}/${PHOTO}/reprocess`))) as ErrorAnswer;
    expect(busy).toMatchObject({ status: 409, body: { error: { code: "PHOTO_IN_PROGRESS" } } });
    expect(busy.body.error.message).toMatch(/lease ends in 30 s/);
    expect(deps.invoked).toEqual([]);
    const taken = await call(deps, event("POST", `/photos/${OWNER}/${PHOTO}/reprocess`));
    expect(taken).toMatchObject({ status: 202 });
    expect(deps.invoked).toEqual([{ action: "reprocess", owner: OWNER, photoId: PHOTO }]);
  });

  it("after the lease ended support may reject (fencing off the dead run) but not approve", async () => {
    dynamo.on(GetCommand).resolves({ Item: stuck(-1) });
    dynamo.on(UpdateCommand).callsFake((input) => ({
      Attributes: {
        ...stuck(-1),
        status: "rejected",
        reasons: input.ExpressionAttributeValues[":reasons"],
        verdictVersion: 1,
      },
    }));
    const deps = testDeps();
    const approve = (await call(
      deps,
      event("POST", `/photos/${OWNER}/${PHOTO}/approve`, { body: { reason: "looks fine" } }),
    )) as ErrorAnswer;
    expect(approve).toMatchObject({ status: 409, body: { error: { code: "CONFLICT" } } });
    expect(approve.body.error.message).toMatch(/reprocess it first/);
    const reject = await call(
      deps,
      event("POST", `/photos/${OWNER}/${PHOTO}/reject`, { body: { note: "unreadable", code: "CORRUPT" } }),
    );
    expect(reject).toMatchObject({ status: 200 });
    const update = dynamoUpdates()[0]!;
    expect(update.UpdateExpression).toMatch(/REMOVE .*#claimId/);
    expect(update.ConditionExpression).toContain("#leaseExpiresAt <= :now");
    expect(update.ExpressionAttributeValues?.[":now"]).toBe(NOW.toISOString());
  });
});

describe("reprocess, delete, profile picture", () => {
  it("reprocess invokes the processor with the reprocess payload, answers 202 and audits", async () => {
    dynamo.on(GetCommand).resolves({ Item: record() });
    const deps = testDeps();
    const answer = await call(deps, event("POST", `/photos/${OWNER}/${PHOTO}/reprocess`));
    expect(answer).toMatchObject({ status: 202, body: { queued: true } });
    expect(deps.invoked).toEqual([{ action: "reprocess", owner: OWNER, photoId: PHOTO }]);
    expect(auditWrites()[0]).toMatchObject({
      action: "photo.reprocess",
      before: { status: "rejected" },
      after: { queued: true },
    });
  });

  it("delete removes the upload, photos/ and shared/ objects, then the record, and audits", async () => {
    dynamo.on(GetCommand).resolves({ Item: record() });
    s3.on(ListObjectsV2Command, { Prefix: `photos/${OWNER}/${PHOTO}/` }).resolves({
      Contents: [
        { Key: `photos/${OWNER}/${PHOTO}/display.webp` },
        { Key: `photos/${OWNER}/${PHOTO}/status.json` },
      ],
    });
    s3.on(ListObjectsV2Command, { Prefix: `shared/${OWNER}/${PHOTO}/` }).resolves({
      Contents: [{ Key: `shared/${OWNER}/${PHOTO}/display.webp` }],
    });
    const answer = await call(testDeps(), event("DELETE", `/photos/${OWNER}/${PHOTO}`));
    expect(answer).toMatchObject({ status: 200, body: { deleted: true, objectsDeleted: 4 } });
    expect(
      s3
        .commandCalls(DeleteObjectCommand)
        .map((c) => c.args[0].input.Key)
        .sort(),
    ).toEqual(
      [
        `photos/${OWNER}/${PHOTO}/display.webp`,
        `photos/${OWNER}/${PHOTO}/status.json`,
        `shared/${OWNER}/${PHOTO}/display.webp`,
        `uploads/${OWNER}/${PHOTO}.jpg`,
      ].sort(),
    );
    expect(dynamo.commandCalls(DeleteCommand)[0]!.args[0].input.Key).toEqual({
      owner: OWNER,
      photoId: PHOTO,
    });
    expect(auditWrites()[0]).toMatchObject({
      action: "photo.delete",
      before: { status: "rejected", uploadKey: `uploads/${OWNER}/${PHOTO}.jpg` },
      after: { deleted: true, objectsDeleted: 4 },
    });
  });

  it("profile picture: approved only; sets `picture` to the shared display copy and audits the old value", async () => {
    const deps = testDeps();
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: record() })
      .resolves({ Item: record({ status: "approved", reasons: [] }) });
    const refused = (await call(
      deps,
      event("POST", `/photos/${OWNER}/${PHOTO}/profile-picture`),
    )) as ErrorAnswer;
    expect(refused).toMatchObject({ status: 409, body: { error: { code: "PHOTO_NOT_APPROVED" } } });
    userWithPicture(OWNER, "old.webp");
    const answer = await call(deps, event("POST", `/photos/${OWNER}/${PHOTO}/profile-picture`));
    const picture = `https://d111.cloudfront.net/shared/${OWNER}/${PHOTO}/display.webp`;
    expect(answer).toMatchObject({ status: 200, body: { sub: OWNER, picture } });
    expect(cognito.commandCalls(AdminUpdateUserAttributesCommand)[0]!.args[0].input.UserAttributes).toEqual([
      { Name: "picture", Value: picture },
    ]);
    expect(auditWrites()[0]).toMatchObject({
      action: "photo.set-profile-picture",
      target: `user/${OWNER}`,
      before: { picture: "old.webp" },
      after: { picture, photoId: PHOTO },
    });
  });
});
