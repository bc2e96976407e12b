import { UPLOAD_INTENT_HEADER } from "@photogate/core";
import { describe, expect, it } from "vitest";
import { createViewerRequestHandler, type RefusalLogLine } from "../../src/authorise";
import {
  accessToken,
  asResponse,
  edgeConfig,
  errorBody,
  MAX_UPLOAD_BYTES,
  OTHER,
  OWNER,
  PHOTO_ID,
  requestOf,
  uploadUri,
  viewerEvent,
} from "../support/fixtures";

function setup() {
  const logs: RefusalLogLine[] = [];
  const fetches: string[] = [];
  const handler = createViewerRequestHandler(edgeConfig(), {
    log: (line) => logs.push(line),
    fetcher: {
      fetch: async (uri) => {
        fetches.push(uri);
        throw new Error("no network in unit tests");
      },
    },
  });
  return { handler, logs, fetches };
}

function expectRefused(result: unknown, status: string, code: string) {
  const response = asResponse(result);
  expect({ status: response.status, code: errorBody(result).code }).toEqual({ status, code });
  expect(response.headers?.["content-type"]?.[0]?.value).toBe("application/json");
  expect(response.headers?.["cache-control"]?.[0]?.value).toBe("no-store");
  return response;
}

describe("uploads (QUALITY 7, 8)", () => {
  it("forwards a PUT to the owner's own upload key unchanged except for Authorization", async () => {
    const { handler, logs } = setup();
    const event = viewerEvent();
    const expected = structuredClone(requestOf(event)) as { headers: Record<string, unknown> };
    delete expected.headers.authorization;

    const result = await handler(event);

    expect(result).toEqual(expected);
    expect(result).not.toHaveProperty("headers.authorization");
    expect((result as { uri: string }).uri).toBe(`/uploads/${OWNER}/${PHOTO_ID}.jpg`);
    expect(logs).toEqual([]);
  });

  it.each([
    ["another user's upload prefix", uploadUri(OTHER)],
    ["the owner's photos/ (processor output)", `/photos/${OWNER}/${PHOTO_ID}/display.webp`],
    ["the owner's shared/ copy", `/shared/${OWNER}/${PHOTO_ID}/display.webp`],
    ["the bucket root", "/"],
    ["a top-level key", `/${PHOTO_ID}.jpg`],
    ["uploads/ itself", "/uploads"],
    ["the owner's prefix without a file", `/uploads/${OWNER}`],
    ["a nested path under the owner's prefix", `/uploads/${OWNER}/x/${PHOTO_ID}.jpg`],
    ["a photo id that is not a UUID", uploadUri(OWNER, "holiday.jpg")],
    ["an upper-case owner", uploadUri(OWNER.toUpperCase())],
    ["an extension that is not an image", uploadUri(OWNER, `${PHOTO_ID}.html`)],
    ["no extension", uploadUri(OWNER, PHOTO_ID)],
  ])("refuses PUT to %s with 403", async (_name, uri) => {
    const { handler } = setup();
    const response = expectRefused(await handler(viewerEvent({ uri })), "403", "FORBIDDEN");
    expect(response.body.length).toBeLessThan(400);
  });
});

