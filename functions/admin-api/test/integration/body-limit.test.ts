import { Agent, request } from "node:http";
import type { ErrorBody } from "@photogate/core";
import { startTestTokenIssuer, type TestTokenIssuer } from "@photogate/local-emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdminApiDeps, createLogger } from "../../src/index";
import { type AdminApiServer, MAX_BODY_BYTES, startAdminApiServer } from "../../src/local/server";

/**
 * The local admin API's body limit, which is API Gateway's HTTP API payload limit (10 MB):
 * bodies up to it reach the handler, larger ones get a 413 the client can read, on a connection
 * that stays usable. Only the authorizer and the request parsing run; no AWS service is needed.
 */
const CLIENT_ID = "admin-app-client";
const SUB = "3f2b8c1d-5e6a-4b7c-8d9e-0f1a2b3c4d5e";
const MB = 1024 * 1024;

let issuer: TestTokenIssuer;
let api: AdminApiServer;
let token: string;

beforeAll(async () => {
  issuer = await startTestTokenIssuer();
  api = await startAdminApiServer({
    region: "us-east-1",
    userPool: { issuer: issuer.issuer, jwksUri: issuer.jwksUri, adminClientId: CLIENT_ID },
    // Requests here fail validation before any route touches AWS.
    deps: { log: createLogger(() => {}) } as unknown as AdminApiDeps,
  });
  token = issuer.token({ sub: SUB, aud: CLIENT_ID, token_use: "id", "cognito:groups": ["support"] });
});

afterAll(async () => {
  await api?.close();
  await issuer?.close();
});

/**
 * A JSON array of exactly `bytes` bytes: it parses only when it arrived whole, and no route
 * takes an array, so the handler's 400 names `body` whatever the route's schema is.
 */
function jsonOfSize(bytes: number): string {
  return `["${"x".repeat(bytes - 4)}"]`;
}

async function post(body: string): Promise<{ status: number; body: ErrorBody }> {
  const response = await fetch(`${api.url}/users/${SUB}/disable`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body,
  });
  return { status: response.status, body: (await response.json()) as ErrorBody };
}

function postOn(
  agent: Agent,
  body: string,
): Promise<{ status: number; body: ErrorBody; reusedSocket: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${api.url}/users/${SUB}/disable`,
      {
        agent,
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString()) as ErrorBody,
            reusedSocket: req.reusedSocket,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("the local admin API's body limit", () => {
  it("is API Gateway's 10 MB", () => {
    expect(MAX_BODY_BYTES).toBe(10 * MB);
  });

  it.each([
    ["of 1.5 MB", 1.5 * MB],
    ["of 5 MB", 5 * MB],
    ["of exactly 10 MB", 10 * MB],
  ])("reads a body %s and hands it to the handler", async (_size, bytes) => {
    const { status, body } = await post(jsonOfSize(bytes));
    // The handler parsed the whole body and refused its shape: the body got there intact.
    expect(status).toBe(400);
    expect(body.error.code).toBe("INVALID_REQUEST");
    expect(body.error.fields?.map((f) => f.path)).toContain("body");
  });

  it("answers 10 MB + 1 byte with 413 PAYLOAD_TOO_LARGE, and the same connection serves the next request", async () => {
    // One keep-alive socket: the second request can only succeed on the connection the 413 used.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const over = await postOn(agent, jsonOfSize(10 * MB + 1));
      expect(over.status).toBe(413);
      expect(over.body.error.code).toBe("PAYLOAD_TOO_LARGE");
      expect(over.body.error.message).toContain("10 MB");

      const next = await postOn(agent, jsonOfSize(100));
      expect([next.status, next.body.error.code, next.reusedSocket]).toEqual([400, "INVALID_REQUEST", true]);
    } finally {
      agent.destroy();
    }
  });

  it("answers 413 to an oversize body sent without a length (chunked)", async () => {
    const chunk = new TextEncoder().encode("x".repeat(MB));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 11) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await fetch(`${api.url}/users/${SUB}/disable`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as ErrorBody).error.code).toBe("PAYLOAD_TOO_LARGE");
  });
});
