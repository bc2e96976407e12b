import { describe, expect, it } from "vitest";
import { createViewerRequestHandler } from "../../src/authorise";
import { accessToken, edgeConfig, OTHER, OWNER, PHOTO_ID, requestOf, viewerEvent } from "../support/fixtures";

// A small seeded generator, so a failure reproduces with the same inputs.
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const pieces = [
  "/",
  "uploads",
  "photos",
  "shared",
  OWNER,
  OTHER,
  PHOTO_ID,
  ".jpg",
  ".png",
  "..",
  ".",
  "%2e",
  "%2F",
  "%25",
  "%00",
  "\\",
  "\u0000",
  "\uff0f",
  "\u00e9",
  "//",
  "?",
  "#",
  " ",
  "display.webp",
  "",
];
const realUris = [
  `/uploads/${OWNER}/${PHOTO_ID}.jpg`,
  `/uploads/${OTHER}/${PHOTO_ID}.jpg`,
  `/photos/${OWNER}/${PHOTO_ID}/display.webp`,
  `/photos/${OTHER}/${PHOTO_ID}/status.json`,
  `/shared/${OTHER}/${PHOTO_ID}/display.webp`,
];
const methods = ["GET", "HEAD", "PUT", "OPTIONS", "DELETE", "POST", "", "PUT ", "\u0000"];

describe("the handler never throws (fuzz)", () => {
  it("answers 400 random requests with the request or a 4xx response", async () => {
    const handler = createViewerRequestHandler(edgeConfig(), {
      log: () => {},
      fetcher: {
        fetch: async () => {
          throw new Error("no network");
        },
      },
    });
    const next = random(20240611);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    const valid = accessToken();
    const otherUsers = accessToken({ sub: OTHER });
    const authorizations = [
      `Bearer ${valid}`,
      valid,
      otherUsers,
      "Bearer",
      "",
      "x.y.z",
      `Bearer ${valid.slice(0, -3)}`,
      `Bearer ${valid}x`,
      null,
    ];
    const statuses = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const uri =
        next() < 0.5
          ? pick(realUris)
          : Array.from({ length: 1 + Math.floor(next() * 8) }, () => pick(pieces)).join("");
      const authorization = pick(authorizations);
      const event = viewerEvent({
        method: pick(methods),
        uri,
        querystring: next() < 0.1 ? "a=b" : "",
        authorization,
        headers: {
          "content-type": pick(["image/jpeg", "text/html", "", null]),
          "content-length": pick(["1", "-1", "abc", "99999999999", null]),
          ...(next() < 0.05 ? { "x-amz-acl": "public-read" } : {}),
        },
      });
      const request = structuredClone(requestOf(event));
      const result = await handler(event);
      if (result && "status" in result) {
        expect(result.status).toMatch(/^4\d\d$/);
        expect(() => JSON.parse(result.body as string)).not.toThrow();
        statuses.set(result.status as string, (statuses.get(result.status as string) ?? 0) + 1);
      } else {
        // Anything let through is the same request minus Authorization, for the caller's own
        // keys or shared/.
        const caller = authorization === otherUsers ? OTHER : OWNER;
        expect(result).toMatchObject({ method: request.method, uri: request.uri });
        expect(result).not.toHaveProperty("headers.authorization");
        expect(request.uri).toMatch(new RegExp(`^/(uploads|photos)/${caller}/|^/shared/`));
        statuses.set("forwarded", (statuses.get("forwarded") ?? 0) + 1);
      }
    }
    // The generator must actually reach several outcomes, or the test proves little.
    expect(statuses.size).toBeGreaterThanOrEqual(6);
  });

  it("survives headers in shapes CloudFront never sends", async () => {
    const handler = createViewerRequestHandler(edgeConfig(), { log: () => {} });
    const odd: unknown[] = [{}, [], [{}], [{ value: 42 }], "Bearer x", [{ key: "Authorization" }], null];
    for (const value of odd) {
      const event = viewerEvent();
      (requestOf(event).headers as Record<string, unknown>).authorization = value;
      (requestOf(event).headers as Record<string, unknown>)["content-length"] = value;
      const result = await handler(event);
      expect(result).toHaveProperty("status");
      expect((result as { status: string }).status).toMatch(/^4\d\d$/);
    }
  });
});
