import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminResetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { DeleteCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { AuditItem, Page, UserDetail, UserSummary } from "@photogate/core";
import { beforeEach, describe, expect, it } from "vitest";
import { encodePageToken, forgetDirectory, loadConfig } from "../../src/index";
import {
  ADMIN,
  auditWrites,
  awsError,
  call,
  cognito,
  cognitoUser,
  dynamo,
  type ErrorAnswer,
  event,
  OWNER,
  ownerWithoutPhotos,
  PHOTO,
  record,
  resetAwsMocks,
  SUPPORT,
  s3,
  testDeps,
} from "../helpers";

beforeEach(() => {
  resetAwsMocks();
  ownerWithoutPhotos();
});

describe("user search", () => {
  it("filters by prefix on the chosen field and pages with Cognito's token, wrapped", async () => {
    cognito
      .on(ListUsersCommand)
      .resolvesOnce({
        Users: [
          {
            Username: OWNER,
            Enabled: true,
            UserStatus: "CONFIRMED",
            Attributes: cognitoUser(OWNER).UserAttributes,
          },
        ],
        PaginationToken: "cognito-page-2",
      })
      .resolves({ Users: [] });
    const deps = testDeps();
    const first = await call<Page<UserSummary>>(
      deps,
      event("GET", "/users", { query: { q: "Demo@", by: "email", limit: "1" } }),
    );
    expect(first.body.items[0]).toMatchObject({
      sub: OWNER,
      email: "demo@example.com",
      enabled: true,
      status: "CONFIRMED",
    });
    expect(cognito.commandCalls(ListUsersCommand)[0]!.args[0].input).toMatchObject({
      Filter: 'email ^= "demo@"',
      Limit: 1,
      UserPoolId: "eu-west-1_Example1",
    });
    expect(first.body.nextToken).not.toContain("cognito-page-2");
    await call(
      deps,
      event("GET", "/users", { query: { q: "demo@", by: "email", nextToken: first.body.nextToken! } }),
    );
    expect(cognito.commandCalls(ListUsersCommand)[1]!.args[0].input.PaginationToken).toBe("cognito-page-2");
    await call(deps, event("GET", "/users", { query: { q: OWNER.slice(0, 8), by: "sub" } }));
    expect(cognito.commandCalls(ListUsersCommand)[2]!.args[0].input.Filter).toBe(
      `sub ^= "${OWNER.slice(0, 8)}"`,
    );
  });

  it("a token for another search, or quotes in the search → 400", async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [] });
    const deps = testDeps();
    const other = (await call(
      deps,
      event("GET", "/users", { query: { q: "b", nextToken: encodePageToken("users", 'email ^= "a"', "t") } }),
    )) as ErrorAnswer;
    expect(other.body.error.code).toBe("INVALID_NEXT_TOKEN");
    const quote = (await call(deps, event("GET", "/users", { query: { q: 'a" or "' } }))) as ErrorAnswer;
    expect(quote.body.error).toMatchObject({ code: "INVALID_REQUEST", fields: [{ path: "query.q" }] });
    const by = (await call(deps, event("GET", "/users", { query: { by: "phone" } }))) as ErrorAnswer;
    expect(by.body.error.fields?.[0]?.path).toBe("query.by");
    expect(cognito.commandCalls(ListUsersCommand)).toHaveLength(0);
  });
});

