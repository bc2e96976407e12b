import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import type {
  AuditItem,
  ErrorBody,
  Page,
  PhotoRecord,
  PhotoSummary,
  UserDetail,
  UserSummary,
} from "@photogate/core";
import { embeddedEnvironment, resourceNames, sharedPrefix, statusKey } from "@photogate/core";
import { type EmulatorUser, signIn } from "@photogate/local-emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalAdminApi, type SeededSample, startLocalAdminApi } from "./local-admin-api";

const APP_ORIGIN = "http://localhost:5173";

let local: LocalAdminApi;
let s3: S3Client;
let demo: EmulatorUser;
let support: EmulatorUser;
let tokens: Record<"demo" | "support", string>;
let samples: SeededSample[];
let idp: CognitoIdentityProviderClient;

async function api<T>(path: string, init: { method?: string; token?: string; body?: unknown } = {}) {
  const response = await fetch(`${local.url}${path}`, {
    method: init.method ?? "GET",
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, body: (await response.json()) as T, headers: response.headers };
}

beforeAll(async () => {
  local = await startLocalAdminApi({ allowedOrigins: [APP_ORIGIN] });
  const { emulators } = local;
  demo = local.user("demo");
  support = local.user("support");
  samples = await local.seedSamples("demo");

  const env = embeddedEnvironment;
  const connection = {
    region: emulators.region,
    credentials: emulators.serviceCredentials,
  };
  s3 = new S3Client({ ...connection, endpoint: emulators.urls.s3, forcePathStyle: true });
  idp = new CognitoIdentityProviderClient({ ...connection, endpoint: emulators.urls.cognitoIdp });
  const adminClient = emulators.pool.adminClientId;
  tokens = {
    demo: (await signIn(idp, adminClient, demo.email, demo.password)).accessToken,
    support: (await signIn(idp, adminClient, support.email, support.password)).accessToken,
  };
  expect(resourceNames(env).auditTable).toBe(emulators.names.auditTable);
});

afterAll(async () => {
  s3?.destroy();
  idp?.destroy();
  await local?.stop();
});

describe("the local admin API with real tokens", () => {
  it("no token or an upload-client token → 401 as API Gateway answers; a plain user's admin-client token → 403", async () => {
    expect(await api("/photos?status=rejected")).toMatchObject({
      status: 401,
      body: { message: "Unauthorized" },
    });
    const upload = await signIn(idp, local.emulators.pool.uploadClientId, support.email, support.password);
    expect((await api("/photos?status=rejected", { token: upload.accessToken })).status).toBe(401);
    const plain = await api<ErrorBody>("/photos?status=rejected", { token: tokens.demo });
    expect(plain.status).toBe(403);
    expect(plain.body.error.code).toBe("FORBIDDEN");
  });

  it("answers the admin app's CORS preflight", async () => {
    const response = await fetch(`${local.url}/users/${demo.sub}/disable`, {
      method: "OPTIONS",
      headers: {
        origin: APP_ORIGIN,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(APP_ORIGIN);
    expect(response.headers.get("access-control-allow-headers")).toContain("authorization");
  });

  it("support sees the moderation queue with thumbnails that load, and approves a rejected photo: status.json and shared/ follow", async () => {
    const noFace = samples.find((s) => s.expect.includes("NO_FACE"))!;
    const queue = await api<Page<PhotoSummary>>("/photos?status=rejected", { token: tokens.support });
    expect(queue.status).toBe(200);
    const item = queue.body.items.find((p) => p.photoId === noFace.photoId);
    expect(item).toMatchObject({ owner: demo.sub, reasonCodes: ["NO_FACE"] });
    const thumbnail = await fetch(item!.thumbnail!.url);
    expect(thumbnail.status).toBe(200);
    expect(
      Buffer.from(await thumbnail.arrayBuffer())
        .subarray(8, 12)
        .toString("latin1"),
    ).toBe("WEBP");

    const approved = await api<PhotoRecord>(`/photos/${demo.sub}/${noFace.photoId}/approve`, {
      method: "POST",
      token: tokens.support,
      body: { reason: "a landscape is fine for this test" },
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: "approved", reviewedBy: support.sub, reasons: [] });

    const status = await s3.send(
      new GetObjectCommand({
        Bucket: local.emulators.names.bucket,
        Key: statusKey(demo.sub, noFace.photoId),
      }),
    );
    const verdict = JSON.parse(await status.Body!.transformToString()) as {
      status: string;
      version: number;
      reviewedBy?: string;
    };
    expect(verdict).toMatchObject({ status: "approved", reviewedBy: support.sub });
    expect(verdict.version).toBeGreaterThan(1);
    const shared = await s3.send(
      new ListObjectsV2Command({
        Bucket: local.emulators.names.bucket,
        Prefix: sharedPrefix(demo.sub, noFace.photoId),
      }),
    );
    expect((shared.Contents ?? []).map((o) => o.Key)).toContain(
      `${sharedPrefix(demo.sub, noFace.photoId)}display.webp`,
    );

    const after = await api<Page<PhotoSummary>>("/photos?status=rejected", { token: tokens.support });
    expect(after.body.items.map((p) => p.photoId)).not.toContain(noFace.photoId);
  });

  it("support disables and re-enables the demo user (the user pool itself says so)", async () => {
    const enabledInPool = async () =>
      (
        await idp.send(
          new AdminGetUserCommand({ UserPoolId: local.emulators.pool.userPoolId, Username: demo.sub }),
        )
      ).Enabled;
    const disabled = await api<{ user: UserSummary }>(`/users/${demo.sub}/disable`, {
      method: "POST",
      token: tokens.support,
    });
    expect(disabled).toMatchObject({ status: 200, body: { user: { enabled: false } } });
    // cognito-local still lets a disabled user sign in (AWS refuses): the pool's flag is what counts here.
    expect(await enabledInPool()).toBe(false);
    const detail = await api<UserDetail>(`/users/${demo.sub}`, { token: tokens.support });
    expect(detail.body).toMatchObject({ enabled: false, email: demo.email, groups: [] });
    expect(detail.body.photos.items.length).toBe(samples.length);
    const enabled = await api<{ user: UserSummary }>(`/users/${demo.sub}/enable`, {
      method: "POST",
      token: tokens.support,
    });
    expect(enabled.body.user.enabled).toBe(true);
    expect(await enabledInPool()).toBe(true);
  });

  it("finds users by email prefix and pages through all of them", async () => {
    const found = await api<Page<UserSummary>>("/users?q=demo", { token: tokens.support });
    expect(found.body.items.map((u) => u.sub)).toEqual([demo.sub]);
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await api<Page<UserSummary>>(
        `/users?limit=1${nextToken ? `&nextToken=${nextToken}` : ""}`,
        { token: tokens.support },
      );
      expect(page.body.items).toHaveLength(1);
      seen.push(page.body.items[0]!.sub);
      nextToken = page.body.nextToken;
    } while (nextToken);
    expect(seen.sort()).toEqual(local.users.map((u) => u.sub).sort());
  });

  it("support may not add anyone to support (admins only)", async () => {
    const refused = await api<ErrorBody>(`/users/${demo.sub}/groups/support`, {
      method: "PUT",
      token: tokens.support,
    });
    expect(refused.status).toBe(403);
  });

  it("the audit log shows each action with its actor, before and after", async () => {
    const log = await api<Page<AuditItem>>(`/audit?actor=${support.sub}`, { token: tokens.support });
    expect(log.body.items.map((e) => e.action)).toEqual(["user.enable", "user.disable", "photo.approve"]);
    const [enable, disable, approve] = log.body.items;
    expect(disable).toMatchObject({
      target: `user/${demo.sub}`,
      before: { enabled: true },
      after: { enabled: false },
    });
    expect(enable).toMatchObject({ before: { enabled: false }, after: { enabled: true } });
    expect(approve).toMatchObject({ before: { status: "rejected" }, after: { status: "approved" } });
    const byTarget = await api<Page<AuditItem>>(`/audit?target=user/${demo.sub}`, { token: tokens.support });
    expect(byTarget.body.items.map((e) => e.action)).toEqual(["user.enable", "user.disable"]);
    const today = await api<Page<AuditItem>>("/audit", { token: tokens.support });
    expect(today.body.items).toHaveLength(3);
  });

  it("reject: the message to the user reaches status.json, the internal note never does; the review queue empties and Undo refills it", async () => {
    const twoPeople = samples.find((s) => s.expect.includes("MULTIPLE_FACES"))!;
    const queue = await api<Page<PhotoSummary>>("/photos?queue=review", { token: tokens.support });
    const queued = queue.body.items.find((p) => p.photoId === twoPeople.photoId);
    expect(queued).toMatchObject({
      needsReview: true,
      ownerEmail: demo.email,
      reasonCodes: ["MULTIPLE_FACES"],
    });
    const created = queue.body.items.map((p) => p.createdAt);
    expect(created).toEqual([...created].sort());
    const count = await api<{ count: number }>("/review/count", { token: tokens.support });
    expect(count.body.count).toBe(queue.body.items.length);

    const claim = await api<{ mine: boolean; reviewClaim: { by: string; email?: string } }>(
      `/photos/${demo.sub}/${twoPeople.photoId}/claim`,
      { method: "POST", token: tokens.support },
    );
    expect(claim.body).toMatchObject({ mine: true, reviewClaim: { by: support.sub, email: support.email } });

    const note = "INTERNAL-ONLY: second face is a poster, owner asked twice";
    const message = "Please upload a photo with only you in it.";
    const rejected = await api<PhotoRecord>(`/photos/${demo.sub}/${twoPeople.photoId}/reject`, {
      method: "POST",
      token: tokens.support,
      body: { note, message },
    });
    expect(rejected.status).toBe(200);
    // No code given: the photo's current one stays.
    expect(rejected.body.reasons).toEqual([{ code: "MULTIPLE_FACES", message }]);
    const status = await s3.send(
      new GetObjectCommand({
        Bucket: local.emulators.names.bucket,
        Key: statusKey(demo.sub, twoPeople.photoId),
      }),
    );
    const published = await status.Body!.transformToString();
    expect(published).toContain(message);
    expect(published).not.toContain("INTERNAL-ONLY");
    const log = await api<Page<AuditItem>>(
      `/audit?actor=${encodeURIComponent(support.email)}&action=photo.reject`,
      { token: tokens.support },
    );
    expect(log.body.items[0]).toMatchObject({
      action: "photo.reject",
      actorEmail: support.email,
      targetEmail: demo.email,
      after: { note },
    });

    const after = await api<Page<PhotoSummary>>("/photos?queue=review", { token: tokens.support });
    expect(after.body.items.map((p) => p.photoId)).not.toContain(twoPeople.photoId);
    const undo = await api<PhotoRecord>(`/photos/${demo.sub}/${twoPeople.photoId}/restore`, {
      method: "POST",
      token: tokens.support,
    });
    expect(undo.body).toMatchObject({ status: "rejected", reasons: [{ code: "MULTIPLE_FACES" }] });
    const again = await api<Page<PhotoSummary>>("/photos?queue=review", { token: tokens.support });
    expect(again.body.items.map((p) => p.photoId)).toContain(twoPeople.photoId);
  });

  it("finds users by any part of e-mail or sub, with state and group filters", async () => {
    const byDomain = await api<Page<UserSummary>>("/users?q=photogate.local&sort=email", {
      token: tokens.support,
    });
    expect(byDomain.body.items.map((u) => u.email)).toEqual(local.users.map((u) => u.email).sort());
    const bySub = await api<Page<UserSummary>>(`/users?q=${demo.sub.slice(9, 18)}`, {
      token: tokens.support,
    });
    expect(bySub.body.items.map((u) => u.sub)).toEqual([demo.sub]);
    const staff = await api<Page<UserSummary>>("/users?group=support", { token: tokens.support });
    expect(staff.body.items.map((u) => u.sub)).toContain(support.sub);
    expect(staff.body.items.map((u) => u.sub)).not.toContain(demo.sub);
    const bad = await api<ErrorBody>("/audit?day=27/11/2026", { token: tokens.support });
    expect(bad.body.error.fields?.[0]).toMatchObject({
      path: "query.day",
      message: "must be a date as YYYY-MM-DD",
    });
  });
});
