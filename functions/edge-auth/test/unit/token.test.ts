import { createSign } from "node:crypto";
import type { Fetcher } from "aws-jwt-verify/https";
import { describe, expect, it } from "vitest";
import { createViewerRequestHandler, type RefusalLogLine } from "../../src/authorise";
import { createAccessTokenVerifier } from "../../src/verifier";
import {
  accessClaims,
  accessToken,
  asResponse,
  edgeConfig,
  ISSUER,
  OTHER,
  OWNER,
  poolKey,
  requestOf,
  USER_POOL_ID,
  uploadUri,
  viewerEvent,
} from "../support/fixtures";
import { makeKey, signJwt } from "../support/tokens";

/** A JWKS endpoint stand-in that counts requests and serves whatever key set it holds. */
function countingFetcher(keys: unknown[] = [poolKey.jwk]) {
  const calls: string[] = [];
  const state = { keys, fail: false };
  const fetcher: Fetcher = {
    async fetch(uri) {
      calls.push(uri);
      if (state.fail) throw new Error("connect ECONNREFUSED");
      return new TextEncoder().encode(JSON.stringify({ keys: state.keys })).buffer as ArrayBuffer;
    },
  };
  return { fetcher, calls, state };
}

function setup(configOverrides: Record<string, unknown> = {}) {
  const endpoint = countingFetcher();
  const logs: RefusalLogLine[] = [];
  let clock = Date.now();
  const handler = createViewerRequestHandler(edgeConfig(configOverrides), {
    fetcher: endpoint.fetcher,
    log: (line) => logs.push(line),
    now: () => clock,
  });
  const advance = (ms: number) => {
    clock += ms;
  };
  return { handler, endpoint, logs, advance };
}

async function expectUnauthorized(result: unknown, code = "INVALID_TOKEN") {
  const response = asResponse(result);
  expect(response.status).toBe("401");
  expect(response.headers?.["content-type"]?.[0]?.value).toBe("application/json");
  expect(response.headers?.["cache-control"]?.[0]?.value).toBe("no-store");
  expect(response.headers?.["www-authenticate"]?.[0]?.value).toMatch(/^Bearer realm="photogate"/);
  const body = JSON.parse(response.body) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(10);
}

const now = () => Math.floor(Date.now() / 1000);

describe("Authorization header (QUALITY 1, 2)", () => {
  it("refuses a request without Authorization with 401 MISSING_TOKEN", async () => {
    const { handler } = setup();
    await expectUnauthorized(await handler(viewerEvent({ authorization: null })), "MISSING_TOKEN");
  });

  it("accepts 'Bearer <jwt>', a lower-case scheme and a bare <jwt>", async () => {
    const { handler } = setup();
    const token = accessToken();
    for (const authorization of [`Bearer ${token}`, `bearer ${token}`, token]) {
      const result = await handler(viewerEvent({ authorization }));
      expect(result).not.toHaveProperty("status");
      expect(requestOf(viewerEvent()).uri).toBe((result as { uri: string }).uri);
    }
  });

  it.each([
    ["another scheme", () => `Basic ${Buffer.from("user:pass").toString("base64")}`],
    ["Token scheme with a valid JWT", () => `Token ${accessToken()}`],
    ["garbage", () => "not-a-token"],
    ["two dots only", () => ".."],
    ["Bearer and two dots", () => "Bearer .."],
    ["four parts", () => `${accessToken()}.abc`],
    ["base64 (not base64url) characters", () => accessToken().replace(/\.([^.]*)$/, ".ab+c/d==")],
    ["padding characters", () => `${accessToken()}==`],
    [
      "JSON that is not an object in the header",
      () => `${Buffer.from("[1]").toString("base64url")}.e30.c2ln`,
    ],
    ["non-JSON header", () => `${Buffer.from("{{{").toString("base64url")}.e30.c2ln`],
    ["a token inside quotes", () => `Bearer "${accessToken()}"`],
    ["a huge header", () => `Bearer ${"a".repeat(9000)}.b.c`],
  ])("refuses %s with 401", async (_name, authorization) => {
    const { handler, endpoint } = setup();
    await expectUnauthorized(await handler(viewerEvent({ authorization: authorization() })));
    expect(endpoint.calls).toHaveLength(0);
  });

  it("refuses an empty or blank header with 401 MISSING_TOKEN", async () => {
    const { handler } = setup();
    await expectUnauthorized(await handler(viewerEvent({ authorization: "" })), "MISSING_TOKEN");
    await expectUnauthorized(await handler(viewerEvent({ authorization: "Bearer   " })), "INVALID_TOKEN");
  });

  it("refuses two Authorization headers, even if both are valid", async () => {
    const { handler } = setup();
    const token = accessToken();
    await expectUnauthorized(await handler(viewerEvent({ headers: { authorization: [token, token] } })));
  });
});