describe("user search by photo id", () => {
  const directory = () =>
    cognito.on(ListUsersCommand).resolves({
      Users: [OWNER, SUPPORT].map((sub) => ({
        Username: sub,
        Enabled: true,
        UserStatus: "CONFIRMED",
        Attributes: cognitoUser(sub, { email: `${sub.slice(0, 4)}@example.com` }).UserAttributes,
      })),
    });
  beforeEach(() => forgetDirectory());

  it("finds the owner of the photo whose id is typed (any case), through the byPhotoId index", async () => {
    directory();
    dynamo
      .on(QueryCommand, { IndexName: "byPhotoId" })
      .resolves({ Items: [{ photoId: PHOTO, owner: OWNER }] });
    const answer = await call<Page<UserSummary>>(
      testDeps(),
      event("GET", "/users", { query: { q: PHOTO.toUpperCase() } }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body.items).toEqual([expect.objectContaining({ sub: OWNER, ownsPhoto: PHOTO })]);
    expect(dynamo.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({
      TableName: "photos",
      IndexName: "byPhotoId",
      ExpressionAttributeValues: { ":pk": PHOTO },
    });
  });

  it("a UUID that is no photo's id finds only users it matches as text; other text never queries photos", async () => {
    directory();
    const byId = await call<Page<UserSummary>>(testDeps(), event("GET", "/users", { query: { q: PHOTO } }));
    expect(byId.body.items).toEqual([]);
    const bySub = await call<Page<UserSummary>>(
      testDeps(),
      event("GET", "/users", { query: { q: SUPPORT } }),
    );
    expect(bySub.body.items.map((u) => [u.sub, u.ownsPhoto])).toEqual([[SUPPORT, undefined]]);
    dynamo.resetHistory();
    await call(testDeps(), event("GET", "/users", { query: { q: "example.com" } }));
    expect(dynamo.commandCalls(QueryCommand)).toEqual([]);
  });
});

describe("user detail", () => {
  it("has attributes, groups and the first page of their photos", async () => {
    cognito.on(AdminListGroupsForUserCommand).resolves({ Groups: [{ GroupName: "support" }] });
    dynamo.on(QueryCommand).resolves({ Items: [record()] });
    const answer = await call<UserDetail>(testDeps(), event("GET", `/users/${OWNER}`));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      sub: OWNER,
      groups: ["support"],
      attributes: { email: "demo@example.com", email_verified: "true" },
    });
    expect(answer.body.photos.items.map((p) => p.photoId)).toEqual([PHOTO]);
    expect(dynamo.commandCalls(QueryCommand)[0]!.args[0].input.IndexName).toBe("byOwner");
    expect(answer.body.photoCounts).toEqual({
      pending: 0,
      processing: 0,
      approved: 0,
      rejected: 1,
      failed: 0,
    });
    // An enabled user has no "disabled by": the audit log is not read.
    expect(answer.body.disabledBy).toBeUndefined();
    expect(dynamo.commandCalls(QueryCommand).some((c) => c.args[0].input.TableName === "audit")).toBe(false);
  });

  it("counts every status across pages, and says who disabled a disabled user, when and why", async () => {
    cognito.on(AdminGetUserCommand).resolves(cognitoUser(OWNER, { enabled: false }));
    cognito.on(ListUsersCommand, { Filter: `sub = "${SUPPORT}"` }).resolves({
      Users: [{ Username: SUPPORT, Attributes: [{ Name: "email", Value: "support@example.com" }] }],
    });
    dynamo
      .on(QueryCommand, { TableName: "photos", ProjectionExpression: "#status" })
      .resolvesOnce({
        Items: [{ status: "rejected" }, { status: "approved" }],
        LastEvaluatedKey: { owner: OWNER },
      })
      .resolvesOnce({ Items: [{ status: "rejected" }] });
    dynamo.on(QueryCommand, { TableName: "audit" }).resolves({
      Items: [
        {
          target: `user/${OWNER}`,
          sortKey: "2026-11-27T10:00:00.000Z#a1",
          auditId: "a1",
          day: "2026-11-27",
          at: "2026-11-27T10:00:00.000Z",
          actor: SUPPORT,
          action: "user.disable",
          before: { enabled: true },
          after: { enabled: false, reason: "Reported for spam" },
        },
      ],
    });
    const answer = await call<UserDetail>(testDeps(), event("GET", `/users/${OWNER}`));
    expect(answer.status).toBe(200);
    expect(answer.body.photoCounts).toEqual({
      pending: 0,
      processing: 0,
      approved: 1,
      rejected: 2,
      failed: 0,
    });
    expect(answer.body.disabledBy).toEqual({
      by: SUPPORT,
      email: "support@example.com",
      at: "2026-11-27T10:00:00.000Z",
      reason: "Reported for spam",
    });
    const audit = dynamo.commandCalls(QueryCommand).find((c) => c.args[0].input.TableName === "audit");
    expect(audit!.args[0].input).toMatchObject({
      ExpressionAttributeValues: { ":pk": `user/${OWNER}`, ":action": "user.disable" },
      ScanIndexForward: false,
    });
  });
});

