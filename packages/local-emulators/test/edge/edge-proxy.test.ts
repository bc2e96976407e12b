import { createHash, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resourceNames } from "@photogate/core";
import { createViewerRequestHandler, parseEdgeConfig } from "@photogate/edge-auth";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { CloudFrontRequestEvent } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { signIn } from "../../src/cognito/provision";
import { type EdgeProxy, startEdgeProxy, type ViewerRequestHandler } from "../../src/edge/edge-proxy";
import { env, type LocalPool, PASSWORD, startLocalPool } from "../cognito/local-pool";

const PHOTO_ID = "0b6e8f3a-2c1d-4e7f-9a8b-7c6d5e4f3a2b";
const BUCKET = resourceNames(env).bucket;
const ORIGIN_CREDENTIALS = { accessKeyId: "LOCALSERVICEKEY", secretAccessKey: "local-service-secret" };

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

let local: LocalPool;
let origin: Server;
let originUrl = "";
let proxy: EdgeProxy;
let received: Received[] = [];
/** What the origin answers to GETs: set per test. */
let stored: { body: Buffer; contentType: string } | undefined;
const events: CloudFrontRequestEvent[] = [];
const users: Record<"alice" | "bob", { sub: string; accessToken: string }> = {
  alice: { sub: "", accessToken: "" },
  bob: { sub: "", accessToken: "" },
};

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server | EdgeProxy | undefined): Promise<void> {
  if (!server) return;
  if ("url" in server) return server.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

beforeAll(async () => {
  local = await startLocalPool();
  for (const name of ["alice", "bob"] as const) {
    const tokens = await signIn(local.client, local.pool.uploadClientId, `${name}@example.com`, PASSWORD);
    users[name] = { sub: local.subs[`${name}@example.com`]!, accessToken: tokens.accessToken };
  }

  // A stand-in for S3 that records everything it is sent.
  origin = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({
        method: request.method ?? "",
        path: request.url ?? "",
        headers: request.headers,
        rawHeaders: request.rawHeaders,
        body: Buffer.concat(chunks),
      });
      if (request.method === "GET" && stored) {
        response.writeHead(200, {
          "content-type": stored.contentType,
          etag: '"abc123"',
          connection: "x-origin-hop",
          "x-origin-hop": "only for the proxy",
          "proxy-authenticate": "Basic",
          "x-amz-request-id": "ORIGIN-REQUEST",
        });
        response.end(stored.body);
        return;
      }
      response.writeHead(200, { etag: '"put-etag"', "x-amz-request-id": "ORIGIN-REQUEST" });
      response.end();
    });
  });
  originUrl = await listen(origin);

  // The real edge handler, configured like the stack renders config.json: the pool's JWKS baked in.
  const jwks = await (await fetch(local.pool.jwksUri)).json();
  const handler = createViewerRequestHandler(
    parseEdgeConfig({
      region: env.region,
      userPoolId: local.pool.userPoolId,
      issuer: local.pool.issuer,
      clientIds: [local.pool.uploadClientId],
      tokenUse: "access",
      jwks,
      maxUploadBytes: 5 * 1024 * 1024,
      allowedContentTypes: ["image/jpeg", "image/png"],
    }),
    { log: () => {} },
  );
  proxy = await startEdgeProxy({
    viewerRequest: async (event) => {
      events.push(structuredClone(event));
      return handler(event);
    },
    origin: { url: originUrl, bucket: BUCKET, region: env.region, credentials: ORIGIN_CREDENTIALS },
  });
});

afterAll(async () => {
  await close(proxy);
  await close(origin);
  await local?.stop();
});

beforeEach(() => {
  received = [];
  events.length = 0;
  stored = undefined;
});

const ownKey = () => `/uploads/${users.alice.sub}/${PHOTO_ID}.jpg`;

function put(uri: string, body: Buffer, authorization?: string): Promise<Response> {
  return fetch(`${proxy.url}${uri}`, {
    method: "PUT",
    headers: {
      "content-type": "image/jpeg",
      ...(authorization ? { authorization } : {}),
    },
    body,
  });
}

