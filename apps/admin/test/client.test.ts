import { describe, expect, it, vi } from "vitest";
import { ApiError, createAdminClient, errorMessage } from "../src/api/client";

const OWNER = "0a1b2c3d-0000-4000-8000-000000000001";
const PHOTO = "0a1b2c3d-0000-4000-8000-000000000002";

interface Recorded {
  url: string;
  method: string;
  headers: Headers;
  body: string | undefined;
}

function fakeApi(responses: (Response | Error)[]) {
  const calls: Recorded[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({
      url: String(input),
      method: init?.method ?? "GET",
      headers: new Headers(init?.headers),
      body: init?.body as string | undefined,
    });
    const next = responses.shift();
    if (!next) throw new Error("no more responses");
    if (next instanceof Error) throw next;
    return next;
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

function client(responses: (Response | Error)[], tokens = ["token-1", "token-2"]) {
  const api = fakeApi(responses);
  const getToken = vi.fn(async (_options?: { forceRefresh?: boolean }) => tokens.shift());
  const onUnauthenticated = vi.fn();
  const c = createAdminClient({
    apiUrl: "https://admin.example.com/api",
    getToken,
    onUnauthenticated,
    fetch: api.fetch,
  });
  return { c, api, getToken, onUnauthenticated };
}

const user = { sub: OWNER, username: OWNER, email: "demo@example.com", status: "CONFIRMED", enabled: true };

describe("admin API client", () => {
  it("builds the URL from the route table, with the query's defaults, and sends the bearer token", async () => {
    const { c, api } = client([json(200, { items: [user], nextToken: "abc" })]);
    const page = await c.call("searchUsers", { query: { q: "demo@", by: "email" } });
    expect(page.items[0]?.email).toBe("demo@example.com");
    expect(page.nextToken).toBe("abc");
    const [call] = api.calls;
    const url = new URL(call!.url);
    expect(url.origin + url.pathname).toBe("https://admin.example.com/api/users");
    expect(Object.fromEntries(url.searchParams)).toEqual({ q: "demo@", by: "email", limit: "25" });
    expect(call!.method).toBe("GET");
    expect(call!.headers.get("authorization")).toBe("Bearer token-1");
  });

  it("fills path parameters and sends a JSON body for actions", async () => {
    const record = {
      owner: OWNER,
      photoId: PHOTO,
      uploadKey: `uploads/${OWNER}/${PHOTO}.jpg`,
      status: "approved",
      reasons: [],
      bytes: 10,
      thumbnails: [],
      moderationLabels: [],
      createdAt: "2026-01-01T00:00:00Z",
      attempts: 1,
      sourceETag: "e",
      sourceSequencer: "s",
    };
    const { c, api } = client([json(200, record)]);
    const result = await c.call("approvePhoto", {
      params: { owner: OWNER, photoId: PHOTO },
      body: { reason: "looks fine" },
    });
    expect(result.status).toBe("approved");
    expect(api.calls[0]!.url).toBe(`https://admin.example.com/api/photos/${OWNER}/${PHOTO}/approve`);
    expect(api.calls[0]!.method).toBe("POST");
    expect(api.calls[0]!.headers.get("content-type")).toBe("application/json");
    expect(JSON.parse(api.calls[0]!.body!)).toEqual({ reason: "looks fine" });
  });

  it("refuses a request that breaks the contract before anything is sent", async () => {
    const { c, api } = client([]);
    const bad = c.call("approvePhoto", { params: { owner: OWNER, photoId: PHOTO }, body: { reason: "  " } });
    await expect(bad).rejects.toMatchObject({ code: "INVALID_REQUEST", status: 0 });
    await bad.catch((e: ApiError) => {
      expect(e.fields.map((f) => f.path)).toContain("body.reason");
      expect(e.message).toMatch(
        /^Invalid body for POST \/photos\/{owner}\/{photoId}\/approve:\n✖ .+\n\s+→ at reason$/,
      );
    });
    await expect(c.call("getUser", { params: { sub: "not-a-uuid" } })).rejects.toMatchObject({
      code: "INVALID_REQUEST",
    });
    // PhotoListQuery wants exactly one of status or owner.
    await expect(c.call("listPhotos", { query: {} })).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    expect(api.calls).toHaveLength(0);
  });

  it("turns the API's error body into an ApiError with its stable code, fields and request id", async () => {
    const { c } = client([
      json(409, {
        error: {
          code: "PHOTO_IN_PROGRESS",
          message: "The photo is being processed; its lease ends in 42 s.",
          requestId: "req-1",
        },
      }),
    ]);
    const error = await c.call("getUser", { params: { sub: OWNER } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "PHOTO_IN_PROGRESS", status: 409, requestId: "req-1" });
    // The API's message says how long until the photo can be taken over.
    expect(errorMessage(error)).toMatch(/lease ends in 42 s/);
  });

  it("rejects a success body that does not match the route's response schema", async () => {
    const { c } = client([json(200, { items: [{ sub: OWNER }] })]);
    const error = await c.call("searchUsers").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "UNEXPECTED_RESPONSE", status: 200 });
    expect((error as ApiError).message).toMatch(/does not match the contract:\n✖ .+\n\s+→ at items\[0\]\./);
  });

  it("retries once with a refreshed token after a 401, then gives up and ends the session", async () => {
    const ok = client([json(401, { message: "Unauthorized" }), json(200, { items: [] })]);
    await expect(ok.c.call("searchUsers")).resolves.toEqual({ items: [] });
    expect(ok.getToken.mock.calls.map((args) => args[0])).toEqual([
      { forceRefresh: false },
      { forceRefresh: true },
    ]);
    expect(ok.api.calls[1]!.headers.get("authorization")).toBe("Bearer token-2");
    expect(ok.onUnauthenticated).not.toHaveBeenCalled();

    const refused = client([json(401, { message: "Unauthorized" }), json(401, { message: "Unauthorized" })]);
    await expect(refused.c.call("searchUsers")).rejects.toMatchObject({
      code: "UNAUTHENTICATED",
      status: 401,
    });
    expect(refused.onUnauthenticated).toHaveBeenCalledOnce();
  });

  it("does not call the API without a token", async () => {
    const { c, api } = client([], []);
    await expect(c.call("searchUsers")).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    expect(api.calls).toHaveLength(0);
  });

  it("reports an unreachable API as NETWORK and a non-JSON error page by its status", async () => {
    const down = client([new TypeError("fetch failed")]);
    await expect(down.c.call("searchUsers")).rejects.toMatchObject({ code: "NETWORK", status: 0 });
    const gateway = client([
      new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" }),
    ]);
    await expect(gateway.c.call("searchUsers")).rejects.toMatchObject({
      code: "UNEXPECTED_RESPONSE",
      status: 502,
    });
  });
});
