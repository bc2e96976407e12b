import { afterEach, describe, expect, it, vi } from "vitest";
import { UnauthorizedError } from "../../src/errors";
import { VerifiedTokenCache } from "../../src/verified-token-cache";
import { createAccessTokenVerifier } from "../../src/verifier";
import { accessClaims, edgeConfig, poolKey } from "../support/fixtures";
import { makeKey, signJwt } from "../support/tokens";

const nowSeconds = () => Math.floor(Date.now() / 1000);
const header = { kid: poolKey.kid, alg: "RS256" };

async function refusal(promise: Promise<unknown>): Promise<UnauthorizedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnauthorizedError);
  return error as UnauthorizedError;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("verified-token cache in the access-token verifier", () => {
  it("answers a repeated token with the very claims its first verification gave", async () => {
    const verify = createAccessTokenVerifier(edgeConfig());
    const token = signJwt(header, accessClaims(), { key: poolKey.privateKey });
    const first = await verify(token);
    expect(first.sub).toBe(accessClaims().sub);
    expect(await verify(token)).toBe(first);
  });

  it("re-verifies a token once its exp has passed, and refuses it as expired", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const verify = createAccessTokenVerifier(edgeConfig());
    const iat = nowSeconds() - 60;
    const token = signJwt(header, accessClaims({ iat, auth_time: iat, exp: iat + 120 }), {
      key: poolKey.privateKey,
    });
    await verify(token);
    // Past exp and the clock-skew grace the verifier allows.
    vi.setSystemTime(Date.now() + 10 * 60 * 1000);
    expect((await refusal(verify(token))).code).toBe("TOKEN_EXPIRED");
  });

  it("does not remember a refusal: the same token is judged afresh", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const verify = createAccessTokenVerifier(edgeConfig());
    // Issued two minutes ahead of this clock: refused now, valid once the clock catches up.
    const iat = nowSeconds() + 120;
    const token = signJwt(header, accessClaims({ iat, auth_time: iat, exp: iat + 3600 }), {
      key: poolKey.privateKey,
    });
    await refusal(verify(token));
    vi.setSystemTime(Date.now() + 180 * 1000);
    expect((await verify(token)).sub).toBe(accessClaims().sub);
  });

  it("refuses the same header and payload under another signature after the real one was cached", async () => {
    const verify = createAccessTokenVerifier(edgeConfig());
    const claims = accessClaims();
    const genuine = signJwt(header, claims, { key: poolKey.privateKey });
    const forged = signJwt(header, claims, { key: makeKey(poolKey.kid).privateKey });
    expect(forged.split(".").slice(0, 2)).toEqual(genuine.split(".").slice(0, 2));
    await verify(genuine);
    expect((await refusal(verify(forged))).code).toBe("INVALID_TOKEN");
  });

  it("refuses a cached signature glued to another payload", async () => {
    const verify = createAccessTokenVerifier(edgeConfig());
    const genuine = signJwt(header, accessClaims(), { key: poolKey.privateKey });
    await verify(genuine);
    const other = signJwt(header, accessClaims({ sub: "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d" }), {
      key: poolKey.privateKey,
    });
    const glued = `${other.slice(0, other.lastIndexOf("."))}${genuine.slice(genuine.lastIndexOf("."))}`;
    expect((await refusal(verify(glued))).code).toBe("INVALID_TOKEN");
  });
});

describe("VerifiedTokenCache", () => {
  const exp = () => nowSeconds() + 3600;

  it("holds at most maxEntries, dropping the oldest", () => {
    const cache = new VerifiedTokenCache<string>(3);
    for (const n of [1, 2, 3, 4, 5]) cache.set(`h.p${n}.s${n}`, `v${n}`, exp());
    expect(cache.size).toBe(3);
    expect(cache.get("h.p1.s1")).toBeUndefined();
    expect(cache.get("h.p2.s2")).toBeUndefined();
    expect([cache.get("h.p3.s3"), cache.get("h.p4.s4"), cache.get("h.p5.s5")]).toEqual(["v3", "v4", "v5"]);
  });

  it("misses a token that shares the indexed end of the signature but differs elsewhere", () => {
    const cache = new VerifiedTokenCache<string>(3);
    const signature = "S".repeat(300);
    cache.set(`h.p.A${signature}`, "v", exp());
    expect(cache.get(`h.p.B${signature}`)).toBeUndefined();
    expect(cache.get(`h.q.A${signature}`)).toBeUndefined();
    expect(cache.get(`h.p.A${signature}`)).toBe("v");
  });

  it("never stores a token that has already expired", () => {
    const cache = new VerifiedTokenCache<string>(3);
    cache.set("h.p.s", "v", nowSeconds() - 1);
    expect(cache.size).toBe(0);
  });

  it("refuses a bound that is not a positive integer", () => {
    expect(() => new VerifiedTokenCache(0)).toThrow(/positive integer/);
  });
});