describe("upload headers (QUALITY 11)", () => {
  it.each([
    ["text/html", "text/html"],
    ["image/svg+xml (script-capable)", "image/svg+xml"],
    ["application/octet-stream", "application/octet-stream"],
    ["an allowed type that does not match the .jpg key", "image/png"],
    ["a type with parameters", "image/jpeg; charset=utf-8"],
    ["an empty value", ""],
  ])("refuses Content-Type %s with 415", async (_name, type) => {
    const { handler } = setup();
    expectRefused(
      await handler(viewerEvent({ headers: { "content-type": type } })),
      "415",
      "UNSUPPORTED_MEDIA_TYPE",
    );
  });

  it("refuses a PUT without Content-Type, or with two, with 415", async () => {
    const { handler } = setup();
    const missing = await handler(viewerEvent({ headers: { "content-type": null } }));
    expectRefused(missing, "415", "UNSUPPORTED_MEDIA_TYPE");
    const twice = await handler(viewerEvent({ headers: { "content-type": ["image/jpeg", "text/html"] } }));
    expectRefused(twice, "415", "UNSUPPORTED_MEDIA_TYPE");
  });

  it("accepts the content type in any letter case, and each extension with its own type", async () => {
    const { handler } = setup();
    expect(await handler(viewerEvent({ headers: { "content-type": "Image/JPEG" } }))).not.toHaveProperty(
      "status",
    );
    const png = await handler(
      viewerEvent({ uri: uploadUri(OWNER, `${PHOTO_ID}.png`), headers: { "content-type": "image/png" } }),
    );
    expect(png).not.toHaveProperty("status");
  });

  it("refuses a type the config does not allow even when it matches the extension", async () => {
    const { handler } = setup();
    const gif = viewerEvent({
      uri: uploadUri(OWNER, `${PHOTO_ID}.gif`),
      headers: { "content-type": "image/gif" },
    });
    const response = expectRefused(await handler(gif), "415", "UNSUPPORTED_MEDIA_TYPE");
    expect(errorBody(response).message).toContain("image/jpeg");
  });

  it("refuses a Content-Length over the limit with 413, accepts one at the limit", async () => {
    const { handler } = setup();
    const over = await handler(viewerEvent({ headers: { "content-length": String(MAX_UPLOAD_BYTES + 1) } }));
    expectRefused(over, "413", "PAYLOAD_TOO_LARGE");
    const huge = await handler(viewerEvent({ headers: { "content-length": "999999999999999" } }));
    expectRefused(huge, "413", "PAYLOAD_TOO_LARGE");
    const atLimit = await handler(viewerEvent({ headers: { "content-length": String(MAX_UPLOAD_BYTES) } }));
    expect(atLimit).not.toHaveProperty("status");
  });

  it("refuses a PUT without Content-Length with 411", async () => {
    const { handler } = setup();
    const result = await handler(viewerEvent({ headers: { "content-length": null } }));
    expectRefused(result, "411", "LENGTH_REQUIRED");
  });

  it.each([["-1"], ["1e6"], ["12abc"], ["0x10"], [" "], ["1,000"]])(
    "refuses a malformed Content-Length %j with 400",
    async (value) => {
      const { handler } = setup();
      const result = await handler(viewerEvent({ headers: { "content-length": value } }));
      expectRefused(result, "400", "INVALID_CONTENT_LENGTH");
    },
  );

  it("checks ownership before the upload headers: another user's key with a bad type is 403", async () => {
    const { handler } = setup();
    const result = await handler(
      viewerEvent({ uri: uploadUri(OTHER), headers: { "content-type": "text/html" } }),
    );
    expectRefused(result, "403", "FORBIDDEN");
  });

  it.each([
    ["x-amz-copy-source", "photogate-prod-photos/uploads/a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d/x.jpg"],
    ["x-amz-acl", "public-read"],
    ["x-amz-website-redirect-location", "https://evil.example"],
    ["x-amz-tagging", "a=b"],
  ])("refuses an S3 control header %s with 400, before looking at the token", async (name, value) => {
    const { handler } = setup();
    const result = await handler(viewerEvent({ headers: { [name]: value }, authorization: null }));
    expectRefused(result, "400", "HEADER_NOT_ALLOWED");
  });
});

