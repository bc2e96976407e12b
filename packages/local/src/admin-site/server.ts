import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join, normalize, sep } from "node:path";
import {
  adminSiteCsp,
  isSiteFileRequest,
  SITE_CONFIG_CACHE_CONTROL,
  SITE_SECURITY_HEADERS,
  siteCacheControl,
  siteContentType,
} from "@photogate/core";

/**
 * The admin app as the AdminSite distribution serves it, for local runs: the built files with
 * the SPA routing rule (app routes get index.html; `/assets/*` and top-level files are served as
 * they are, a missing one is a 404, never HTML), the construct's content types, cache headers and
 * security headers, and a `/config.json` made from `config` instead of a file.
 *
 * With `apiUpstream`, `/api/*` is proxied to the admin API with the prefix stripped, as the
 * distribution's second behaviour and its CloudFront Function do: the app then calls its API
 * same-origin (no CORS), and the API's URL need not be known before the site's port is.
 */

/** The app's runtime config (apps/admin/src/config.ts). */
export interface LocalAdminAppConfig {
  apiUrl: string;
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  /** The user-pool emulator's URL (sign-in, refresh and revocation go there). */
  userPoolEndpoint: string;
}

export interface AdminSiteOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: nothing here is for other machines. */
  host?: string;
  /** The built app (`ensureAdminBuild()` of @photogate/admin makes one in apps/admin/dist). */
  distDir: string;
  /** `apiUrl` may be left out with `apiUpstream`: it is then `{site url}/api`. */
  config: Omit<LocalAdminAppConfig, "apiUrl"> & { apiUrl?: string };
  /** The admin API's base URL, served same-origin under `/api` (as the AdminSite does on AWS). */
  apiUpstream?: string;
  /** Where presigned image URLs point (the local S3 gateway): the CSP's img-src. */
  imageOrigins?: readonly string[];
}

export interface AdminSite {
  url: string;
  /** The config.json the app gets. */
  config: LocalAdminAppConfig;
  close(): Promise<void>;
}

/** Where the AdminSite distribution serves the API (ADMIN_API_PATH in the construct). */
const API_PREFIX = "/api";

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
]);

function origin(url: string): string {
  return new URL(url).origin;
}

/**
 * The construct's policy with the local origins in place of AWS's: the API and the user pool
 * are other ports here (on AWS the API is same-origin under /api and Cognito is
 * cognito-idp.{region}.amazonaws.com), and images come from the S3 gateway.
 */
function localAdminCsp(
  config: LocalAdminAppConfig,
  imageOrigins: readonly string[] = [],
  /** The site's own origin: 'self' already covers it (the proxied API). */
  self?: string,
): string {
  const others = (urls: string[]) => [...new Set(urls.map(origin))].filter((o) => o !== self);
  return adminSiteCsp({
    imageSources: others([...imageOrigins]),
    connectSources: others([config.apiUrl, config.userPoolEndpoint]),
  });
}

export async function startAdminSite(options: AdminSiteOptions): Promise<AdminSite> {
  const { distDir } = options;
  const index = join(distDir, "index.html");
  if (!(await stat(index).catch(() => undefined))?.isFile()) {
    throw new Error(`No admin app build in ${distDir} (index.html is missing). Run: pnpm build:admin`);
  }
  if (!options.config.apiUrl && !options.apiUpstream) throw new Error("Give config.apiUrl or apiUpstream");
  // Filled in once the port is known (listen below), before any request can arrive.
  let securityHeaders: Record<string, string> = {};
  let configBody = "";

  function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: string) {
    res.writeHead(status, { ...securityHeaders, ...headers });
    res.end(body);
  }

  async function serveFile(req: IncomingMessage, res: ServerResponse, file: string, pathname: string) {
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      send(res, 404, { "content-type": "text/plain; charset=utf-8" }, "Not found\n");
      return;
    }
    res.writeHead(200, {
      ...securityHeaders,
      "content-type": siteContentType(file),
      "content-length": String(info.size),
      "cache-control": siteCacheControl(pathname),
    });
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  }

  function proxy(req: IncomingMessage, res: ServerResponse, upstream: string) {
    const incoming = new URL(req.url ?? "/", "http://local");
    const target = new URL(upstream);
    const headers = { ...req.headers };
    for (const name of HOP_BY_HOP) delete headers[name];
    delete headers.host;
    const forwarded = request(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        // The CloudFront Function's rewrite: the API's routes table knows `/users`, not `/api/users`.
        path: `${target.pathname.replace(/\/$/, "")}${incoming.pathname.slice(API_PREFIX.length) || "/"}${incoming.search}`,
        headers,
      },
      (upstreamRes) => {
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(upstreamRes.headers)) {
          if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
        }
        res.writeHead(upstreamRes.statusCode ?? 502, { ...out, ...securityHeaders });
        upstreamRes.pipe(res);
      },
    );
    forwarded.on("error", () => {
      if (!res.headersSent)
        send(res, 502, { "content-type": "application/json" }, '{"message":"Bad Gateway"}');
      else res.destroy();
    });
    req.pipe(forwarded);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (options.apiUpstream && req.url?.startsWith(API_PREFIX)) {
      const pathname = new URL(req.url, "http://local").pathname;
      if (pathname === API_PREFIX || pathname.startsWith(`${API_PREFIX}/`)) {
        proxy(req, res, options.apiUpstream);
        return;
      }
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      send(
        res,
        405,
        { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" },
        "Method not allowed\n",
      );
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? "/", "http://local").pathname);
    } catch {
      send(res, 400, { "content-type": "text/plain; charset=utf-8" }, "Bad request\n");
      return;
    }
    if (pathname === "/config.json") {
      send(
        res,
        200,
        { "content-type": siteContentType("/config.json"), "cache-control": SITE_CONFIG_CACHE_CONTROL },
        configBody,
      );
      return;
    }
    if (!isSiteFileRequest(pathname)) {
      await serveFile(req, res, index, "/index.html");
      return;
    }
    const file = normalize(join(distDir, pathname));
    // `..` after decoding must not leave the build directory.
    if (!file.startsWith(distDir.endsWith(sep) ? distDir : distDir + sep)) {
      send(res, 404, { "content-type": "text/plain; charset=utf-8" }, "Not found\n");
      return;
    }
    await serveFile(req, res, file, pathname);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent)
        send(res, 500, { "content-type": "text/plain; charset=utf-8" }, "Internal error\n");
      else res.destroy();
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  const config: LocalAdminAppConfig = {
    ...options.config,
    apiUrl: options.config.apiUrl ?? `${url}${API_PREFIX}`,
  };
  configBody = JSON.stringify(config);
  securityHeaders = {
    "content-security-policy": localAdminCsp(config, options.imageOrigins, url),
    ...SITE_SECURITY_HEADERS,
    // No Strict-Transport-Security: this is plain http on loopback, where browsers ignore it.
  };
  return {
    url,
    config,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
