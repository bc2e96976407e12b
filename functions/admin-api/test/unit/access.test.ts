import {
  AdminAddUserToGroupCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminRemoveUserFromGroupCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { adminRoutes } from "@photogate/core";
import { beforeEach, describe, expect, it } from "vitest";
import { parseGroupsClaim } from "../../src/index";
import {
  call,
  cognito,
  dynamo,
  type ErrorAnswer,
  event,
  OWNER,
  ownerWithoutPhotos,
  PHOTO,
  resetAwsMocks,
  testDeps,
  type Who,
} from "../helpers";

beforeEach(() => {
  resetAwsMocks();
  ownerWithoutPhotos();
  dynamo.on(GetCommand).resolves({});
});

/** One concrete request per route, with valid parameters. */
const concrete: Record<
  keyof typeof adminRoutes,
  { path: string; body?: unknown; query?: Record<string, string> }
> = {
  searchUsers: { path: "/users" },
  getUser: { path: `/users/${OWNER}` },
  disableUser: { path: `/users/${OWNER}/disable` },
  enableUser: { path: `/users/${OWNER}/enable` },
  resetPassword: { path: `/users/${OWNER}/reset-password` },
  signOutUser: { path: `/users/${OWNER}/sign-out` },
  addToSupport: { path: `/users/${OWNER}/groups/support` },
  removeFromSupport: { path: `/users/${OWNER}/groups/support` },
  deleteUser: { path: `/users/${OWNER}` },
  getUserUsage: { path: `/users/${OWNER}/usage` },
  setUserQuota: {
    path: `/users/${OWNER}/quota`,
    body: { daily: { uploads: 80, bytes: 400_000_000 }, reason: "photo shoot this week" },
  },
  reviewCount: { path: "/review/count" },
  claimReview: { path: `/photos/${OWNER}/${PHOTO}/claim` },
  restoreVerdict: { path: `/photos/${OWNER}/${PHOTO}/restore` },
  listPhotos: { path: "/photos", query: { status: "rejected" } },
  getPhoto: { path: `/photos/${OWNER}/${PHOTO}` },
  approvePhoto: { path: `/photos/${OWNER}/${PHOTO}/approve`, body: { reason: "looks fine" } },
  rejectPhoto: { path: `/photos/${OWNER}/${PHOTO}/reject`, body: { note: "not a face" } },
  reprocessPhoto: { path: `/photos/${OWNER}/${PHOTO}/reprocess` },
  deletePhoto: { path: `/photos/${OWNER}/${PHOTO}` },
  setProfilePicture: { path: `/photos/${OWNER}/${PHOTO}/profile-picture` },
  listDeadLetters: { path: "/dead-letters" },
  redriveDeadLetters: { path: "/dead-letters/redrive", body: { dryRun: true } },
  listAudit: { path: "/audit" },
};
const names = Object.keys(adminRoutes) as (keyof typeof adminRoutes)[];
const request = (name: keyof typeof adminRoutes, who: Who) => {
  const r = concrete[name];
  return event(adminRoutes[name].method, r.path, {
    who,
    ...(r.body ? { body: r.body } : {}),
    ...(r.query ? { query: r.query } : {}),
  });
};

describe("who gets in", () => {
  it.each(names)("%s: no claims → 401, a plain user's valid token → 403", async (name) => {
    const deps = testDeps();
    const none = (await call(deps, request(name, "none"))) as ErrorAnswer;
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe("UNAUTHENTICATED");
    const plain = (await call(deps, request(name, "plain"))) as ErrorAnswer;
    expect(plain.status).toBe(403);
    expect(plain.body.error.code).toBe("FORBIDDEN");
    // Refused before any AWS call: nothing was read or written for them.
    expect(cognito.calls()).toHaveLength(0);
    expect(dynamo.calls()).toHaveLength(0);
  });

  const adminsOnly = names.filter((n) => adminRoutes[n].access === "admins");
  it("admins-only routes are exactly group changes, user deletion, the dead letters and quota changes", () => {
    expect(adminsOnly.sort()).toEqual([
      "addToSupport",
      "deleteUser",
      "listDeadLetters",
      "redriveDeadLetters",
      "removeFromSupport",
      "setUserQuota",
    ]);
  });

  it.each(adminsOnly)("%s: support → 403 with nothing changed, admins → 200", async (name) => {
    const deps = testDeps();
    const support = (await call(deps, request(name, "support"))) as ErrorAnswer;
    expect(support.status).toBe(403);
    expect(support.body.error.message).toMatch(/admins/);
    expect(cognito.commandCalls(AdminAddUserToGroupCommand)).toHaveLength(0);
    expect(cognito.commandCalls(AdminRemoveUserFromGroupCommand)).toHaveLength(0);
    expect(cognito.commandCalls(AdminDeleteUserCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
    const admins = await call(deps, request(name, "admins"));
    expect(admins.status).toBe(200);
  });

  it("support reads the moderation queue; admins can too", async () => {
    for (const who of ["support", "admins"] as const) {
      const answer = await call(testDeps(), request("listPhotos", who));
      expect(answer).toMatchObject({ status: 200, body: { items: [] } });
    }
  });

  it("a group other than support/admins is a plain user", async () => {
    const e = request("listPhotos", "support");
    (e.requestContext.authorizer.jwt.claims as Record<string, string>)["cognito:groups"] = "[supporters]";
    expect((await call(testDeps(), e)).status).toBe(403);
  });

  it("reads the groups claim as API Gateway flattens it, as an array, or comma-separated", () => {
    expect(parseGroupsClaim("[support admins]")).toEqual(["support", "admins"]);
    expect(parseGroupsClaim(["admins"])).toEqual(["admins"]);
    expect(parseGroupsClaim("support,admins")).toEqual(["support", "admins"]);
    expect(parseGroupsClaim(undefined)).toEqual([]);
    expect(parseGroupsClaim("[]")).toEqual([]);
  });

  it("an admin cannot disable or delete themselves", async () => {
    const deps = testDeps();
    const { ADMIN } = await import("../helpers");
    const disable = (await call(
      deps,
      event("POST", `/users/${ADMIN}/disable`, { who: "admins" }),
    )) as ErrorAnswer;
    expect(disable.status).toBe(409);
    expect(disable.body.error.code).toBe("CANNOT_TARGET_SELF");
    const del = (await call(deps, event("DELETE", `/users/${ADMIN}`, { who: "admins" }))) as ErrorAnswer;
    expect(del.body.error.code).toBe("CANNOT_TARGET_SELF");
    expect(cognito.commandCalls(AdminDisableUserCommand)).toHaveLength(0);
  });
});

describe("routing", () => {
  it("unknown path → 404 ROUTE_NOT_FOUND; known path, wrong method → 405", async () => {
    const deps = testDeps();
    const missing = (await call(deps, event("GET", "/nothing"))) as ErrorAnswer;
    expect(missing).toMatchObject({ status: 404, body: { error: { code: "ROUTE_NOT_FOUND" } } });
    const wrong = (await call(deps, event("PUT", `/users/${OWNER}/disable`))) as ErrorAnswer;
    expect(wrong).toMatchObject({ status: 405, body: { error: { code: "METHOD_NOT_ALLOWED" } } });
  });

  it("strips a named stage from the path and tolerates a trailing slash", async () => {
    const e = event("GET", "/prod/photos/", { query: { status: "approved" } });
    e.requestContext.stage = "prod";
    expect((await call(testDeps(), e)).status).toBe(200);
  });

  it("answers JSON that no cache keeps, with the request id in errors", async () => {
    const answer = (await call(testDeps(), event("GET", "/nothing"))) as ErrorAnswer;
    expect(answer.headers["cache-control"]).toBe("no-store");
    expect(answer.headers["content-type"]).toMatch(/^application\/json/);
    expect(answer.body.error.requestId).toBe("JKJaXmPLvHcESHA=");
  });
});