describe("the profile-picture upload intent (issue 13)", () => {
  it("forwards a PUT that carries the intent, header and all, to the origin", async () => {
    const { handler, logs } = setup();
    const result = await handler(viewerEvent({ headers: { [UPLOAD_INTENT_HEADER]: "profile-picture" } }));
    expect(result).toHaveProperty(["headers", UPLOAD_INTENT_HEADER, 0, "value"], "profile-picture");
    expect(result).toHaveProperty("uri", `/uploads/${OWNER}/${PHOTO_ID}.jpg`);
    expect(logs).toEqual([]);
  });

  it.each([
    ["an unknown intent", "avatar"],
    ["an empty value", ""],
    ["a differently cased value", "Profile-Picture"],
  ])("refuses %s with 400 INVALID_UPLOAD_INTENT", async (_, value) => {
    const { handler } = setup();
    const result = await handler(viewerEvent({ headers: { [UPLOAD_INTENT_HEADER]: value } }));
    expectRefused(result, "400", "INVALID_UPLOAD_INTENT");
  });

  it("refuses the intent header on a read: it means something only on an upload", async () => {
    const { handler } = setup();
    const result = await handler(
      viewerEvent({
        method: "GET",
        headers: { "content-type": null, "content-length": null, [UPLOAD_INTENT_HEADER]: "profile-picture" },
      }),
    );
    expectRefused(result, "400", "HEADER_NOT_ALLOWED");
  });

  it("still checks ownership: the intent does not open another user's prefix", async () => {
    const { handler } = setup();
    const result = await handler(
      viewerEvent({ uri: uploadUri(OTHER), headers: { [UPLOAD_INTENT_HEADER]: "profile-picture" } }),
    );
    expectRefused(result, "403", "FORBIDDEN");
  });
});

describe("reads (QUALITY 12)", () => {
  const read = (method: string, uri: string, authorization?: string) =>
    viewerEvent({ method, uri, headers: { "content-type": null, "content-length": null }, authorization });

  it.each([
    ["GET", `/photos/${OWNER}/${PHOTO_ID}/thumb-256.webp`],
    ["GET", `/photos/${OWNER}/${PHOTO_ID}/status.json`],
    ["HEAD", `/photos/${OWNER}/${PHOTO_ID}/display.webp`],
    ["GET", uploadUri(OWNER)],
    ["GET", `/shared/${OTHER}/${PHOTO_ID}/display.webp`],
  ])("allows %s %s for the owner (shared/ for anyone signed in)", async (method, uri) => {
    const { handler } = setup();
    const event = read(method, uri);
    const result = await handler(event);
    expect(result).toMatchObject({ method, uri });
    expect(result).not.toHaveProperty("headers.authorization");
  });

  it.each([
    ["GET", `/photos/${OTHER}/${PHOTO_ID}/display.webp`],
    ["GET", `/photos/${OTHER}/${PHOTO_ID}/status.json`],
    ["HEAD", `/photos/${OTHER}/${PHOTO_ID}/thumb-128.webp`],
    ["GET", uploadUri(OTHER)],
    ["GET", "/"],
    ["GET", `/photos/${OWNER}/`],
    ["GET", `/photos/${OWNER}/${PHOTO_ID}/sub/display.webp`],
    ["GET", `/private/${OWNER}/${PHOTO_ID}.jpg`],
  ])("refuses %s %s with 403", async (method, uri) => {
    const { handler } = setup();
    const result = await handler(read(method, uri));
    expect(asResponse(result).status).toMatch(/^40[03]$/);
    expect(errorBody(result).code).toMatch(/^(FORBIDDEN|INVALID_PATH)$/);
  });

  it("refuses reads of another owner's photos with 403 FORBIDDEN specifically", async () => {
    const { handler } = setup();
    const result = await handler(read("GET", `/photos/${OTHER}/${PHOTO_ID}/display.webp`));
    expectRefused(result, "403", "FORBIDDEN");
  });

  it("refuses an anonymous read of shared/ with 401", async () => {
    const { handler } = setup();
    const event = viewerEvent({
      method: "GET",
      uri: `/shared/${OTHER}/${PHOTO_ID}/display.webp`,
      authorization: null,
    });
    expectRefused(await handler(event), "401", "MISSING_TOKEN");
  });

  it("another user's valid token cannot read the owner's photos", async () => {
    const { handler } = setup();
    const result = await handler(
      read("GET", `/photos/${OWNER}/${PHOTO_ID}/display.webp`, accessToken({ sub: OTHER })),
    );
    expectRefused(result, "403", "FORBIDDEN");
  });
});