describe("signature and algorithm (QUALITY 3)", () => {
  it("refuses alg none, with or without a signature part", async () => {
    const { handler } = setup();
    const unsigned = signJwt({ kid: poolKey.kid, alg: "none" }, accessClaims(), { none: true });
    await expectUnauthorized(await handler(viewerEvent({ authorization: unsigned })));
    await expectUnauthorized(await handler(viewerEvent({ authorization: `${unsigned}c2ln` })));
  });

  it("refuses HS256 signed with the pool's public key as the HMAC secret", async () => {
    const { handler } = setup();
    const pem = poolKey.publicKey.export({ type: "spki", format: "pem" });
    for (const secret of [pem, JSON.stringify(poolKey.jwk)]) {
      const token = signJwt({ kid: poolKey.kid, alg: "HS256" }, accessClaims(), { hmacSecret: secret });
      await expectUnauthorized(await handler(viewerEvent({ authorization: token })));
    }
  });

  it("refuses RS256 signed with a foreign key under the pool's kid", async () => {
    const { handler, endpoint } = setup();
    const foreign = makeKey(poolKey.kid);
    await expectUnauthorized(
      await handler(viewerEvent({ authorization: accessToken({}, { key: foreign }) })),
    );
    expect(endpoint.calls).toHaveLength(0);
  });

  it("refuses a token whose payload was changed after signing", async () => {
    const { handler } = setup();
    const [header, , signature] = accessToken().split(".");
    const forged = Buffer.from(JSON.stringify(accessClaims({ sub: OWNER.replace(/^./, "7") }))).toString(
      "base64url",
    );
    await expectUnauthorized(
      await handler(viewerEvent({ authorization: `${header}.${forged}.${signature}` })),
    );
  });

  it("refuses a token whose header claims ES256 for the pool's RSA key", async () => {
    const { handler } = setup();
    await expectUnauthorized(
      await handler(viewerEvent({ authorization: accessToken({}, { header: { alg: "ES256" } }) })),
    );
  });
});

describe("time claims (QUALITY 4)", () => {
  it("refuses an expired token with TOKEN_EXPIRED", async () => {
    const { handler } = setup();
    const token = accessToken({ iat: now() - 7200, exp: now() - 3600 });
    await expectUnauthorized(await handler(viewerEvent({ authorization: token })), "TOKEN_EXPIRED");
  });

  it("accepts a token that expired within the clock skew, refuses one just beyond it", async () => {
    const { handler } = setup({ clockSkewSeconds: 30 });
    const within = accessToken({ iat: now() - 3600, exp: now() - 10 });
    const beyond = accessToken({ iat: now() - 3600, exp: now() - 45 });
    expect(await handler(viewerEvent({ authorization: within }))).not.toHaveProperty("status");
    await expectUnauthorized(await handler(viewerEvent({ authorization: beyond })), "TOKEN_EXPIRED");
  });

  it("refuses nbf or iat in the future beyond the skew", async () => {
    const { handler } = setup({ clockSkewSeconds: 30 });
    await expectUnauthorized(
      await handler(viewerEvent({ authorization: accessToken({ nbf: now() + 120 }) })),
    );
    await expectUnauthorized(
      await handler(viewerEvent({ authorization: accessToken({ iat: now() + 120, exp: now() + 3720 }) })),
    );
    // Inside the skew both pass: edge clocks drift a little from Cognito's.
    const nearFuture = accessToken({ nbf: now() + 10, iat: now() + 10 });
    expect(await handler(viewerEvent({ authorization: nearFuture }))).not.toHaveProperty("status");
  });

  it("refuses a token without exp or without iat", async () => {
    const { handler } = setup();
    await expectUnauthorized(await handler(viewerEvent({ authorization: accessToken({ exp: undefined }) })));
    await expectUnauthorized(await handler(viewerEvent({ authorization: accessToken({ iat: undefined }) })));
  });
});

