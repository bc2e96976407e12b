import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  NotAuthorizedException,
  UpdateUserAttributesCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import {
  type PhotoTransport,
  ProfilePictureError,
  setProfilePicture,
  uploadProfilePicture,
} from "@photogate/client";
import { photoOfPicture } from "@photogate/core";
import { portraitScene, scene, signIn } from "@photogate/local-emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANY_FREE_PORTS, type DevStackEndpoints, type DevStackUser } from "../../src/endpoints";
import { findUser, signInLocalUser } from "../../src/seed";
import { type DevStack, startDevStack } from "../../src/stack";
import { uploadThroughEdge, waitForVerdict } from "../../src/upload";

/**
 * Issue 13 through the real local stack: the edge, S3, the processor (which sets `picture`),
 * the user pool front (which refuses users' own writes of `picture`) and the admin API.
 */
let stack: DevStack;
let endpoints: DevStackEndpoints;
let dataDir: string;
let demo: DevStackUser;
let support: DevStackUser;
let demoToken: string;
let supportToken: string;
let idp: CognitoIdentityProviderClient;
let portrait: Buffer;
let noFace: Buffer;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "photogate-e2e-picture-"));
  stack = await startDevStack({ dataDir, ports: ANY_FREE_PORTS });
  endpoints = stack.endpoints;
  demo = findUser(endpoints, "demo");
  support = findUser(endpoints, "support");
  demoToken = (await signInLocalUser(endpoints, demo)).accessToken;
  supportToken = (await signInLocalUser(endpoints, support)).accessToken;
  idp = new CognitoIdentityProviderClient({
    endpoint: endpoints.urls.cognitoIdp,
    region: endpoints.region,
    credentials: endpoints.serviceCredentials,
  });
  portrait = (await portraitScene()).jpeg;
  noFace = (await scene([])).jpeg;
}, 120_000);

