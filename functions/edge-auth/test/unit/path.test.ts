import { describe, expect, it } from "vitest";
import { createViewerRequestHandler } from "../../src/authorise";
import { objectKeyFromUri } from "../../src/path";
import { asResponse, edgeConfig, errorBody, OWNER, PHOTO_ID, viewerEvent } from "../support/fixtures";

const handler = createViewerRequestHandler(edgeConfig(), { log: () => {} });
const own = `uploads/${OWNER}/${PHOTO_ID}.jpg`;

describe("path tricks (QUALITY 9)", () => {
  // Each of these would, after some decoding or normalisation, reach a key other than the
  // literal one, or one that is not the owner's.
  it.each([
    ["dot-dot segment", `/uploads/${OWNER}/../../photos/${OWNER}/${PHOTO_ID}/display.webp`],
    [
      "dot-dot escaping to another owner",
      `/uploads/${OWNER}/../a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d/${PHOTO_ID}.jpg`,
    ],
    ["dot segment", `/uploads/${OWNER}/./${PHOTO_ID}.jpg`],
    ["encoded dot-dot %2e%2e", `/uploads/${OWNER}/%2e%2e/${PHOTO_ID}.jpg`],
    ["upper-case encoded dot-dot %2E%2E", `/uploads/${OWNER}/%2E%2E/${PHOTO_ID}.jpg`],
    ["encoded slash %2F", `/uploads/${OWNER}%2F${PHOTO_ID}.jpg`],
    ["lower-case encoded slash %2f", `/uploads%2f${OWNER}/${PHOTO_ID}.jpg`],
    ["encoded backslash %5C", `/uploads/${OWNER}%5C${PHOTO_ID}.jpg`],
    ["double encoding %252e%252e", `/uploads/${OWNER}/%252e%252e/${PHOTO_ID}.jpg`],
    ["double-encoded slash %252F", `/uploads/${OWNER}%252F${PHOTO_ID}.jpg`],
    ["encoded letters of a valid key", `/uploads/${OWNER}/${PHOTO_ID}%2ejpg`],
    ["raw backslash", `/uploads\\${OWNER}\\${PHOTO_ID}.jpg`],
    ["double slash", `/uploads//${OWNER}/${PHOTO_ID}.jpg`],
    ["leading double slash", `//uploads/${OWNER}/${PHOTO_ID}.jpg`],
    ["trailing slash", `/uploads/${OWNER}/${PHOTO_ID}.jpg/`],
    ["trailing dot", `/uploads/${OWNER}/${PHOTO_ID}.jpg.`],
    ["trailing dots on the owner", `/uploads/${OWNER}../${PHOTO_ID}.jpg`],
    ["NUL byte", `/uploads/${OWNER}/${PHOTO_ID}.jpg\u0000.html`],
    ["encoded NUL", `/uploads/${OWNER}/${PHOTO_ID}.jpg%00.html`],
    ["newline", `/uploads/${OWNER}/${PHOTO_ID}.jpg\n`],
    ["DEL", `/uploads/${OWNER}/${PHOTO_ID}.jpg\u007f`],
    ["fullwidth solidus look-alike", `/uploads\uff0f${OWNER}/${PHOTO_ID}.jpg`],
    ["division slash look-alike", `/uploads\u2215${OWNER}/${PHOTO_ID}.jpg`],
    ["encoded fullwidth solidus", `/uploads%EF%BC%8F${OWNER}/${PHOTO_ID}.jpg`],
    ["Cyrillic a in the prefix", `/uplo\u0430ds/${OWNER}/${PHOTO_ID}.jpg`],
    ["one-dot leader look-alike", `/uploads/${OWNER}/\u2024\u2024/${PHOTO_ID}.jpg`],
    ["space", `/uploads/${OWNER}/${PHOTO_ID} .jpg`],
    ["plus", `/uploads/${OWNER}/${PHOTO_ID}+.jpg`],
    ["semicolon path parameter", `/uploads/${OWNER}/${PHOTO_ID}.jpg;x=1`],
    ["fragment", `/uploads/${OWNER}/${PHOTO_ID}.jpg#x`],
    ["no leading slash", `uploads/${OWNER}/${PHOTO_ID}.jpg`],
    ["empty uri", ""],
    ["over-long path", `/uploads/${OWNER}/${"a".repeat(1100)}.jpg`],
  ])("refuses %s with 400 INVALID_PATH", async (_name, uri) => {
    const result = await handler(viewerEvent({ uri }));
    const response = asResponse(result);
    expect(response.status).toBe("400");
    expect(errorBody(result).code).toBe("INVALID_PATH");
    expect(response.headers?.["cache-control"]?.[0]?.value).toBe("no-store");
  });

  it.each([
    ["a key-changing query", "x-id=PutObject&versionId=abc"],
    ["response overrides", "response-content-type=text/html"],
    ["a multipart part upload", "partNumber=1&uploadId=abc"],
    ["an ACL sub-resource", "acl"],
    ["a harmless cache buster", "v=2"],
  ])("refuses %s in the query string with 400, leaving the key alone", async (_name, querystring) => {
    const result = await handler(viewerEvent({ querystring }));
    expect(asResponse(result).status).toBe("400");
    expect(errorBody(result).code).toBe("QUERY_NOT_ALLOWED");
  });

  it("forwards the literal key when the path is clean", async () => {
    const result = await handler(viewerEvent({ uri: `/${own}` }));
    expect(result).toMatchObject({ uri: `/${own}`, querystring: "" });
  });
});

describe("objectKeyFromUri", () => {
  it("returns the key without the leading slash, and '' for the root", () => {
    expect(objectKeyFromUri(`/${own}`)).toBe(own);
    expect(objectKeyFromUri("/")).toBe("");
  });

  it("names what is wrong", () => {
    expect(() => objectKeyFromUri("/a%2Fb")).toThrow(/Percent-encoded/);
    expect(() => objectKeyFromUri("/a\\b")).toThrow(/Backslash/);
    expect(() => objectKeyFromUri("/a\u0001b")).toThrow(/Control/);
    expect(() => objectKeyFromUri("/a\u00e9b")).toThrow(/Non-ASCII/);
    expect(() => objectKeyFromUri("/a//b")).toThrow(/empty segment/);
    expect(() => objectKeyFromUri("/a/../b")).toThrow(/\.\. segments/);
    expect(() => objectKeyFromUri("/a./b")).toThrow(/end with a dot/);
  });

  it("refuses exactly the keys with an empty or dot-ended segment, each with its own message", () => {
    // Every key of up to 6 characters over a, '.' and '/': the one-regex screen must agree
    // with a segment-by-segment reading of the key.
    const keys = [""];
    for (let length = 1, level = [""]; length <= 6; length++) {
      level = level.flatMap((prefix) => ["a", ".", "/"].map((c) => prefix + c));
      keys.push(...level);
    }
    for (const key of keys) {
      const segments = key.split("/");
      const bad = key !== "" && segments.some((s) => s === "" || s.endsWith("."));
      if (!bad) {
        expect(objectKeyFromUri(`/${key}`), key).toBe(key);
        continue;
      }
      expect(() => objectKeyFromUri(`/${key}`), key).toThrow(
        /empty segment|\. or \.\. segments|end with a dot/,
      );
    }
    expect(keys.length).toBe(1093);
  });
});
