import type { ServerResponse } from "node:http";
import { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VerdictReadError, VerdictTimeoutError } from "../src/errors";
import { type WaitForVerdictOptions, waitForVerdict } from "../src/wait-for-verdict";
import {
  json,
  OWNER,
  PHOTO,
  type ScriptedServer,
  STATUS_PATH,
  xmlError as s3Error,
  s3Missing,
  startScriptedServer,
  verdict,
} from "./support";

/**
 * waitForVerdict against a real HTTP server that misbehaves on purpose, standing in for
 * CloudFront (fetch) or S3 (the SDK): 5xx, 429, resets and refusals, scripted per request.
 */
let server: ScriptedServer;
const clients: S3Client[] = [];

beforeAll(async () => {
  server = await startScriptedServer();
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await server.close();
});

type Step = (res: ServerResponse) => void;
/** Answers with each step in turn, then repeats the last one. */
function script(...steps: Step[]) {
  server.requests = [];
  server.answer = (_req, res) => (steps.length > 1 ? steps.shift()! : steps[0]!)(res);
}

const reset: Step = (res) => res.socket?.destroy();
const final: Step = (res) => json(res, 200, verdict(2, "approved"));
const cloudfront = (accessToken: string | (() => string) = () => "access-token") => ({
  kind: "cloudfront" as const,
  baseUrl: server.url,
  accessToken,
});
const fast: WaitForVerdictOptions = { initialDelayMs: 5, maxDelayMs: 20 };

/**
 * A 3 s deadline on the fake clock, polling every second: the requests are real, and each gets
 * at least a second of real time (the rest of the deadline), however loaded the machine is.
 */
const fakeDeadline = (): WaitForVerdictOptions => ({
  ...fakeTime().options,
  initialDelayMs: 1000,
  maxDelayMs: 1000,
  timeoutMs: 3000,
});

/** A fake clock that the injected sleep advances, so pauses are recorded instead of waited. */
function fakeTime(random = () => 1) {
  let clock = 1_000_000;
  const pauses: number[] = [];
  return {
    pauses,
    options: {
      now: () => clock,
      sleep: async (ms: number) => {
        pauses.push(ms);
        clock += ms;
      },
      random,
    } satisfies WaitForVerdictOptions,
  };
}

