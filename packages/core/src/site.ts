/**
 * The Content-Type each file of a static site (the admin app) is served with, by extension:
 * the AdminSite construct stores objects with it and the local site server answers with it,
 * so `nosniff` behaves the same in both.
 */
const SITE_CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".webmanifest": "application/manifest+json",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
};

export function siteContentType(path: string): string {
  const dot = path.lastIndexOf(".");
  const extension = dot > path.lastIndexOf("/") ? path.slice(dot).toLowerCase() : "";
  return SITE_CONTENT_TYPES[extension] ?? "application/octet-stream";
}

/*
 * The admin site's serving rules: the AdminSite construct (CloudFront, a CloudFront Function,
 * a response headers policy, per-object Cache-Control) and the local site server both apply
 * these, so the app behaves the same behind either.
 */

/** Vite's content-hashed output: never changes under its name. */
const SITE_ASSETS_PREFIX = "/assets/";
/** A top-level file (`/favicon.svg`, `/config.json`): served as it is, never the SPA shell. */
const SITE_TOP_LEVEL_FILE = /^\/[^/]+\.[A-Za-z0-9]+$/;

/** Whether a request path names a file; every other path is an app route and gets index.html. */
export function isSiteFileRequest(pathname: string): boolean {
  return pathname.startsWith(SITE_ASSETS_PREFIX) || SITE_TOP_LEVEL_FILE.test(pathname);
}

/**
 * The same rule as a CloudFront Function (viewer request), generated from the same prefix and
 * pattern. Chosen over distribution-wide custom error responses, which would also turn the
 * API's own 403/404 JSON into index.html with status 200, and answer a missing script with HTML.
 */
export const SPA_ROUTING_CODE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.indexOf(${JSON.stringify(SITE_ASSETS_PREFIX)}) === 0 || ${SITE_TOP_LEVEL_FILE.toString()}.test(uri)) return request;
  request.uri = "/index.html";
  return request;
}
`;

/** Cache-Control of a site file by path (with or without the leading slash). */
export function siteCacheControl(path: string): string {
  const pathname = path.startsWith("/") ? path : `/${path}`;
  return pathname.startsWith(SITE_ASSETS_PREFIX) ? "public, max-age=31536000, immutable" : "no-cache";
}

/** The app's runtime config is read once per page load: a deploy takes effect at once. */
export const SITE_CONFIG_CACHE_CONTROL = "no-store";

/** Headers on every response of the site besides CSP and HSTS (HSTS only where it is https). */
export const SITE_SECURITY_HEADERS = {
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
} as const;

/** HSTS max-age: two years (preload lists require at least one). */
export const HSTS_MAX_AGE_SECONDS = 63_072_000;

/**
 * The site's Content-Security-Policy: nothing third-party, no framing, no plugins. Only where
 * images come from (presigned S3 URLs) and what the app connects to (the user pool) vary.
 */
export function adminSiteCsp(input: {
  imageSources: readonly string[];
  connectSources: readonly string[];
  allowInlineStyles?: boolean;
}): string {
  const directives: Array<[string, readonly string[]]> = [
    ["default-src", ["'self'"]],
    ["script-src", ["'self'"]],
    ["style-src", input.allowInlineStyles ? ["'self'", "'unsafe-inline'"] : ["'self'"]],
    ["img-src", ["'self'", "data:", ...input.imageSources]],
    ["connect-src", ["'self'", ...input.connectSources]],
    ["font-src", ["'self'"]],
    ["object-src", ["'none'"]],
    ["base-uri", ["'self'"]],
    ["form-action", ["'self'"]],
    ["frame-ancestors", ["'none'"]],
  ];
  return directives.map(([name, sources]) => `${name} ${sources.join(" ")}`).join("; ");
}
