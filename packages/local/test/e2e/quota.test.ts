import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { GetObjectTaggingCommand, S3Client } from "@aws-sdk/client-s3";
import type { UserUsage } from "@photogate/core";
import { scene, signIn } from "@photogate/local-emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANY_FREE_PORTS, type DevStackEndpoints, type DevStackUser } from "../../src/endpoints";
import { METRICS_FILE } from "../../src/operations";
import { findUser, signInLocalUser } from "../../src/seed";
import { type DevStack, startDevStack } from "../../src/stack";
import { uploadThroughEdge, waitForVerdict } from "../../src/upload";

/** The per-user quota through the real local stack: edge, S3, processor, DynamoDB, admin API. */
let stack: DevStack;
let endpoints: DevStackEndpoints;
let dataDir: string;
let demo: DevStackUser;
let demoToken: string;
let supportToken: string;
let adminToken: string;
let image: Buffer;
const alarms: string[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "photogate-e2e-quota-"));
  stack = await startDevStack({
    dataDir,
    ports: ANY_FREE_PORTS,
    quota: { daily: { uploads: 2, bytes: 50 * 1024 * 1024 } },
    alarm: (line) => alarms.push(line),
  });
  endpoints = stack.endpoints;
  demo = findUser(endpoints, "demo");
  demoToken = (await signInLocalUser(endpoints, demo)).accessToken;
  // The admin API's authorizer takes the admin app client's tokens only.
  const idp = new CognitoIdentityProviderClient({
    endpoint: endpoints.urls.cognitoIdp,
    region: endpoints.region,
    credentials: endpoints.serviceCredentials,
  });
  const adminAppToken = async (name: string) => {
    const user = findUser(endpoints, name);
    return (await signIn(idp, endpoints.userPool.adminClientId, user.email, user.password)).accessToken;
  };
  supportToken = await adminAppToken("support");
  adminToken = await adminAppToken("admin");
  idp.destroy();
  image = (await scene([])).jpeg;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function upload() {
  const photoId = randomUUID();
  await uploadThroughEdge(endpoints.urls.edge, demoToken, {
    owner: demo.sub,
    photoId,
    extension: "jpg",
    body: image,
  });
  const verdict = await waitForVerdict(
    demo.sub,
    photoId,
    { edgeUrl: endpoints.urls.edge, accessToken: demoToken },
    { timeoutMs: 60_000 },
  );
  return { photoId, verdict };
}

const adminApi = (token: string, path: string, init: RequestInit = {}) =>
  fetch(`${endpoints.urls.adminApi}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
  });

describe("the upload quota through the local stack", () => {
  it("refuses the upload over quota with the reason and reset time; support sees the usage; an admin's raise applies next", async () => {
    for (let i = 0; i < 2; i++) {
      const { verdict } = await upload();
      expect(verdict.reasons.map((r) => r.code)).not.toContain("QUOTA_EXCEEDED");
    }
    const { photoId, verdict } = await upload();
    expect(verdict.status).toBe("rejected");
    const tomorrow = new Date();
    tomorrow.setUTCHours(24, 0, 0, 0);
    expect(verdict.reasons).toEqual([
      expect.objectContaining({
        code: "QUOTA_EXCEEDED",
        measured: 3,
        threshold: 2,
        resetsAt: tomorrow.toISOString(),
      }),
    ]);
    expect(verdict.reasons[0]?.message).toContain(tomorrow.toISOString());

    // The original carries its outcome for the lifecycle rules.
    const s3 = new S3Client({
      endpoint: endpoints.urls.s3,
      region: endpoints.region,
      credentials: endpoints.serviceCredentials,
      forcePathStyle: true,
    });
    const tags = await s3.send(
      new GetObjectTaggingCommand({ Bucket: endpoints.bucket, Key: `uploads/${demo.sub}/${photoId}.jpg` }),
    );
    s3.destroy();
    expect(tags.TagSet).toEqual([{ Key: "photogate-outcome", Value: "rejected" }]);

    const seen = await adminApi(supportToken, `/users/${demo.sub}/usage`);
    expect(seen.status).toBe(200);
    const usage = (await seen.json()) as UserUsage;
    expect(usage.day).toMatchObject({ uploads: 2, limit: { uploads: 2 }, resetsAt: tomorrow.toISOString() });

    const body = JSON.stringify({
      daily: { uploads: 3, bytes: 50 * 1024 * 1024 },
      reason: "demo needs one more",
    });
    expect((await adminApi(supportToken, `/users/${demo.sub}/quota`, { method: "PUT", body })).status).toBe(
      403,
    );
    expect((await adminApi(adminToken, `/users/${demo.sub}/quota`, { method: "PUT", body })).status).toBe(
      200,
    );
    const next = await upload();
    expect(next.verdict.reasons.map((r) => r.code)).not.toContain("QUOTA_EXCEEDED");

    expect(alarms.filter((l) => l.startsWith("alarm  quota-refusals"))).toHaveLength(1);
    const metrics = (await readFile(join(dataDir, METRICS_FILE), "utf8")).trim().split("\n");
    expect(metrics.some((l) => JSON.parse(l).QuotaRefusals === 1)).toBe(true);
  }, 180_000);
});
