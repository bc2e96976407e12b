import { describe, expect, it } from "vitest";
import { adminSiteCsp, isSiteFileRequest, SPA_ROUTING_CODE, siteCacheControl } from "../src";

/** Runs the CloudFront Function's code as CloudFront would, returning the URI it forwards. */
function forwardedUri(uri: string): string {
  const handler = new Function(`${SPA_ROUTING_CODE}\nreturn handler;`)() as (event: unknown) => {
    uri: string;
  };
  return handler({ request: { uri } }).uri;
}

describe("the admin site's SPA rule", () => {
  it.each([
    "/",
    "/photos",
    "/users/abc",
    "/assets/index-Bx7f3k2a.js",
    "/assets/nested/x.css",
    "/favicon.svg",
    "/config.json",
    "/users/a.b",
    "/.well-known",
  ])("the CloudFront Function and the local server's check agree on %s", (uri) => {
    expect(forwardedUri(uri) === uri).toBe(isSiteFileRequest(uri));
  });

  it("serves app routes the shell and files as they are", () => {
    expect(forwardedUri("/photos/123")).toBe("/index.html");
    expect(isSiteFileRequest("/assets/index.js")).toBe(true);
  });
});

describe("site headers", () => {
  it("caches hashed assets for a year and revalidates everything else, with or without the slash", () => {
    expect(siteCacheControl("assets/a.js")).toBe(siteCacheControl("/assets/a.js"));
    expect(siteCacheControl("/assets/a.js")).toContain("immutable");
    expect(siteCacheControl("index.html")).toBe("no-cache");
  });

  it("builds one CSP in which only image and connect sources vary", () => {
    const csp = adminSiteCsp({
      imageSources: ["https://img.example"],
      connectSources: ["https://idp.example"],
    });
    expect(csp).toContain("img-src 'self' data: https://img.example");
    expect(csp).toContain("connect-src 'self' https://idp.example");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("style-src 'self';");
  });
});