describe("methods (QUALITY 10)", () => {
  it.each([["DELETE"], ["POST"], ["PATCH"], ["CONNECT"], ["TRACE"], ["get"]])(
    "refuses %s with 405, an Allow header and a JSON body",
    async (method) => {
      const { handler } = setup();
      const response = expectRefused(await handler(viewerEvent({ method })), "405", "METHOD_NOT_ALLOWED");
      expect(response.headers?.allow?.[0]?.value).toBe("GET, HEAD, PUT, OPTIONS");
      expect(errorBody(response).message).toContain(method);
    },
  );

  it("refuses DELETE of the owner's own key too: deletion is not an edge operation", async () => {
    const { handler } = setup();
    expectRefused(
      await handler(viewerEvent({ method: "DELETE", uri: uploadUri(OWNER) })),
      "405",
      "METHOD_NOT_ALLOWED",
    );
  });

  it("lets a CORS preflight through without a token, and refuses a bare OPTIONS", async () => {
    const { handler } = setup();
    const preflight = viewerEvent({
      method: "OPTIONS",
      authorization: null,
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "PUT",
        "access-control-request-headers": "authorization,content-type",
        "content-type": null,
        "content-length": null,
      },
    });
    expect(await handler(preflight)).toMatchObject({ method: "OPTIONS" });
    const bare = viewerEvent({ method: "OPTIONS", authorization: null });
    expectRefused(await handler(bare), "405", "METHOD_NOT_ALLOWED");
  });

  it("a preflight with path tricks is refused like any other request", async () => {
    const { handler } = setup();
    const preflight = viewerEvent({
      method: "OPTIONS",
      uri: `/uploads/${OWNER}/%2e%2e/${PHOTO_ID}.jpg`,
      authorization: null,
      headers: { origin: "https://app.example.com", "access-control-request-method": "PUT" },
    });
    expectRefused(await handler(preflight), "400", "INVALID_PATH");
  });
});

describe("refusal bodies and logs", () => {
  it("every refusal is a small JSON error object and one log line with the same code", async () => {
    const { handler, logs } = setup();
    const events = [
      viewerEvent({ authorization: null }),
      viewerEvent({ uri: uploadUri(OTHER) }),
      viewerEvent({ method: "DELETE" }),
      viewerEvent({ headers: { "content-type": "text/html" } }),
      viewerEvent({ uri: "/uploads/../photos" }),
    ];
    const codes: string[] = [];
    for (const event of events) {
      const response = asResponse(await handler(event));
      const body = JSON.parse(response.body) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(["error"]);
      expect(Object.keys(body.error as object).sort()).toEqual(["code", "message"]);
      expect(response.body.length).toBeLessThan(400);
      codes.push(errorBody(response).code);
    }
    expect(logs.map((l) => l.code)).toEqual(codes);
    expect(codes).toEqual([
      "MISSING_TOKEN",
      "FORBIDDEN",
      "METHOD_NOT_ALLOWED",
      "UNSUPPORTED_MEDIA_TYPE",
      "INVALID_PATH",
    ]);
  });

  it("a malformed event is refused (fail closed), not thrown", async () => {
    const { handler, logs } = setup();
    for (const event of [{}, { Records: [] }, { Records: [{ cf: {} }] }, null]) {
      // biome-ignore lint/suspicious/noExplicitAny: deliberately malformed events
      const response = asResponse(await handler(event as any));
      expect(response.status).toBe("403");
    }
    expect(logs.every((l) => l.code === "INTERNAL" && l.level === "error")).toBe(true);
  });
});