describe("Cognito errors are mapped, never leaked", () => {
  const cases: [string, number, string][] = [
    ["UserNotFoundException", 404, "USER_NOT_FOUND"],
    ["TooManyRequestsException", 429, "TOO_MANY_REQUESTS"],
    ["NotAuthorizedException", 409, "INVALID_USER_STATE"],
    ["InvalidParameterException", 400, "INVALID_REQUEST"],
    ["InternalErrorException", 500, "INTERNAL"],
  ];
  it.each(cases)("%s → %i %s", async (name, status, code) => {
    cognito.on(AdminGetUserCommand).rejects(awsError(name, "secret internals at line 42"));
    const answer = (await call(testDeps(), event("POST", `/users/${OWNER}/disable`))) as ErrorAnswer;
    expect(answer.status).toBe(status);
    expect(answer.body.error.code).toBe(code);
    if (status === 500) expect(answer.body.error.message).not.toContain("secret internals");
    expect(JSON.stringify(answer.body)).not.toMatch(/at .*\.ts:\d+/);
    expect(auditWrites()).toHaveLength(0);
  });

  it("USER_NOT_FOUND names the user", async () => {
    cognito.on(AdminGetUserCommand).rejects(awsError("UserNotFoundException"));
    const answer = (await call(testDeps(), event("GET", `/users/${OWNER}`))) as ErrorAnswer;
    expect(answer.body.error.message).toContain(OWNER);
  });
});