describe("issuer, client and token use (QUALITY 5)", () => {
  it.each([
    ["another pool in the same region", `https://cognito-idp.us-east-1.amazonaws.com/us-east-1_0therP00l`],
    ["the same pool id in another region", `https://cognito-idp.eu-west-1.amazonaws.com/${USER_POOL_ID}`],
    ["http instead of https", ISSUER.replace("https:", "http:")],
    ["a trailing slash", `${ISSUER}/`],
    ["no issuer at all", undefined],
  ])("refuses a token from %s without fetching keys", async (_name, iss) => {
    const { handler, endpoint } = setup();
    // An unknown kid too: even then the issuer check must stop it before any JWKS refresh.
    const token = accessToken({ iss }, { key: makeKey("other-pool-key") });
    await expectUnauthorized(await handler(viewerEvent({ authorization: token })));
    const sameKey = accessToken({ iss });
    await expectUnauthorized(await handler(viewerEvent({ authorization: sameKey })));
    expect(endpoint.calls).toHaveLength(0);
  });

  it("refuses a token for another app client, or without client_id", async () => {
    const { handler } = setup();
    await expectUnauthorized(
      await handler(viewerEvent({ authorization: accessToken({ client_id: "other-client" }) })),
    );
    await expectUnauthorized(
      await handler(viewerEvent({ authorization: accessToken({ client_id: undefined }) })),
    );
  });

  it("accepts any of several configured app clients", async () => {
    const { handler } = setup({ clientIds: ["web-client", "mobile-client"] });
    const result = await handler(viewerEvent({ authorization: accessToken({ client_id: "mobile-client" }) }));
    expect(result).not.toHaveProperty("status");
  });

  it("refuses an id token (token_use id, aud instead of client_id)", async () => {
    const { handler } = setup();
    const idToken = accessToken({ token_use: "id", aud: "4m5n6o7p8q9r0s1t2u3v4w5x6y", client_id: undefined });
    await expectUnauthorized(await handler(viewerEvent({ authorization: idToken })));
    const idWithClient = accessToken({ token_use: "id" });
    await expectUnauthorized(await handler(viewerEvent({ authorization: idWithClient })));
  });

  it("refuses a token whose sub is not a user-pool sub", async () => {
    const { handler } = setup();
    await expectUnauthorized(await handler(viewerEvent({ authorization: accessToken({ sub: "admin" }) })));
  });
});