describe("access levels: verdicts, shared/ and public sharing", () => {
  const read = (method: string, uri: string, authorization?: string | null) =>
    viewerEvent({ method, uri, headers: { "content-type": null, "content-length": null }, authorization });
  const publicHandler = () =>
    createViewerRequestHandler(edgeConfig({ publicSharing: true }), { log: () => {} });
  const ownVerdict = `/photos/${OWNER}/${PHOTO_ID}/status.json`;
  const othersShared = `/shared/${OTHER}/${PHOTO_ID}/thumb-256.webp`;

  it("public sharing is off unless the config turns it on", () => {
    expect(edgeConfig().publicSharing).toBe(false);
  });

  it("the owner reads their own verdict; another signed-in user gets 403", async () => {
    const { handler } = setup();
    expect(await handler(read("GET", ownVerdict))).toMatchObject({ method: "GET", uri: ownVerdict });
    expectRefused(await handler(read("GET", ownVerdict, accessToken({ sub: OTHER }))), "403", "FORBIDDEN");
  });

  it("a signed-in user reads another user's shared/ copy (GET and HEAD)", async () => {
    const { handler } = setup();
    for (const method of ["GET", "HEAD"]) {
      expect(await handler(read(method, othersShared))).toMatchObject({ method, uri: othersShared });
    }
  });

  it("without a token, shared/ is 401 while public sharing is off", async () => {
    const { handler } = setup();
    expectRefused(await handler(read("GET", othersShared, null)), "401", "MISSING_TOKEN");
  });

  it("with public sharing on, a guest reads shared/ and nothing else", async () => {
    const handler = publicHandler();
    expect(await handler(read("GET", othersShared, null))).toMatchObject({ uri: othersShared });
    expect(await handler(read("HEAD", othersShared, null))).toMatchObject({ uri: othersShared });
    for (const uri of [ownVerdict, `/photos/${OTHER}/${PHOTO_ID}/display.webp`, uploadUri(OTHER)]) {
      expectRefused(await handler(read("GET", uri, null)), "401", "MISSING_TOKEN");
    }
  });

  it("with public sharing on, guests still cannot list or probe malformed shared/ keys", async () => {
    const handler = publicHandler();
    for (const uri of [
      "/shared/",
      `/shared/${OTHER}/`,
      `/shared/${OTHER}/${PHOTO_ID}/`,
      `/shared/x/y/z.webp`,
    ]) {
      const status = asResponse(await handler(read("GET", uri, null))).status;
      expect(status).toMatch(/^40[013]$/);
    }
  });

  it("with public sharing on, a bad token on shared/ is still 401 (a token is always checked)", async () => {
    const handler = publicHandler();
    expectRefused(await handler(read("GET", othersShared, "Bearer not.a.jwt")), "401", "INVALID_TOKEN");
  });

  it.each([
    ["shared/ of another user", `/shared/${OTHER}/${PHOTO_ID}/display.webp`],
    ["the owner's own shared/", `/shared/${OWNER}/${PHOTO_ID}/display.webp`],
    ["the owner's own verdict", ownVerdict],
    ["the owner's own photos/", `/photos/${OWNER}/${PHOTO_ID}/thumb-128.webp`],
  ])("refuses a PUT to %s with 403, signed in or a guest with public sharing on", async (_name, uri) => {
    const { handler } = setup();
    expectRefused(await handler(viewerEvent({ uri })), "403", "FORBIDDEN");
    const guest = await publicHandler()(viewerEvent({ uri, authorization: null }));
    expect(asResponse(guest).status).toBe("401");
  });

  it.each([["DELETE"], ["POST"], ["PATCH"]])("refuses %s on shared/ and photos/ with 405", async (method) => {
    const handler = publicHandler();
    for (const uri of [othersShared, ownVerdict]) {
      expectRefused(await handler(viewerEvent({ method, uri })), "405", "METHOD_NOT_ALLOWED");
      expectRefused(
        await handler(viewerEvent({ method, uri, authorization: null })),
        "405",
        "METHOD_NOT_ALLOWED",
      );
    }
  });
});