describe("user actions are audited with before and after", () => {
  it("disable, then enable", async () => {
    const deps = testDeps();
    const disabled = await call<{ user: UserSummary }>(deps, event("POST", `/users/${OWNER}/disable`));
    expect(disabled.body.user.enabled).toBe(false);
    expect(cognito.commandCalls(AdminDisableUserCommand)[0]!.args[0].input).toEqual({
      UserPoolId: "eu-west-1_Example1",
      Username: OWNER,
    });
    cognito.on(AdminGetUserCommand).resolves(cognitoUser(OWNER, { enabled: false }));
    await call(deps, event("POST", `/users/${OWNER}/enable`));
    expect(cognito.commandCalls(AdminEnableUserCommand)).toHaveLength(1);
    const [a, b] = auditWrites();
    expect(a).toMatchObject({
      action: "user.disable",
      actor: SUPPORT,
      target: `user/${OWNER}`,
      before: { enabled: true },
      after: { enabled: false },
    });
    expect(b).toMatchObject({ action: "user.enable", before: { enabled: false }, after: { enabled: true } });
  });

  it("reset password for a confirmed user; resend the invitation for one who never signed in", async () => {
    const deps = testDeps();
    cognito
      .on(AdminGetUserCommand)
      .resolvesOnce(cognitoUser(OWNER))
      .resolves(cognitoUser(OWNER, { status: "RESET_REQUIRED" }));
    await call(deps, event("POST", `/users/${OWNER}/reset-password`));
    expect(cognito.commandCalls(AdminResetUserPasswordCommand)).toHaveLength(1);
    cognito.on(AdminGetUserCommand).resolves(cognitoUser(OWNER, { status: "FORCE_CHANGE_PASSWORD" }));
    await call(deps, event("POST", `/users/${OWNER}/reset-password`));
    expect(cognito.commandCalls(AdminCreateUserCommand)[0]!.args[0].input).toMatchObject({
      Username: OWNER,
      MessageAction: "RESEND",
    });
    const [reset, invite] = auditWrites();
    expect(reset).toMatchObject({
      action: "user.reset-password",
      before: { status: "CONFIRMED" },
      after: { status: "RESET_REQUIRED" },
    });
    expect(invite).toMatchObject({
      action: "user.resend-invite",
      before: { status: "FORCE_CHANGE_PASSWORD" },
    });
  });

  it("global sign-out", async () => {
    await call(testDeps(), event("POST", `/users/${OWNER}/sign-out`));
    expect(cognito.commandCalls(AdminUserGlobalSignOutCommand)[0]!.args[0].input.Username).toBe(OWNER);
    expect(auditWrites()[0]).toMatchObject({
      action: "user.sign-out",
      before: { sub: OWNER },
      after: { sub: OWNER },
    });
  });

  it("add to and remove from support (admins)", async () => {
    const deps = testDeps();
    // The pool's membership as Cognito would report it, changed by the two commands.
    let member = false;
    cognito
      .on(AdminListGroupsForUserCommand)
      .callsFake(() => ({ Groups: member ? [{ GroupName: "support" }] : [] }));
    cognito.on(AdminAddUserToGroupCommand).callsFake(() => {
      member = true;
      return {};
    });
    cognito.on(AdminRemoveUserFromGroupCommand).callsFake(() => {
      member = false;
      return {};
    });
    const added = await call<{ groups: string[] }>(
      deps,
      event("PUT", `/users/${OWNER}/groups/support`, { who: "admins" }),
    );
    expect(added.body.groups).toEqual(["support"]);
    expect(cognito.commandCalls(AdminAddUserToGroupCommand)[0]!.args[0].input.GroupName).toBe("support");
    await call(deps, event("DELETE", `/users/${OWNER}/groups/support`, { who: "admins" }));
    expect(cognito.commandCalls(AdminRemoveUserFromGroupCommand)).toHaveLength(1);
    const [add, remove] = auditWrites();
    expect(add).toMatchObject({
      action: "user.add-to-support",
      actor: ADMIN,
      before: { groups: [] },
      after: { groups: ["support"] },
    });
    expect(remove).toMatchObject({
      action: "user.remove-from-support",
      before: { groups: ["support"] },
      after: { groups: [] },
    });
  });

  it("delete (admins): disables, deletes every photo and its record, deletes the user; audit keeps no email", async () => {
    const second = "12121212-3434-4565-8787-909090909090";
    dynamo.on(QueryCommand).resolves({
      Items: [record(), record({ photoId: second, uploadKey: `uploads/${OWNER}/${second}.png` })],
    });
    const answer = await call(testDeps(), event("DELETE", `/users/${OWNER}`, { who: "admins" }));
    expect(answer).toMatchObject({ status: 200, body: { deleted: true, photosDeleted: 2 } });
    expect(cognito.commandCalls(AdminDisableUserCommand)).toHaveLength(1);
    expect(
      dynamo
        .commandCalls(DeleteCommand)
        .map((c) => c.args[0].input.Key?.photoId)
        .sort(),
    ).toEqual([PHOTO, second].sort());
    expect(
      s3
        .commandCalls(DeleteObjectCommand)
        .map((c) => c.args[0].input.Key)
        .sort(),
    ).toEqual([`uploads/${OWNER}/${PHOTO}.jpg`, `uploads/${OWNER}/${second}.png`].sort());
    expect(cognito.commandCalls(AdminDeleteUserCommand)[0]!.args[0].input.Username).toBe(OWNER);
    const [entry] = auditWrites();
    expect(entry).toMatchObject({
      action: "user.delete",
      actor: ADMIN,
      before: { sub: OWNER, photos: 2 },
      after: { deleted: true, photosDeleted: 2 },
    });
    expect(JSON.stringify(entry)).not.toContain("demo@example.com");
  });
});