afterAll(async () => {
  idp?.destroy();
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const edge = (): PhotoTransport => ({
  kind: "cloudfront",
  baseUrl: endpoints.urls.edge,
  accessToken: demoToken,
});
const api = () => ({ baseUrl: endpoints.urls.adminApi, accessToken: demoToken });

async function pictureOf(user: DevStackUser): Promise<string | undefined> {
  const answer = await idp.send(
    new AdminGetUserCommand({ UserPoolId: endpoints.userPool.id, Username: user.sub }),
  );
  return answer.UserAttributes?.find((a) => a.Name === "picture")?.Value;
}

/** Uploads through the edge as `user` and waits for the final verdict; the photo id and its status. */
async function uploadAndWait(user: DevStackUser, token: string, body: Buffer) {
  const photoId = randomUUID();
  await uploadThroughEdge(endpoints.urls.edge, token, { owner: user.sub, photoId, extension: "jpg", body });
  const verdict = await waitForVerdict(
    user.sub,
    photoId,
    { edgeUrl: endpoints.urls.edge, accessToken: token },
    { timeoutMs: 60_000 },
  );
  return { photoId, status: verdict.status };
}

async function approvedPhoto(): Promise<string> {
  const { photoId, status } = await uploadAndWait(demo, demoToken, portrait);
  expect(status).toBe("approved");
  return photoId;
}

describe("profile pictures through the local stack (issue 13)", () => {
  it("a profile upload that is approved sets `picture`, and another signed-in user can fetch it", async () => {
    const result = await uploadProfilePicture(
      edge(),
      { owner: demo.sub, extension: "jpg", body: portrait },
      { timeoutMs: 60_000 },
    );
    expect(result.verdict.status).toBe("approved");
    expect(result.pictureChanged).toBe(true);
    expect(await pictureOf(demo)).toBe(result.picture);
    expect(photoOfPicture(result.picture)).toEqual({ owner: demo.sub, photoId: result.photoId });
    // The value is the shared/ display image through the edge: support (another user) reads it.
    const seen = await fetch(result.picture!, { headers: { authorization: `Bearer ${supportToken}` } });
    expect(seen.status).toBe(200);
    expect(seen.headers.get("content-type")).toBe("image/webp");
  });

  it("a profile upload that is rejected leaves `picture` unchanged, and the verdict says why", async () => {
    const before = await pictureOf(demo);
    const result = await uploadProfilePicture(
      edge(),
      { owner: demo.sub, extension: "jpg", body: noFace },
      { timeoutMs: 60_000 },
    );
    expect(result.verdict.status).toBe("rejected");
    expect(result.pictureChanged).toBe(false);
    expect(result.notSet).toMatchObject({ code: "PHOTO_REJECTED" });
    expect(result.notSet?.message).toContain("NO_FACE");
    expect(await pictureOf(demo)).toBe(before);
  });

  it("choosing an approved photo of one's own sets it; another user's, a rejected or a missing one is a clear 4xx", async () => {
    const photoId = await approvedPhoto();
    const chosen = await setProfilePicture(api(), photoId);
    expect(chosen).toMatchObject({ photoId, changed: true });
    expect(await pictureOf(demo)).toBe(chosen.picture);

    const supportPhoto = (await uploadAndWait(support, supportToken, portrait)).photoId;
    const rejected = await uploadAndWait(demo, demoToken, noFace);
    expect(rejected.status).toBe("rejected");

    for (const [id, status, code] of [
      [supportPhoto, 404, "PHOTO_NOT_FOUND"],
      [rejected.photoId, 409, "PHOTO_NOT_APPROVED"],
      [randomUUID(), 404, "PHOTO_NOT_FOUND"],
    ] as const) {
      const attempt = setProfilePicture(api(), id);
      await expect(attempt).rejects.toBeInstanceOf(ProfilePictureError);
      await expect(attempt).rejects.toMatchObject({ status, code });
      expect(await pictureOf(demo)).toBe(chosen.picture);
    }
  });

  it("the route takes only upload-app tokens: an admin-app token gets API Gateway's 401", async () => {
    const adminToken = (await signIn(idp, endpoints.userPool.adminClientId, support.email, support.password))
      .accessToken;
    const attempt = setProfilePicture(
      { baseUrl: endpoints.urls.adminApi, accessToken: adminToken },
      randomUUID(),
    );
    await expect(attempt).rejects.toMatchObject({ status: 401 });
  });

  it("support rejecting the current picture clears it in the same request, audited", async () => {
    const photoId = await approvedPhoto();
    await setProfilePicture(api(), photoId);
    const adminToken = (await signIn(idp, endpoints.userPool.adminClientId, support.email, support.password))
      .accessToken;
    const rejected = await fetch(`${endpoints.urls.adminApi}/photos/${demo.sub}/${photoId}/reject`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ note: "not a profile picture", code: "MODERATION" }),
    });
    expect(rejected.status).toBe(200);
    expect(await pictureOf(demo)).toBeUndefined();
    const audit = await fetch(
      `${endpoints.urls.adminApi}/audit?target=${encodeURIComponent(`photo/${demo.sub}/${photoId}`)}`,
      { headers: { authorization: `Bearer ${adminToken}` } },
    );
    const entries = ((await audit.json()) as { items: { action: string; after?: { because?: string } }[] })
      .items;
    expect(entries.map((e) => e.action)).toEqual(
      expect.arrayContaining(["photo.reject", "photo.clear-profile-picture"]),
    );
    expect(entries.find((e) => e.action === "photo.clear-profile-picture")?.after?.because).toBe(
      "photo.reject",
    );
  });

  it("a new upload to the current picture's key that is rejected clears `picture` (the photo is no longer approved)", async () => {
    const chosen = await uploadProfilePicture(
      edge(),
      { owner: demo.sub, extension: "jpg", body: portrait },
      { timeoutMs: 60_000 },
    );
    expect(chosen.pictureChanged).toBe(true);
    expect(await pictureOf(demo)).toBe(chosen.picture);
    // The same key again, now with no face: rejected, so `picture` must not keep naming it.
    await uploadThroughEdge(endpoints.urls.edge, demoToken, {
      owner: demo.sub,
      photoId: chosen.photoId,
      extension: "jpg",
      body: noFace,
    });
    await stack.notifications.idle();
    const verdict = await waitForVerdict(
      demo.sub,
      chosen.photoId,
      { edgeUrl: endpoints.urls.edge, accessToken: demoToken },
      { timeoutMs: 60_000 },
    );
    expect(verdict.status).toBe("rejected");
    expect(await pictureOf(demo)).toBeUndefined();
  });

  it("a user's own UpdateUserAttributes(picture) is refused", async () => {
    const before = await pictureOf(demo);
    await expect(
      idp.send(
        new UpdateUserAttributesCommand({
          AccessToken: demoToken,
          UserAttributes: [{ Name: "picture", Value: "https://evil.example/unmoderated.png" }],
        }),
      ),
    ).rejects.toBeInstanceOf(NotAuthorizedException);
    expect(await pictureOf(demo)).toBe(before);
  });
});
