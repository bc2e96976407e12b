import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import {
  OwnPhotoReportError,
  ReportedPhotoNotApprovedError,
  ReportedPhotoNotFoundError,
  reportPhoto,
} from "@photogate/client";
import type { Page, PhotoRecord, PhotoSummary } from "@photogate/core";
import { portraitScene, scene, signIn } from "@photogate/local-emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANY_FREE_PORTS, type DevStackUser } from "../../src/endpoints";
import { findUser, signInLocalUser } from "../../src/seed";
import { type DevStack, startDevStack } from "../../src/stack";
import { uploadThroughEdge, waitForVerdict } from "../../src/upload";

/**
 * Reporting through the real local stack: user B (support's upload-app account, an ordinary
 * signed-in user here) reports user A's (demo's) approved photo with the client; the admin API
 * behind its user route writes the report to DynamoDB, and support sees it in the review queue.
 */
let stack: DevStack;
let dataDir: string;
let demo: DevStackUser;
let reporter: DevStackUser;
let demoToken: string;
let reporterToken: string;
let supportAdminToken: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "photogate-e2e-report-"));
  stack = await startDevStack({ dataDir, ports: ANY_FREE_PORTS });
  demo = findUser(stack.endpoints, "demo");
  reporter = findUser(stack.endpoints, "support");
  demoToken = (await signInLocalUser(stack.endpoints, demo)).accessToken;
  reporterToken = (await signInLocalUser(stack.endpoints, reporter)).accessToken;
  const idp = new CognitoIdentityProviderClient({
    endpoint: stack.endpoints.urls.cognitoIdp,
    region: stack.endpoints.region,
    credentials: stack.endpoints.serviceCredentials,
  });
  try {
    const adminClient = stack.endpoints.userPool.adminClientId;
    supportAdminToken = (await signIn(idp, adminClient, reporter.email, reporter.password)).accessToken;
  } finally {
    idp.destroy();
  }
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function demoPhoto(body: Buffer) {
  const photoId = randomUUID();
  const edgeUrl = stack.endpoints.urls.edge;
  await uploadThroughEdge(edgeUrl, demoToken, { owner: demo.sub, photoId, extension: "jpg", body });
  const verdict = await waitForVerdict(
    demo.sub,
    photoId,
    { edgeUrl, accessToken: demoToken },
    { timeoutMs: 60_000 },
  );
  return { photoId, status: verdict.status };
}

const as = (accessToken: string) => ({ baseUrl: stack.endpoints.urls.adminApi, accessToken });

async function support<T>(path: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(`${stack.endpoints.urls.adminApi}${path}`, {
    method: init.method ?? "GET",
    headers: {
      authorization: `Bearer ${supportAdminToken}`,
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

describe("reporting a photo through the local stack", () => {
  it("user B's report of user A's approved photo puts it in the review queue with the reason, once", async () => {
    const { photoId, status } = await demoPhoto((await portraitScene()).jpeg);
    expect(status).toBe("approved");
    const report = {
      owner: demo.sub,
      photoId,
      reason: "IMPERSONATION" as const,
      comment: "This is me, not them",
    };
    expect(await reportPhoto(as(reporterToken), report)).toEqual({ owner: demo.sub, photoId, counted: true });
    // The same user again: accepted, not counted (the emulator's conditional write decides).
    expect(await reportPhoto(as(reporterToken), { ...report, reason: "SPAM" })).toMatchObject({
      counted: false,
    });

    const queue = await support<Page<PhotoSummary>>("/photos?queue=review");
    const card = queue.body.items.find((p) => p.photoId === photoId);
    expect(card).toMatchObject({
      status: "approved",
      needsReview: true,
      reports: { count: 1, reasons: [{ reason: "IMPERSONATION", count: 1 }] },
    });
    // The comment reaches support through the audit log, with the reporter as actor.
    const audit = await support<Page<{ action: string; actor: string; after: unknown }>>(
      `/audit?target=${encodeURIComponent(`photo/${demo.sub}/${photoId}`)}&action=photo.report`,
    );
    expect(audit.body.items).toHaveLength(2);
    expect(audit.body.items.every((e) => e.actor === reporter.sub)).toBe(true);
    expect(audit.body.items.map((e) => e.after)).toContainEqual({
      reason: "IMPERSONATION",
      comment: "This is me, not them",
      counted: true,
    });

    // Support keeps it: it leaves the queue, stays approved, and its reports are handled.
    const approved = await support<PhotoRecord>(`/photos/${demo.sub}/${photoId}/approve`, {
      method: "POST",
      body: { reason: "Same person as the profile" },
    });
    expect(approved).toMatchObject({ status: 200, body: { status: "approved" } });
    const after = await support<PhotoRecord>(`/photos/${demo.sub}/${photoId}`);
    expect(after.body.reviewQueue).toBeUndefined();
    expect(after.body.openReports).toBeUndefined();
    expect(after.body.reportsHandled).toMatchObject({
      outcome: "kept",
      reports: [{ reason: "IMPERSONATION" }],
    });
    const emptied = await support<Page<PhotoSummary>>("/photos?queue=review");
    expect(emptied.body.items.map((p) => p.photoId)).not.toContain(photoId);
  }, 120_000);

  it("refuses the owner's own photo, a missing photo and a photo that is not approved, each with its own error", async () => {
    const { photoId: approved } = await demoPhoto((await portraitScene()).jpeg);
    const { photoId: rejected, status } = await demoPhoto((await scene([])).jpeg);
    expect(status).toBe("rejected");
    const reason = "SPAM" as const;
    await expect(
      reportPhoto(as(demoToken), { owner: demo.sub, photoId: approved, reason }),
    ).rejects.toBeInstanceOf(OwnPhotoReportError);
    await expect(
      reportPhoto(as(reporterToken), { owner: demo.sub, photoId: randomUUID(), reason }),
    ).rejects.toBeInstanceOf(ReportedPhotoNotFoundError);
    await expect(
      reportPhoto(as(reporterToken), { owner: demo.sub, photoId: rejected, reason }),
    ).rejects.toBeInstanceOf(ReportedPhotoNotApprovedError);
    // An admin-client token is not for this route: the user route's authorizer answers 401.
    await expect(
      reportPhoto(as(supportAdminToken), { owner: demo.sub, photoId: approved, reason }),
    ).rejects.toMatchObject({ status: 401, code: "UNAUTHORIZED" });
  }, 120_000);
});
