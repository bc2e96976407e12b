import {
  AdminDeleteUserAttributesCommand,
  AdminUpdateUserAttributesCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { DeleteObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { DeleteCommand, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { PROFILE_PICTURE_ROUTE, type UserDetail } from "@photogate/core";
import { beforeEach, describe, expect, it } from "vitest";
import {
  auditWrites,
  call,
  cognito,
  dynamo,
  type ErrorAnswer,
  event,
  fieldPaths,
  OWNER,
  ownerWithoutPhotos,
  PHOTO,
  PLAIN,
  record,
  resetAwsMocks,
  s3,
  storedPhotos,
  testDeps,
  userRouteEvent,
  userWithPicture,
} from "../helpers";

const PICTURE_OF = (owner: string, photoId: string) =>
  `https://d111.cloudfront.net/shared/${owner}/${photoId}/display.webp`;

beforeEach(resetAwsMocks);

/** The user-facing route as API Gateway hands it over: its own route key, an upload-app user's claims. */
function choose(body: unknown, options: { method?: string } = {}) {
  return userRouteEvent(PROFILE_PICTURE_ROUTE, { ...options, body });
}

describe("PUT /me/profile-picture (a user chooses an approved photo of their own)", () => {
  it("sets `picture` to the shared display copy of the caller's approved photo, audited with the old value", async () => {
    storedPhotos(record({ owner: PLAIN, status: "approved", reasons: [] }));
    userWithPicture(PLAIN, PICTURE_OF(PLAIN, "00000000-0000-4000-8000-000000000000"));
    const answer = await call(testDeps(), choose({ photoId: PHOTO }));
    expect(answer).toMatchObject({
      status: 200,
      body: { photoId: PHOTO, picture: PICTURE_OF(PLAIN, PHOTO), changed: true },
    });
    expect(cognito.commandCalls(AdminUpdateUserAttributesCommand).map((c) => c.args[0].input)).toEqual([
      {
        UserPoolId: "eu-west-1_Example1",
        Username: PLAIN,
        UserAttributes: [{ Name: "picture", Value: PICTURE_OF(PLAIN, PHOTO) }],
      },
    ]);
    expect(auditWrites()).toMatchObject([
      {
        action: "user.choose-profile-picture",
        actor: PLAIN,
        target: `user/${PLAIN}`,
        before: { photoId: "00000000-0000-4000-8000-000000000000" },
        after: { picture: PICTURE_OF(PLAIN, PHOTO), photoId: PHOTO },
      },
    ]);
  });

  it("choosing the current picture again changes nothing and writes no audit entry", async () => {
    storedPhotos(record({ owner: PLAIN, status: "approved", reasons: [] }));
    userWithPicture(PLAIN, PICTURE_OF(PLAIN, PHOTO));
    const answer = await call(testDeps(), choose({ photoId: PHOTO }));
    expect(answer).toMatchObject({ status: 200, body: { changed: false } });
    expect(cognito.commandCalls(AdminUpdateUserAttributesCommand)).toEqual([]);
    expect(auditWrites()).toEqual([]);
  });

  it.each([
    [
      "another user's approved photo",
      [record({ owner: OWNER, status: "approved", reasons: [] })],
      404,
      "PHOTO_NOT_FOUND",
    ],
    ["a missing photo", [], 404, "PHOTO_NOT_FOUND"],
    ["a rejected photo of the caller's", [record({ owner: PLAIN })], 409, "PHOTO_NOT_APPROVED"],
    [
      "a photo still processing",
      [record({ owner: PLAIN, status: "processing", reasons: [] })],
      409,
      "PHOTO_NOT_APPROVED",
    ],
  ])("refuses %s with a clear 4xx and changes nothing", async (_, items, status, code) => {
    storedPhotos(...items);
    userWithPicture(PLAIN);
    const answer = (await call(testDeps(), choose({ photoId: PHOTO }))) as ErrorAnswer;
    expect(answer).toMatchObject({ status, body: { error: { code } } });
    expect(cognito.commandCalls(AdminUpdateUserAttributesCommand)).toEqual([]);
    expect(auditWrites()).toEqual([]);
  });

  it.each([
    ["no body", { rawBody: "" }, "body"],
    ["a body that is not JSON", { rawBody: "{photoId" }, "body"],
    ["a photoId that is not a UUID", { body: { photoId: "../x" } }, "body.photoId"],
    [
      "an owner in the body (the caller's sub is the owner)",
      { body: { photoId: PHOTO, owner: OWNER } },
      "body",
    ],
  ])("answers 400 INVALID_REQUEST for %s", async (_, input, path) => {
    const answer = (await call(testDeps(), userRouteEvent(PROFILE_PICTURE_ROUTE, input))) as ErrorAnswer;
    expect(answer).toMatchObject({ status: 400, body: { error: { code: "INVALID_REQUEST" } } });
    expect(fieldPaths(answer)).toContain(path);
  });

  it("answers 405 to another method on the route, and 401 without a caller", async () => {
    expect(await call(testDeps(), choose({ photoId: PHOTO }, { method: "POST" }))).toMatchObject({
      status: 405,
    });
    const anonymous = choose({ photoId: PHOTO });
    (anonymous.requestContext.authorizer.jwt as { claims: unknown }).claims = {};
    expect(await call(testDeps(), anonymous)).toMatchObject({ status: 401 });
  });

  it("is not reachable through the admin routes: the same path on the catch-all route is refused for a plain user", async () => {
    const answer = (await call(
      testDeps(),
      event("PUT", PROFILE_PICTURE_ROUTE.path, { who: "plain", body: { photoId: PHOTO } }),
    )) as ErrorAnswer;
    expect(answer.status).toBe(403);
  });
});

describe("support rejects or deletes the photo that is someone's picture", () => {
  it("reject clears `picture` in the same request and audits it", async () => {
    dynamo.on(GetCommand).resolves({ Item: record({ status: "approved", reasons: [] }) });
    dynamo
      .on(UpdateCommand)
      .resolves({ Attributes: { ...record({ status: "rejected" }), verdictVersion: 3 } });
    userWithPicture(OWNER, PICTURE_OF(OWNER, PHOTO));
    const answer = await call(
      testDeps(),
      event("POST", `/photos/${OWNER}/${PHOTO}/reject`, { body: { note: "not a face", code: "MODERATION" } }),
    );
    expect(answer.status).toBe(200);
    expect(cognito.commandCalls(AdminDeleteUserAttributesCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: "eu-west-1_Example1", Username: OWNER, UserAttributeNames: ["picture"] },
    ]);
    expect(auditWrites().map((e) => e.action)).toEqual(["photo.reject", "photo.clear-profile-picture"]);
    expect(auditWrites()[1]).toMatchObject({
      target: `photo/${OWNER}/${PHOTO}`,
      before: { picture: PICTURE_OF(OWNER, PHOTO) },
      after: { picture: null, because: "photo.reject" },
    });
  });

  it("reject leaves a picture that names another photo alone; approve never touches it", async () => {
    dynamo.on(GetCommand).resolves({ Item: record({ status: "approved", reasons: [] }) });
    dynamo
      .on(UpdateCommand)
      .resolves({ Attributes: { ...record({ status: "rejected" }), verdictVersion: 3 } });
    userWithPicture(OWNER, PICTURE_OF(OWNER, "00000000-0000-4000-8000-000000000000"));
    await call(testDeps(), event("POST", `/photos/${OWNER}/${PHOTO}/reject`, { body: { note: "n" } }));
    expect(cognito.commandCalls(AdminDeleteUserAttributesCommand)).toEqual([]);
    expect(auditWrites().map((e) => e.action)).toEqual(["photo.reject"]);
  });

  it("delete clears `picture` when it names the deleted photo, audited", async () => {
    dynamo.on(GetCommand).resolves({ Item: record({ status: "approved", reasons: [] }) });
    dynamo.on(DeleteCommand).resolves({});
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    s3.on(DeleteObjectCommand).resolves({});
    userWithPicture(OWNER, PICTURE_OF(OWNER, PHOTO));
    const answer = await call(testDeps(), event("DELETE", `/photos/${OWNER}/${PHOTO}`));
    expect(answer.status).toBe(200);
    expect(cognito.commandCalls(AdminDeleteUserAttributesCommand)).toHaveLength(1);
    expect(auditWrites().map((e) => e.action)).toEqual(["photo.delete", "photo.clear-profile-picture"]);
  });
});

describe("GET /users/{sub} shows the current picture and its photo", () => {
  it("names the photo `picture` points at, with its display image presigned for the admin app", async () => {
    ownerWithoutPhotos();
    userWithPicture(OWNER, PICTURE_OF(OWNER, PHOTO));
    const answer = await call<UserDetail>(testDeps(), event("GET", `/users/${OWNER}`));
    expect(answer.status).toBe(200);
    expect(answer.body.picture).toBe(PICTURE_OF(OWNER, PHOTO));
    expect(answer.body.profilePhoto?.photoId).toBe(PHOTO);
    expect(answer.body.profilePhoto?.display.url).toContain(`photos/${OWNER}/${PHOTO}/display.webp`);
  });

  it("has no profile photo for a user without a picture, or with one that is not their photo", async () => {
    ownerWithoutPhotos();
    for (const picture of [undefined, PICTURE_OF(PLAIN, PHOTO), "https://elsewhere.example/x.png"]) {
      userWithPicture(OWNER, picture);
      const answer = await call<UserDetail>(testDeps(), event("GET", `/users/${OWNER}`));
      expect(answer.body.profilePhoto, String(picture)).toBeUndefined();
    }
  });
});
