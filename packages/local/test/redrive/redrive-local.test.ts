import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import type { AuditItem, DeadLetterList, Page, PhotoDetail, RedriveSummary } from "@photogate/core";
import { fixture, signIn } from "@photogate/local-emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANY_FREE_PORTS } from "../../src/endpoints";
import { findUser } from "../../src/seed";
import { type DevStack, startDevStack } from "../../src/stack";
import { uploadDirect } from "../../src/upload";

let stack: DevStack;
let dataDir: string;
let tokens: Record<"admin" | "support", string>;
/** While true, every delivery fails before the processor runs (the processor is "down"). */
let processorDown = true;

async function api<T>(path: string, token: string, body?: unknown) {
  const response = await fetch(`${stack.endpoints.urls.adminApi}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

const dlqLines = async () =>
  (await readFile(join(dataDir, "dlq.jsonl"), "utf8").catch(() => "")).split("\n").filter(Boolean);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "photogate-redrive-"));
  stack = await startDevStack({
    dataDir,
    ports: ANY_FREE_PORTS,
    async deliver(event, processor) {
      if (processorDown) throw new Error("processor unavailable");
      return processor.process(event);
    },
  });
  const idp = new CognitoIdentityProviderClient({
    endpoint: stack.endpoints.urls.cognitoIdp,
    region: stack.endpoints.region,
    credentials: stack.endpoints.serviceCredentials,
  });
  try {
    const signInAs = async (name: string) => {
      const user = findUser(stack.endpoints, name);
      return (await signIn(idp, stack.endpoints.userPool.adminClientId, user.email, user.password))
        .accessToken;
    };
    tokens = { admin: await signInAs("admin"), support: await signInAs("support") };
  } finally {
    idp.destroy();
  }
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("redrive on the local stack", () => {
  it("an event that failed every attempt is replayed by an admin once the cause is gone, and leaves the file", async () => {
    const { endpoints } = stack;
    const owner = findUser(endpoints, "demo").sub;
    const photoId = randomUUID();
    const key = await uploadDirect(
      { url: endpoints.urls.s3, region: endpoints.region, bucket: endpoints.bucket },
      endpoints.serviceCredentials,
      { owner, photoId, extension: "jpg", body: fixture("face-frontal.jpg") },
    );
    // The notifier retries twice with backoff, then dead-letters the event.
    await stack.notifications.idle();
    expect((await dlqLines()).some((line) => line.includes(photoId))).toBe(true);

    const listed = await api<DeadLetterList>("/dead-letters", tokens.admin);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([
      expect.objectContaining({ key, bucket: endpoints.bucket, error: "processor unavailable" }),
    ]);

    const refused = await api("/dead-letters/redrive", tokens.support, {});
    expect(refused.status).toBe(403);

    processorDown = false;
    const run = await api<RedriveSummary>("/dead-letters/redrive", tokens.admin, { max: 5 });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ dryRun: false, replayed: 1, failed: [], remaining: 0 });
    expect((await dlqLines()).some((line) => line.includes(photoId))).toBe(false);

    const photo = await api<PhotoDetail>(`/photos/${owner}/${photoId}`, tokens.admin);
    expect(photo.status).toBe(200);
    expect(["approved", "rejected"]).toContain(photo.body.status);

    const audit = await api<Page<AuditItem>>("/audit?target=dead-letters", tokens.admin);
    expect(audit.body.items).toEqual([
      expect.objectContaining({
        action: "dead-letters.redrive",
        actor: findUser(endpoints, "admin").sub,
        after: expect.objectContaining({ replayed: 1, keys: [key] }),
      }),
    ]);
  }, 180_000);
});
