import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { USER_ROUTES } from "@photogate/core";
import { readBody } from "@photogate/local-emulators";
import type { Fetcher } from "aws-jwt-verify/https";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { JwtVerifier } from "aws-jwt-verify/jwt-verifier";
import {
  type AdminApiDeps,
  AdminApiError,
  type AdminApiEvent,
  handleAdminRequest,
  toErrorBody,
} from "../index";

export interface AdminApiServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  region: string;
  /**
   * The pool and the admin app client whose tokens the authorizer accepts (API Gateway's JWT
   * authorizer); with `uploadClientId`, each of core's USER_ROUTES has its own route whose
   * authorizer accepts that client's tokens only, as the stacks' user routes do.
   */
  userPool: { issuer: string; jwksUri: string; adminClientId: string; uploadClientId?: string };
  deps: AdminApiDeps;
  /** Browser origins allowed to call the API (the admin app's dev server). */
  allowedOrigins?: readonly string[];
}

export interface AdminApiServer {
  url: string;
  close(): Promise<void>;
}

// API Gateway's HTTP API payload limit: "Payload size 10 MB", not adjustable
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html).
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
const JWKS_FETCH_TIMEOUT_MS = 3000;
// cognito-local serves its keys over http, which aws-jwt-verify's own fetcher refuses.
const httpFetcher: Fetcher = {
  async fetch(uri) {
    const response = await fetch(uri, {
      redirect: "error",
      signal: AbortSignal.timeout(JWKS_FETCH_TIMEOUT_MS),
    });
    if (response.status !== 200) throw new Error(`JWKS fetch from ${uri} returned ${response.status}`);
    return response.arrayBuffer();
  },
};

/**
 * The admin API as API Gateway runs it: an HTTP API whose JWT authorizer accepts tokens of the
 * admin app client (signature by the pool's key, issuer, expiry, `aud` or `client_id`), answers
 * 401 `{"message":"Unauthorized"}` otherwise, answers CORS preflights itself, and hands the
 * handler a payload 2.0 event with the claims as strings (arrays as `[a b]`, as API Gateway does).
 */
export async function startAdminApiServer(options: AdminApiServerOptions): Promise<AdminApiServer> {
  const jwksCache = new SimpleJwksCache({ fetcher: httpFetcher });
  const authorizerFor = (clientId: string) =>
    JwtVerifier.create(
      {
        issuer: options.userPool.issuer,
        audience: null,
        jwksUri: options.userPool.jwksUri,
        // API Gateway's audience check: the ID token's aud or the access token's client_id.
        customJwtCheck: ({ payload }) => {
          if (payload.aud !== clientId && payload.client_id !== clientId) {
            throw new Error("token is not for this route's app client");
          }
          // aws-jwt-verify checks exp only when the claim is present; API Gateway requires it.
          if (typeof payload.exp !== "number") throw new Error("no exp claim");
        },
      },
      { jwksCache },
    );
  const adminVerifier = authorizerFor(options.userPool.adminClientId);
  const { uploadClientId } = options.userPool;
  const userVerifier = uploadClientId ? authorizerFor(uploadClientId) : undefined;
  const origins = new Set(options.allowedOrigins ?? []);

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      options.deps.log.error("admin-api-server.failed", { error });
      if (!res.headersSent) send(res, 500, { message: "Internal Server Error" });
      else res.destroy();
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = req.headers.origin;
    if (origin && origins.has(origin)) {
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("vary", "origin");
      res.setHeader("access-control-expose-headers", "content-type");
    }
    if (req.method === "OPTIONS") {
      // API Gateway answers preflights itself, before the authorizer, when CORS is configured.
      if (origin && origins.has(origin)) {
        res.setHeader("access-control-allow-methods", "GET,POST,PUT,DELETE,OPTIONS");
        res.setHeader("access-control-allow-headers", "authorization,content-type");
        res.setHeader("access-control-max-age", "600");
      }
      res.writeHead(204).end();
      return;
    }
    // Like API Gateway, refuse a declared oversize body before the authorizer runs.
    if (Number(req.headers["content-length"]) > MAX_BODY_BYTES) {
      await readBody(req, { maxBytes: MAX_BODY_BYTES });
      return tooLarge(res);
    }
    const header = req.headers.authorization ?? "";
    const token = header.replace(/^Bearer\s+/i, "");
    // API Gateway picks the most specific route first; only that route's authorizer runs.
    const pathname = new URL(req.url ?? "/", "http://local").pathname.replace(/\/+$/, "");
    const userRoute = userVerifier
      ? USER_ROUTES.find((r) => r.method === req.method && r.path === pathname)
      : undefined;
    let claims: Record<string, unknown>;
    try {
      if (!token) throw new Error("no token");
      claims = (await ((userRoute && userVerifier) || adminVerifier).verify(token)) as Record<
        string,
        unknown
      >;
    } catch {
      res.setHeader("www-authenticate", "Bearer");
      send(res, 401, { message: "Unauthorized" });
      return;
    }
    const { body } = await readBody(req, { maxBytes: MAX_BODY_BYTES });
    if (body === undefined) return tooLarge(res);
    const event = toEvent(req, body, claims);
    if (userRoute) event.routeKey = userRoute.routeKey;
    const result = await handleAdminRequest(event, options.deps);
    res.writeHead(result.statusCode, result.headers as Record<string, string>);
    res.end(result.body);
  }

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** 413 with the API's error shape, sent once the body has been drained. */
function tooLarge(res: ServerResponse): void {
  const { status, body } = toErrorBody(
    new AdminApiError(
      "PAYLOAD_TOO_LARGE",
      413,
      `The request body is over the API's ${MAX_BODY_BYTES / (1024 * 1024)} MB limit; send less`,
    ),
  );
  send(res, status, body);
}

/** API Gateway passes every claim as a string; arrays become `[a b]`. */
function flattenClaims(claims: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(claims).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(" ")}]` : String(v)]),
  );
}

function toEvent(req: IncomingMessage, body: Buffer, claims: Record<string, unknown>): AdminApiEvent {
  const url = new URL(req.url ?? "/", "http://local");
  const query: Record<string, string> = {};
  // API Gateway joins repeated parameters with commas.
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(",") : v;
  const now = Date.now();
  const method = req.method ?? "GET";
  return {
    version: "2.0",
    routeKey: "ANY /{proxy+}",
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ""),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      authorizer: {
        principalId: "",
        integrationLatency: 0,
        jwt: { claims: flattenClaims(claims), scopes: [] },
      },
      domainName: headers.host ?? "localhost",
      domainPrefix: "local",
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: "ANY /{proxy+}",
      stage: "$default",
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    pathParameters: { proxy: url.pathname.slice(1) },
    ...(body.length ? { body: body.toString("base64"), isBase64Encoded: true } : { isBase64Encoded: false }),
  };
}