describe("waitForVerdict through CloudFront", () => {
  it("keeps polling while the document is missing or not final, then returns the final verdict", async () => {
    script(
      s3Missing,
      (res) => res.writeHead(404, { "content-type": "application/xml" }).end("<Error/>"),
      (res) => json(res, 200, verdict(1, "failed", false)),
      final,
    );
    const seen: number[] = [];
    const result = await waitForVerdict(cloudfront(), OWNER, PHOTO, {
      ...fast,
      onVerdict: (v) => seen.push(v.version),
    });
    expect(result).toMatchObject({ version: 2, status: "approved", final: true });
    expect(seen).toEqual([1, 2]);
    expect(server.requests.map((r) => [r.method, r.url, r.authorization])).toEqual(
      Array(4).fill(["GET", STATUS_PATH, "Bearer access-token"]),
    );
  });

  it("with afterVersion, waits past an older final verdict (after asking for a reprocess)", async () => {
    script(
      (res) => json(res, 200, verdict(1, "approved")),
      (res) => json(res, 200, verdict(1, "approved")),
      final,
    );
    expect((await waitForVerdict(cloudfront(), OWNER, PHOTO, { ...fast, afterVersion: 1 })).version).toBe(2);
  });

  it("rides out 502, 503, 429 and a connection reset, and returns the verdict", async () => {
    script(
      (res) => res.writeHead(502, { "content-type": "text/html" }).end("<h1>502 Bad Gateway</h1>"),
      s3Error(503, "SlowDown", { "retry-after": "0" }),
      (res) => json(res, 429, { code: "TOO_MANY_REQUESTS", message: "slow down" }),
      reset,
      s3Missing,
      final,
    );
    const result = await waitForVerdict(cloudfront(), OWNER, PHOTO, { ...fast, timeoutMs: 30_000 });
    expect(result).toMatchObject({ version: 2, status: "approved" });
    expect(server.requests).toHaveLength(6);
  });

  it("ends with a VerdictTimeoutError naming the last error when it meets only errors", async () => {
    script(s3Error(503, "SlowDown"));
    const error = await waitForVerdict(cloudfront(), OWNER, PHOTO, fakeDeadline()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerdictTimeoutError);
    expect(error).toMatchObject({
      code: "VERDICT_TIMEOUT",
      lastError: { status: 503, code: "SlowDown", message: "SlowDown for the test" },
    });
    expect((error as Error).message).toContain("last error: HTTP 503 SlowDown: SlowDown for the test");
    expect(server.requests.length).toBeGreaterThan(1);
  });

  it("names a reset as the last error when the connection is all it gets", async () => {
    script(reset);
    const error = await waitForVerdict(cloudfront(), OWNER, PHOTO, fakeDeadline()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerdictTimeoutError);
    const lastError = (error as VerdictTimeoutError).lastError;
    expect(lastError?.status).toBeUndefined();
    // undici names a peer's reset UND_ERR_SOCKET ("other side closed").
    expect(lastError?.code).toMatch(/^(UND_ERR_SOCKET|ECONNRESET)$/);
    expect((error as Error).message).toMatch(/last error: no response \w+/);
  });

  it("gives a VerdictTimeoutError naming the last state when no final verdict comes in time", async () => {
    script((res) => json(res, 200, verdict(3, "failed", false)));
    const error = await waitForVerdict(cloudfront(), OWNER, PHOTO, fakeDeadline()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerdictTimeoutError);
    expect(error).toMatchObject({
      last: { status: "failed", version: 3, final: false },
      lastError: undefined,
    });
    expect((error as Error).message).toMatch(/after 3 s \(last seen: failed, version 3, not final\)/);
  });

  it("does not hang on a server that never answers: the request is cut at the deadline", async () => {
    script(() => {});
    const error = await waitForVerdict(cloudfront(), OWNER, PHOTO, { ...fast, timeoutMs: 300 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VerdictTimeoutError);
    expect((error as Error).message).toContain("the last request timed out");
  });

  it("asks the token getter again after a 401, and goes on with the fresh token", async () => {
    const tokens = ["expired-token", "fresh-token"];
    script((res) => json(res, 401, { code: "TOKEN_EXPIRED", message: "expired" }), final);
    const result = await waitForVerdict(
      cloudfront(() => tokens.shift() ?? "fresh-token"),
      OWNER,
      PHOTO,
      fast,
    );
    expect(result.version).toBe(2);
    expect(server.requests.map((r) => r.authorization)).toEqual([
      "Bearer expired-token",
      "Bearer fresh-token",
    ]);
  });

  it.each([
    ["a 401 even with a fresh token", 401, { code: "TOKEN_EXPIRED", message: "expired" }, 2],
    ["a static token the edge refuses (401)", 401, { code: "TOKEN_EXPIRED", message: "expired" }, 1],
    [
      "the edge refusing another user's verdict (403 JSON)",
      403,
      { code: "FORBIDDEN", message: "not yours" },
      1,
    ],
    ["a 400", 400, { code: "BAD_REQUEST", message: "bad path" }, 1],
  ])("fails at once, without waiting, on %s", async (name, status, body, requests) => {
    script((res) => json(res, status, body));
    const transport = name.startsWith("a static") ? cloudfront("static-token") : cloudfront();
    const error = await waitForVerdict(transport, OWNER, PHOTO, { ...fast, timeoutMs: 60_000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VerdictReadError);
    expect(error).toMatchObject({ status, code: "VERDICT_UNREADABLE" });
    expect(server.requests).toHaveLength(requests);
  });

  it("refuses a document that is not a verdict, and a baseUrl that is not a URL", async () => {
    script((res) => json(res, 200, { status: "approved" }));
    await expect(waitForVerdict(cloudfront(), OWNER, PHOTO, fast)).rejects.toBeInstanceOf(VerdictReadError);
    const notUrl = { kind: "cloudfront" as const, baseUrl: "not a url", accessToken: "t" };
    await expect(waitForVerdict(notUrl, OWNER, PHOTO, fast)).rejects.toThrow(/"not a url" is not a URL/);
  });
});

describe("waitForVerdict's backoff (clock, sleep and jitter injected)", () => {
  it("doubles the cap after each failure and draws the pause below it (full jitter)", async () => {
    script(s3Error(500, "InternalError"));
    const time = fakeTime(() => 0.5);
    const error = await waitForVerdict(cloudfront(), OWNER, PHOTO, {
      ...time.options,
      initialDelayMs: 100,
      maxDelayMs: 1000,
      timeoutMs: 5_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerdictTimeoutError);
    // Caps 200, 400, 800, 1600, then 2000 (twice maxDelayMs); half of each with random() = 0.5.
    expect(time.pauses.slice(0, 6)).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("waits as long as Retry-After asks, but never past its own deadline", async () => {
    script(
      s3Error(503, "SlowDown", { "retry-after": "3" }),
      s3Error(429, "SlowDown", { "retry-after": "120" }),
    );
    const time = fakeTime(() => 0);
    const error = await waitForVerdict(cloudfront(), OWNER, PHOTO, {
      ...time.options,
      timeoutMs: 10_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerdictTimeoutError);
    expect(time.pauses).toEqual([3_000, 7_000]);
    expect((error as VerdictTimeoutError).lastError).toMatchObject({ status: 429, code: "SlowDown" });
  });

  it("goes back to the polling pace once a read succeeds again", async () => {
    script(s3Error(502, "BadGateway"), s3Error(502, "BadGateway"), s3Missing, s3Missing, final);
    const time = fakeTime(() => 1);
    await waitForVerdict(cloudfront(), OWNER, PHOTO, {
      ...time.options,
      initialDelayMs: 100,
      maxDelayMs: 1000,
    });
    expect(time.pauses).toEqual([200, 400, 100, 150]);
  });
});

describe("waitForVerdict through S3 with the SDK", () => {
  const s3 = () => {
    const client = new S3Client({
      endpoint: server.url,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "ASIATEST", secretAccessKey: "secret", sessionToken: "token" },
      // The SDK's own retries would hide what waitForVerdict does.
      maxAttempts: 1,
    });
    clients.push(client);
    return { kind: "s3" as const, s3: client, bucket: "photos-bucket" };
  };

  it("rides out 500, 503, a reset and a missing key, and returns the verdict", async () => {
    script(s3Error(500, "InternalError"), s3Error(503, "SlowDown"), reset, s3Missing, final);
    const result = await waitForVerdict(s3(), OWNER, PHOTO, { ...fast, timeoutMs: 30_000 });
    expect(result).toMatchObject({ version: 2, status: "approved" });
    expect(server.requests.map((r) => r.url.split("?")[0])).toEqual(
      Array(5).fill(`/photos-bucket${STATUS_PATH}`),
    );
  });

  it("fails at once on a 400, and times out naming S3's error code when only errors come", async () => {
    script(s3Error(400, "InvalidRequest"));
    await expect(waitForVerdict(s3(), OWNER, PHOTO, fast)).rejects.toMatchObject({
      name: "VerdictReadError",
      status: 400,
    });
    expect(server.requests).toHaveLength(1);

    script(s3Error(503, "SlowDown"));
    const error = await waitForVerdict(s3(), OWNER, PHOTO, fakeDeadline()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerdictTimeoutError);
    expect((error as VerdictTimeoutError).lastError).toMatchObject({ status: 503, code: "SlowDown" });
  });
});
