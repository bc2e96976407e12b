import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdminSite, startAdminSite } from "../src/admin-site/server";

// The site server on a fixture build (no vite here): routing, headers, config and the /api proxy.
let dist: string;
let site: AdminSite;
let crossOrigin: AdminSite;
let upstream: Server;
const seen: { method: string; url: string; authorization: string | undefined; body: string }[] = [];

const config = {
  region: "us-east-1",
  userPoolId: "local_pool",
  userPoolClientId: "admin-client",
  userPoolEndpoint: "http://127.0.0.1:4504",
};

beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), "photogate-admin-site-"));
  await mkdir(join(dist, "assets"));
  await writeFile(join(dist, "index.html"), "<!doctype html><title>app</title>");
  await writeFile(join(dist, "assets", "index-abc.js"), "console.log(1)");
  await writeFile(join(dist, "assets", "index-abc.css"), "body{}");
  await writeFile(join(dist, "favicon.svg"), "<svg/>");
  await writeFile(join(dist, "config.json"), '{"stale":true}');
  upstream = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      seen.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, body });
      res.writeHead(403, { "content-type": "application/json", "x-amzn-requestid": "r-1" });
      res.end('{"error":{"code":"FORBIDDEN","message":"no"}}');
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const api = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  site = await startAdminSite({
    distDir: dist,
    config,
    apiUpstream: api,
    imageOrigins: ["http://127.0.0.1:4501/some/path"],
  });
  crossOrigin = await startAdminSite({
    distDir: dist,
    config: { ...config, apiUrl: "http://127.0.0.1:4999/" },
  });
});

afterAll(async () => {
  await site?.close();
  await crossOrigin?.close();
  await new Promise((resolve) => upstream?.close(resolve));
  await rm(dist, { recursive: true, force: true });
});

describe("admin site server", () => {
  it("answers app routes with index.html, as the distribution's routing function does", async () => {
    for (const path of ["/", "/users", "/photos/a/b", "/users/x?q=1"]) {
      const response = await fetch(`${site.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(response.headers.get("cache-control")).toBe("no-cache");
      expect(await response.text()).toContain("<title>app</title>");
    }
  });

  it("serves files with their content type and answers a missing one with 404, never HTML", async () => {
    const js = await fetch(`${site.url}/assets/index-abc.js`);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect((await fetch(`${site.url}/assets/index-abc.css`)).headers.get("content-type")).toBe(
      "text/css; charset=utf-8",
    );
    expect((await fetch(`${site.url}/favicon.svg`)).headers.get("content-type")).toBe("image/svg+xml");
    const missing = await fetch(`${site.url}/assets/gone-123.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).not.toContain("html");
    expect((await fetch(`${site.url}/robots.txt`)).status).toBe(404);
  });

  it("does not serve files outside the build", async () => {
    const response = await fetch(`${site.url}/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd`);
    expect(response.status).toBe(404);
  });

  it("sends the construct's security headers on every answer, the CSP naming the local origins", async () => {
    for (const path of ["/", "/assets/index-abc.js", "/config.json", "/nope.js", "/api/users"]) {
      const headers = (await fetch(`${site.url}${path}`)).headers;
      expect(headers.get("x-frame-options"), path).toBe("DENY");
      expect(headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(headers.get("referrer-policy"), path).toBe("strict-origin-when-cross-origin");
      expect(headers.get("content-security-policy"), path).toBeTruthy();
    }
    const csp = (await fetch(site.url)).headers.get("content-security-policy")!;
    const directives = Object.fromEntries(
      csp.split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1)]),
    );
    expect(directives["connect-src"]).toEqual(["'self'", "http://127.0.0.1:4504"]);
    expect(directives["img-src"]).toEqual(["'self'", "data:", "http://127.0.0.1:4501"]);
    expect(directives["script-src"]).toEqual(["'self'"]);
    expect(directives["style-src"]).toEqual(["'self'"]);
    expect(directives["frame-ancestors"]).toEqual(["'none'"]);
    expect(directives["object-src"]).toEqual(["'none'"]);

    const cross = (await fetch(crossOrigin.url)).headers.get("content-security-policy")!;
    expect(cross).toContain("connect-src 'self' http://127.0.0.1:4999 http://127.0.0.1:4504;");
  });

  it("serves config.json from its options (never the build's file), uncached, with the same-origin API", async () => {
    const response = await fetch(`${site.url}/config.json`);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = await response.json();
    expect(body).toEqual({ ...config, apiUrl: `${site.url}/api` });
    expect(site.config).toEqual(body);
    expect(await (await fetch(`${crossOrigin.url}/config.json`)).json()).toMatchObject({
      apiUrl: "http://127.0.0.1:4999/",
    });
  });

  it("proxies /api/* to the API with the prefix stripped, passing method, token, body and status through", async () => {
    seen.length = 0;
    const response = await fetch(`${site.url}/api/photos/o/p/approve?x=1`, {
      method: "POST",
      headers: { authorization: "Bearer t", "content-type": "application/json" },
      body: '{"reason":"ok"}',
    });
    expect(response.status).toBe(403);
    expect(response.headers.get("x-amzn-requestid")).toBe("r-1");
    expect(await response.json()).toEqual({ error: { code: "FORBIDDEN", message: "no" } });
    expect(seen).toEqual([
      { method: "POST", url: "/photos/o/p/approve?x=1", authorization: "Bearer t", body: '{"reason":"ok"}' },
    ]);
    // Only /api and /api/...: a route that merely starts with the letters is the app's.
    expect((await fetch(`${site.url}/apiary`)).headers.get("content-type")).toContain("text/html");
  });

  it("refuses writes outside /api", async () => {
    const response = await fetch(`${site.url}/users`, { method: "POST", body: "x" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD");
  });

  it("refuses to start without a build", async () => {
    await expect(
      startAdminSite({ distDir: join(dist, "nothing"), config: { ...config, apiUrl: "http://x" } }),
    ).rejects.toThrow(/pnpm build:admin/);
  });
});
