import { AdminGetUserCommand, UserNotFoundException } from "@aws-sdk/client-cognito-identity-provider";
import { GetCommand, type GetCommandInput, PutCommand, type PutCommandInput } from "@aws-sdk/lib-dynamodb";
import { defaultQuota, type UserUsage } from "@photogate/core";
import { beforeEach, describe, expect, it } from "vitest";
import {
  ADMIN,
  auditWrites,
  call,
  cognito,
  cognitoUser,
  dynamo,
  type ErrorAnswer,
  event,
  fieldPaths,
  OWNER,
  resetAwsMocks,
  testDeps,
} from "../helpers";

/** The usage table as a map, so a PUT of the override is what the next GET reads. */
let items: Map<string, Record<string, unknown>>;
const id = (key: Record<string, unknown>) => `${key.owner}/${key.period}`;

beforeEach(() => {
  resetAwsMocks();
  items = new Map([
    [`${OWNER}/day#2026-03-04`, { owner: OWNER, period: "day#2026-03-04", uploads: 7, bytes: 9000 }],
  ]);
  dynamo
    .on(GetCommand)
    .callsFake((input: GetCommandInput) =>
      input.TableName === "usage" ? { Item: items.get(id(input.Key!)) } : {},
    );
  dynamo.on(PutCommand).callsFake((input: PutCommandInput) => {
    if (input.TableName === "usage") items.set(id(input.Item!), input.Item!);
    return {};
  });
  cognito.on(AdminGetUserCommand).resolves(cognitoUser(OWNER));
});

const raise = { daily: { uploads: 80, bytes: 400_000_000 }, reason: "wedding photographer" };

describe("GET /users/{sub}/usage", () => {
  it("shows support today's and this month's counts, the limits in force and when they reset", async () => {
    const answer = await call<UserUsage>(testDeps(), event("GET", `/users/${OWNER}/usage`));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      sub: OWNER,
      day: {
        period: "day#2026-03-04",
        uploads: 7,
        bytes: 9000,
        limit: defaultQuota.daily,
        resetsAt: "2026-03-05T00:00:00.000Z",
      },
      month: {
        period: "month#2026-03",
        uploads: 0,
        bytes: 0,
        limit: defaultQuota.monthly,
        resetsAt: "2026-04-01T00:00:00.000Z",
      },
    });
  });

  it("answers 501 NOT_SUPPORTED when no quota is configured", async () => {
    const { quota: _, ...deps } = testDeps();
    const answer = (await call(deps, event("GET", `/users/${OWNER}/usage`))) as ErrorAnswer;
    expect(answer.status).toBe(501);
    expect(answer.body.error.code).toBe("NOT_SUPPORTED");
  });
});

describe("PUT /users/{sub}/quota", () => {
  it("refuses support with 403 and writes nothing", async () => {
    const answer = (await call(
      testDeps(),
      event("PUT", `/users/${OWNER}/quota`, { body: raise }),
    )) as ErrorAnswer;
    expect(answer.status).toBe(403);
    expect(items.has(`${OWNER}/limits`)).toBe(false);
    expect(auditWrites()).toEqual([]);
  });

  it("sets the override for admins, audited with before and after, and the usage shows it at once", async () => {
    const deps = testDeps();
    const answer = await call<UserUsage>(
      deps,
      event("PUT", `/users/${OWNER}/quota`, { who: "admins", body: raise }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body.day.limit).toEqual(raise.daily);
    expect(answer.body.override).toMatchObject({ daily: raise.daily, updatedBy: ADMIN });
    // The item the processor reads (readQuotaOverride) holds exactly the new limits.
    expect(items.get(`${OWNER}/limits`)).toMatchObject({
      owner: OWNER,
      period: "limits",
      daily: raise.daily,
    });
    const [entry] = auditWrites();
    expect(entry).toMatchObject({
      action: "user.set-quota",
      target: `user/${OWNER}`,
      actor: ADMIN,
      before: defaultQuota,
      after: { daily: raise.daily, monthly: defaultQuota.monthly, reason: raise.reason },
    });
    const support = await call<UserUsage>(deps, event("GET", `/users/${OWNER}/usage`));
    expect(support.body.day.limit).toEqual(raise.daily);
  });

  it.each([
    [{ daily: { uploads: 0, bytes: 1 }, reason: "zero" }, "body.daily.uploads"],
    [{ daily: { uploads: 5, bytes: 10 }, reason: "no" }, "body.reason"],
    [{ daily: { uploads: 5, bytes: 10 } }, "body.reason"],
    [
      { daily: { uploads: 50, bytes: 10 }, monthly: { uploads: 5, bytes: 10 }, reason: "backwards" },
      "body.monthly",
    ],
    [{ daily: { uploads: 5, bytes: 10, extra: 1 }, reason: "unknown field" }, "body.daily"],
    [{ daily: { uploads: 1e9, bytes: 10 }, reason: "far too many" }, "body.daily.uploads"],
  ])("refuses %j with 400 naming %s", async (body, field) => {
    const answer = (await call(
      testDeps(),
      event("PUT", `/users/${OWNER}/quota`, { who: "admins", body }),
    )) as ErrorAnswer;
    expect(answer.status).toBe(400);
    expect(fieldPaths(answer)).toContain(field);
    expect(items.has(`${OWNER}/limits`)).toBe(false);
  });

  it("answers 404 for a user who does not exist, and writes nothing", async () => {
    cognito
      .on(AdminGetUserCommand)
      .rejects(new UserNotFoundException({ message: "User does not exist.", $metadata: {} }));
    const answer = (await call(
      testDeps(),
      event("PUT", `/users/${OWNER}/quota`, { who: "admins", body: raise }),
    )) as ErrorAnswer;
    expect(answer.status).toBe(404);
    expect(items.has(`${OWNER}/limits`)).toBe(false);
  });
});