describe("unknown kid and JWKS refresh (QUALITY 6)", () => {
  it("refreshes once for an unknown kid, then refuses it without fetching again", async () => {
    const { handler, endpoint } = setup();
    const stranger = makeKey("not-in-the-pool");
    const token = accessToken({}, { key: stranger });
    await expectUnauthorized(await handler(viewerEvent({ authorization: token })));
    expect(endpoint.calls).toEqual([`${ISSUER}/.well-known/jwks.json`]);
    await expectUnauthorized(await handler(viewerEvent({ authorization: token })));
    expect(endpoint.calls).toHaveLength(1);
  });

  it("a flood of 100 unknown kids fetches at most once", async () => {
    const { handler, endpoint } = setup();
    const stranger = makeKey("flood-key");
    const tokens = Array.from({ length: 100 }, (_, i) =>
      accessToken({}, { key: { ...stranger, kid: `kid-${i}` } }),
    );
    // Half at once (one Lambda instance can still see overlapping awaits), half one by one.
    const concurrent = await Promise.all(
      tokens.slice(0, 50).map((t) => handler(viewerEvent({ authorization: t }))),
    );
    for (const result of concurrent) expect(asResponse(result).status).toBe("401");
    for (const token of tokens.slice(50)) {
      expect(asResponse(await handler(viewerEvent({ authorization: token }))).status).toBe("401");
    }
    expect(endpoint.calls.length).toBeLessThanOrEqual(1);
  });

  it("when the key endpoint is down, a flood still fetches once per cool-down", async () => {
    const { handler, endpoint, advance } = setup({ jwksRefreshCooldownSeconds: 30 });
    endpoint.state.fail = true;
    const token = accessToken({}, { key: makeKey("unknown") });
    for (let i = 0; i < 20; i++)
      await expectUnauthorized(await handler(viewerEvent({ authorization: token })));
    expect(endpoint.calls).toHaveLength(1);
    advance(31_000);
    await expectUnauthorized(await handler(viewerEvent({ authorization: token })));
    expect(endpoint.calls).toHaveLength(2);
  });

  it("a rotated key is picked up by the one refresh, and known keys keep working", async () => {
    const { handler, endpoint } = setup();
    const rotated = makeKey("pool-key-2");
    endpoint.state.keys = [poolKey.jwk, rotated.jwk];
    const result = await handler(viewerEvent({ authorization: accessToken({}, { key: rotated }) }));
    expect(result).not.toHaveProperty("status");
    expect(endpoint.calls).toHaveLength(1);
    expect(
      await handler(viewerEvent({ authorization: accessToken({}, { key: rotated }) })),
    ).not.toHaveProperty("status");
    expect(await handler(viewerEvent({ authorization: accessToken() }))).not.toHaveProperty("status");
    expect(endpoint.calls).toHaveLength(1);
  });

  it("a token signed by a rotated key still gets every access check after the refresh", async () => {
    const { handler, endpoint } = setup();
    const rotated = makeKey("pool-key-2");
    endpoint.state.keys = [poolKey.jwk, rotated.jwk];
    const token = accessToken({}, { key: rotated });
    // The fixture's request is a valid upload to OWNER's prefix.
    const intoOther = await handler(viewerEvent({ uri: uploadUri(OTHER), authorization: token }));
    expect(asResponse(intoOther)).toMatchObject({ status: "403" });
    const ownUpload = viewerEvent({ authorization: token });
    expect(await handler(ownUpload)).toBe(requestOf(ownUpload));
    expect(requestOf(ownUpload).headers.authorization).toBeUndefined();
    expect(endpoint.calls).toHaveLength(1);
  });

  it("a JWKS response that is not a key set starts the cool-down too", async () => {
    const calls: string[] = [];
    const fetcher: Fetcher = {
      async fetch(uri) {
        calls.push(uri);
        return new TextEncoder().encode("<html>maintenance</html>").buffer as ArrayBuffer;
      },
    };
    const handler = createViewerRequestHandler(edgeConfig(), { fetcher, log: () => {} });
    const token = accessToken({}, { key: makeKey("unknown") });
    for (let i = 0; i < 5; i++)
      await expectUnauthorized(await handler(viewerEvent({ authorization: token })));
    expect(calls).toHaveLength(1);
  });
});