describe("audit log", () => {
  const stored: AuditItem = {
    target: `user/${OWNER}`,
    sortKey: "2026-03-04T05:06:07.000Z#x",
    auditId: "x",
    day: "2026-03-04",
    at: "2026-03-04T05:06:07.000Z",
    actor: SUPPORT,
    action: "user.disable",
    before: { enabled: true },
    after: { enabled: false },
    requestId: "r",
  };
  it("today by default (byDay), by actor (byActor) or by target (the table), newest first, paged", async () => {
    const lek = { day: "2026-03-04", sortKey: stored.sortKey, target: stored.target };
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: [stored], LastEvaluatedKey: lek })
      .resolves({ Items: [stored] });
    const deps = testDeps();
    const today = await call<Page<AuditItem>>(deps, event("GET", "/audit"));
    expect(today.body.items).toEqual([stored]);
    expect(dynamo.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({
      IndexName: "byDay",
      ScanIndexForward: false,
      ExpressionAttributeValues: { ":pk": "2026-03-04" },
    });
    await call(deps, event("GET", "/audit", { query: { nextToken: today.body.nextToken! } }));
    expect(dynamo.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual(lek);
    await call(deps, event("GET", "/audit", { query: { actor: SUPPORT } }));
    expect(dynamo.commandCalls(QueryCommand)[2]!.args[0].input).toMatchObject({
      IndexName: "byActor",
      ExpressionAttributeValues: { ":pk": SUPPORT },
    });
    await call(deps, event("GET", "/audit", { query: { target: `photo/${OWNER}/${PHOTO}` } }));
    const byTarget = dynamo.commandCalls(QueryCommand)[3]!.args[0].input;
    expect(byTarget.IndexName).toBeUndefined();
    expect(byTarget.ExpressionAttributeValues).toEqual({ ":pk": `photo/${OWNER}/${PHOTO}` });
  });

  it("a day's token cannot page an actor's log; two filters at once → 400", async () => {
    const deps = testDeps();
    const token = encodePageToken("audit.day", "2026-03-04", {
      day: "2026-03-04",
      sortKey: "s",
      target: "t",
    });
    const wrong = (await call(
      deps,
      event("GET", "/audit", { query: { actor: SUPPORT, nextToken: token } }),
    )) as ErrorAnswer;
    expect(wrong.body.error.code).toBe("INVALID_NEXT_TOKEN");
    const two = (await call(
      deps,
      event("GET", "/audit", { query: { actor: SUPPORT, day: "2026-03-04" } }),
    )) as ErrorAnswer;
    expect(two.status).toBe(400);
  });

  it("an action whose audit write fails is reported as an error, not a success", async () => {
    dynamo.on(PutCommand).rejects(awsError("InternalServerError"));
    const answer = (await call(testDeps(), event("POST", `/users/${OWNER}/sign-out`))) as ErrorAnswer;
    expect(answer.status).toBe(500);
  });
});

describe("config", () => {
  const env = {
    PHOTOGATE_PHOTO_TABLE: "p",
    PHOTOGATE_AUDIT_TABLE: "a",
    PHOTOGATE_BUCKET: "bucket",
    PHOTOGATE_USER_POOL_ID: "eu-west-1_Abc123",
    PHOTOGATE_PROCESSOR_FUNCTION: "fn",
    PHOTOGATE_DLQ_URL: "https://sqs.eu-west-1.amazonaws.com/123456789012/dlq",
  };
  it("reads the variables once, with a 300 s presign default", () => {
    expect(loadConfig(env)).toMatchObject({ photoTable: "p", presignSeconds: 300, endpointOverride: false });
    expect(
      loadConfig({ ...env, PHOTOGATE_PRESIGN_SECONDS: "60", AWS_ENDPOINT_URL: "http://x" }),
    ).toMatchObject({ presignSeconds: 60, endpointOverride: true });
  });
  it("names every bad variable", () => {
    expect(() =>
      loadConfig({ ...env, PHOTOGATE_BUCKET: undefined, PHOTOGATE_PRESIGN_SECONDS: "99999" }),
    ).toThrow(
      /PHOTOGATE_BUCKET[\s\S]*PHOTOGATE_PRESIGN_SECONDS|PHOTOGATE_PRESIGN_SECONDS[\s\S]*PHOTOGATE_BUCKET/,
    );
  });
});