/** Recomputes the origin request's SigV4 signature from what the origin received. */
async function expectValidSignature(request: Received): Promise<void> {
  const authorization = String(request.headers.authorization);
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  expect(match, authorization).not.toBeNull();
  const [, accessKeyId, , region, signedHeaders, signature] = match!;
  expect(accessKeyId).toBe(ORIGIN_CREDENTIALS.accessKeyId);
  expect(region).toBe(env.region);
  const signed = signedHeaders!.split(";");
  expect(signed).toEqual(expect.arrayContaining(["host", "x-amz-content-sha256", "x-amz-date"]));
  const headers: Record<string, string> = {};
  for (const name of signed) headers[name] = String(request.headers[name]);
  const amzDate = headers["x-amz-date"]!;
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const url = new URL(request.path, originUrl);
  const resigned = await new SignatureV4({
    service: "s3",
    region: env.region,
    credentials: ORIGIN_CREDENTIALS,
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: false,
    applyChecksum: false,
  }).sign(
    new HttpRequest({
      method: request.method,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
    }),
    { signingDate },
  );
  expect(String(resigned.headers.authorization)).toContain(`Signature=${signature}`);
}

describe("edge proxy in front of the origin, with the real edge handler", () => {
  it("forwards the owner's upload path-style, signed, with the body intact and no viewer token", async () => {
    const body = randomBytes(300 * 1024);
    const response = await put(ownKey(), body, `Bearer ${users.alice.accessToken}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("etag")).toBe('"put-etag"');
    expect(response.headers.get("x-amz-cf-id")).toBeTruthy();

    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.method).toBe("PUT");
    expect(request!.path).toBe(`/${BUCKET}${ownKey()}`);
    expect(createHash("sha256").update(request!.body).digest("hex")).toBe(
      createHash("sha256").update(body).digest("hex"),
    );
    expect(request!.headers["content-type"]).toBe("image/jpeg");
    expect(request!.headers["content-length"]).toBe(String(body.length));
    expect(request!.headers["x-amz-content-sha256"]).toBe("UNSIGNED-PAYLOAD");
    expect(request!.headers.host).toBe(new URL(originUrl).host);
    // The viewer's token never reaches the bucket: the handler removes it, OAC signs instead.
    expect(request!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
    expect(request!.rawHeaders.some((value) => value.includes(users.alice.accessToken))).toBe(false);
    await expectValidSignature(request!);
  });

  it("streams the origin's answer back with its status, headers and body", async () => {
    stored = { body: randomBytes(1024 * 1024), contentType: "image/jpeg" };
    const response = await fetch(`${proxy.url}${ownKey()}`, {
      headers: { authorization: users.alice.accessToken },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/jpeg");
    expect(response.headers.get("etag")).toBe('"abc123"');
    expect(response.headers.get("x-amz-request-id")).toBe("ORIGIN-REQUEST");
    // Hop-by-hop headers of the origin connection stay there.
    expect(response.headers.get("x-origin-hop")).toBeNull();
    expect(response.headers.get("proxy-authenticate")).toBeNull();
    expect(Buffer.from(await response.arrayBuffer()).equals(stored.body)).toBe(true);
    expect(received[0]).toMatchObject({ method: "GET", path: `/${BUCKET}${ownKey()}` });
    await expectValidSignature(received[0]!);
  });

  it("gives the handler a viewer-request event shaped like CloudFront's", async () => {
    const fixture = JSON.parse(
      await readFile(
        new URL("../../../../functions/edge-auth/test/fixtures/viewer-request.json", import.meta.url),
        "utf8",
      ),
    ) as CloudFrontRequestEvent;
    await put(ownKey(), Buffer.from("jpeg bytes"), `Bearer ${users.alice.accessToken}`);
    const event = events[0]!;
    const cf = event.Records[0]!.cf;
    const expectedCf = fixture.Records[0]!.cf;
    expect(Object.keys(event.Records[0]!)).toEqual(Object.keys(fixture.Records[0]!));
    expect(Object.keys(cf.config).sort()).toEqual(Object.keys(expectedCf.config).sort());
    expect(Object.keys(cf.request).sort()).toEqual(Object.keys(expectedCf.request).sort());
    expect(cf.config).toMatchObject({
      eventType: "viewer-request",
      distributionDomainName: new URL(proxy.url).host,
    });
    expect(cf.config.requestId.length).toBeGreaterThan(40);
    expect(cf.request).toMatchObject({
      clientIp: "127.0.0.1",
      method: "PUT",
      querystring: "",
      uri: ownKey(),
    });
    for (const [name, entries] of Object.entries(cf.request.headers)) {
      expect(name).toBe(name.toLowerCase());
      for (const entry of entries) expect(entry.key?.toLowerCase()).toBe(name);
    }
    expect(cf.request.headers["content-type"]).toEqual([{ key: "content-type", value: "image/jpeg" }]);
    expect(cf.request.headers["content-length"]?.[0]?.value).toBe("10");
    expect(cf.request.headers.authorization?.[0]?.value).toBe(`Bearer ${users.alice.accessToken}`);
    expect(cf.request.headers.connection).toBeUndefined();
  });

  it("returns the handler's 403 for someone else's key, and the origin sees nothing", async () => {
    const response = await put(
      `/uploads/${users.bob.sub}/${PHOTO_ID}.jpg`,
      randomBytes(1024),
      `Bearer ${users.alice.accessToken}`,
    );
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toMatchObject({ error: { code: "FORBIDDEN" } });
    expect(received).toHaveLength(0);
  });

  it("returns 401 without a token, and the origin sees nothing", async () => {
    const response = await put(ownKey(), randomBytes(1024));
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer realm="photogate"/);
    expect(await response.json()).toMatchObject({ error: { code: "MISSING_TOKEN" } });
    expect(received).toHaveLength(0);
  });

  it("passes the query string to the handler, which refuses it", async () => {
    const response = await fetch(`${proxy.url}${ownKey()}?versionId=1&acl`, {
      headers: { authorization: users.alice.accessToken },
    });
    expect(response.status).toBe(400);
    expect(events[0]!.Records[0]!.cf.request.querystring).toBe("versionId=1&acl");
    expect(received).toHaveLength(0);
  });
});

describe("edge proxy failures", () => {
  async function withProxy(
    viewerRequest: ViewerRequestHandler,
    url: string,
    run: (proxyUrl: string) => Promise<void>,
  ): Promise<void> {
    const other = await startEdgeProxy({
      viewerRequest,
      origin: { url, bucket: BUCKET, region: env.region, credentials: ORIGIN_CREDENTIALS },
    });
    try {
      await run(other.url);
    } finally {
      await other.close();
    }
  }

  it("answers 503 when the handler throws, as CloudFront does", async () => {
    await withProxy(
      async () => {
        throw new Error("boom");
      },
      originUrl,
      async (url) => {
        const response = await fetch(`${url}/anything`);
        expect(response.status).toBe(503);
        expect(await response.text()).toMatch(/boom/);
      },
    );
    expect(received).toHaveLength(0);
  });

  it("answers 502 when the origin cannot be reached, and forwards a query string it signs", async () => {
    const closed = createServer();
    const deadUrl = await listen(closed);
    await close(closed);
    await withProxy(
      async (event) => event.Records[0]!.cf.request,
      deadUrl,
      async (url) => {
        const response = await fetch(`${url}/some/key`);
        expect(response.status).toBe(502);
      },
    );
    await withProxy(
      async (event) => event.Records[0]!.cf.request,
      originUrl,
      async (url) => {
        const response = await fetch(`${url}/some/key?list-type=2&prefix=a%20b`);
        expect(response.status).toBe(200);
      },
    );
    expect(received[0]!.path).toBe(`/${BUCKET}/some/key?list-type=2&prefix=a%20b`);
    await expectValidSignature(received[0]!);
  });
});