describe("token structure, signed with the pool's own key", () => {
  // Each token carries a valid RS256 signature by the pool key, so only the edge's parsing and
  // claim checks stand between it and the origin.
  const signedRaw = (header: string, payload: string) => {
    const input = `${Buffer.from(header).toString("base64url")}.${Buffer.from(payload).toString("base64url")}`;
    return `${input}.${createSign("RSA-SHA256").update(input).sign(poolKey.privateKey).toString("base64url")}`;
  };
  const goodHeader = JSON.stringify({ kid: poolKey.kid, alg: "RS256" });
  const goodPayload = JSON.stringify(accessClaims());

  it("accepts the well-formed token these cases are built from", async () => {
    const { handler } = setup();
    expect(
      await handler(viewerEvent({ authorization: signedRaw(goodHeader, goodPayload) })),
    ).not.toHaveProperty("status");
  });

  it.each([
    ["a header that is not JSON", "{kid:", goodPayload],
    ["a header that is a JSON array", JSON.stringify([poolKey.kid, "RS256"]), goodPayload],
    ["a payload that is not JSON", goodHeader, "{sub:"],
    ["a payload that is a JSON string", goodHeader, JSON.stringify(goodPayload)],
    ["a payload that is null", goodHeader, "null"],
    ["exp as a string", goodHeader, JSON.stringify(accessClaims({ exp: String(now() + 3600) }))],
    ["nbf as a string", goodHeader, JSON.stringify(accessClaims({ nbf: "0" }))],
    ["claims hidden under __proto__", goodHeader, `{"__proto__":${goodPayload}}`],
  ])("refuses %s with 401", async (_name, header, payload) => {
    const { handler, endpoint } = setup();
    await expectUnauthorized(await handler(viewerEvent({ authorization: signedRaw(header, payload) })));
    expect(endpoint.calls).toHaveLength(0);
  });

  it("judges every header on its own, past the few it keeps decoded", async () => {
    const { handler, endpoint } = setup();
    for (let i = 0; i < 20; i++) {
      const header = JSON.stringify({ kid: poolKey.kid, alg: "RS256", x: i });
      expect(
        await handler(viewerEvent({ authorization: signedRaw(header, goodPayload) })),
      ).not.toHaveProperty("status");
      const wrongAlg = JSON.stringify({ kid: poolKey.kid, alg: "RS512", x: i });
      await expectUnauthorized(
        await handler(viewerEvent({ authorization: signedRaw(wrongAlg, goodPayload) })),
      );
    }
    // A known header does not make a forged signature pass.
    const genuine = signedRaw(goodHeader, goodPayload);
    expect(await handler(viewerEvent({ authorization: genuine }))).not.toHaveProperty("status");
    const [head, body] = genuine.split(".");
    const forged = `${head}.${body}.${signedRaw(goodHeader, "{}").split(".")[2]}`;
    await expectUnauthorized(await handler(viewerEvent({ authorization: forged })));
    expect(endpoint.calls).toHaveLength(0);
  });

  it("refuses a header without kid, without fetching keys", async () => {
    const { handler, endpoint } = setup();
    const token = signedRaw(JSON.stringify({ alg: "RS256" }), goodPayload);
    await expectUnauthorized(await handler(viewerEvent({ authorization: token })));
    expect(endpoint.calls).toHaveLength(0);
  });

  it("refuses a signature cut short or with a character added", async () => {
    const { handler } = setup();
    const token = signedRaw(goodHeader, goodPayload);
    for (const altered of [token.slice(0, -4), `${token}A`, `${token}.${token.split(".")[2]}`]) {
      await expectUnauthorized(await handler(viewerEvent({ authorization: altered })));
    }
  });

  it("refuses a cut-short signature right after the whole one was accepted", async () => {
    // The parts are decoded into one reused buffer: what an earlier token left there must
    // not complete a later one.
    const { handler } = setup();
    const genuine = signedRaw(goodHeader, goodPayload);
    const other = signedRaw(goodHeader, JSON.stringify(accessClaims({ jti: "other" })));
    expect(await handler(viewerEvent({ authorization: genuine }))).not.toHaveProperty("status");
    await expectUnauthorized(await handler(viewerEvent({ authorization: other.slice(0, -8) })));
    await expectUnauthorized(await handler(viewerEvent({ authorization: genuine.slice(0, -8) })));
  });

  it("refuses a token longer than 8192 characters given straight to the verifier", async () => {
    const verify = createAccessTokenVerifier(edgeConfig());
    const padded = signedRaw(goodHeader, JSON.stringify(accessClaims({ pad: "x".repeat(9000) })));
    await expect(verify(padded)).rejects.toMatchObject({
      code: "INVALID_TOKEN",
      detail: expect.stringMatching(/longer than 8192/),
    });
  });
});

describe("cold start (QUALITY 13)", () => {
  it("builds the handler and verifies the first token without any network call", async () => {
    const { handler, endpoint } = setup();
    const result = await handler(viewerEvent());
    expect(result).not.toHaveProperty("status");
    expect(endpoint.calls).toHaveLength(0);
  });
});

describe("refusal log lines", () => {
  it("logs one line per refusal with its code, and never the token", async () => {
    const { handler, logs } = setup();
    const expired = accessToken({ iat: now() - 7200, exp: now() - 3600 });
    await handler(viewerEvent({ authorization: `Bearer ${expired}` }));
    await handler(viewerEvent({ authorization: "garbage" }));
    await handler(viewerEvent());
    expect(logs.map((l) => l.code)).toEqual(["TOKEN_EXPIRED", "INVALID_TOKEN"]);
    const [signature] = expired.split(".").slice(2);
    for (const line of logs) {
      const text = JSON.stringify(line);
      expect(text).not.toContain(expired);
      expect(text).not.toContain(signature);
      expect(text).not.toContain(expired.split(".")[1]);
    }
    expect(logs[0]).toMatchObject({ status: 401, method: "PUT", requestId: expect.any(String) });
  });
});
