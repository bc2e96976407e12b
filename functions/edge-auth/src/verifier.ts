import { createPublicKey, type KeyObject, verify as verifySignature } from "node:crypto";
import { isUuid } from "@photogate/core/edge";
import {
  JwtExpiredError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  WaitPeriodNotYetEndedJwkError,
} from "aws-jwt-verify/error";
import type { Fetcher } from "aws-jwt-verify/https";
import { assertIsJwks, type Jwks, type PenaltyBox, SimpleJwksCache } from "aws-jwt-verify/jwk";
import { decomposeUnverifiedJwt } from "aws-jwt-verify/jwt";
import type { JwtHeader, JwtPayload } from "aws-jwt-verify/jwt-model";
import { JwtVerifier } from "aws-jwt-verify/jwt-verifier";
import { type EdgeConfig, jwksUri } from "./config";
import { UnauthorizedError } from "./errors";
import { VerifiedTokenCache } from "./verified-token-cache";

/** What the rest of the edge needs from a verified access token. */
export interface AccessTokenClaims {
  /** The user-pool `sub`: the owner namespace of every key (DESIGN.md "Identity"). */
  sub: string;
  clientId: string;
}

export interface VerifierDeps {
  /** Fetches the JWKS when a token names an unknown `kid`; tests inject one to count calls. */
  fetcher?: Fetcher;
  /** Clock for the refresh cool-down and the verified-token cache, in ms. */
  now?: () => number;
  /** How many verified tokens are remembered (least recently used go first). */
  verifiedTokenCacheSize?: number;
}

// Cognito signs with RS256 only; refusing everything else up front means `none`, HS256 and
// algorithm-confusion tokens never reach key lookup, let alone a JWKS refresh.
const ACCEPTED_ALG = "RS256";
// Real Cognito access tokens are ~1 KB; a cap keeps a hostile header from costing parse time.
const MAX_TOKEN_LENGTH = 8192;
// A viewer-request trigger has 5 s in all; a slow key endpoint must not eat that.
const JWKS_FETCH_TIMEOUT_MS = 1500;
// ~1 KB per token: a few MB at most of the 128 MB an edge function gets.
const VERIFIED_TOKEN_CACHE_SIZE = 2000;
// Where a token's parts are decoded: verification is synchronous, so one buffer serves every
// request without allocating. Base64url decodes to fewer bytes than it has characters.
const scratch = Buffer.allocUnsafe(MAX_TOKEN_LENGTH);
// Three unpadded base64url parts, the shape aws-jwt-verify also demands.
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
// A pool has two signing keys; headers with extra fields are still accepted, just not kept.
const MAX_KNOWN_HEADERS = 16;

/**
 * Accepts `Authorization: Bearer <jwt>` and a bare `<jwt>` (what curl users type);
 * returns the token, or throws a 401 naming what was wrong with the header.
 */
export function tokenFromAuthorization(values: readonly string[] | undefined): string {
  if (!values || values.length === 0) {
    throw new UnauthorizedError(
      "MISSING_TOKEN",
      "Sign in: an Authorization header with an access token is required",
    );
  }
  if (values.length > 1) throw invalidToken("more than one Authorization header");
  const value = (values[0] ?? "").trim();
  const token = value.slice(0, 7).toLowerCase() === "bearer " ? value.slice(7).trimStart() : value;
  if (token === "") {
    throw new UnauthorizedError("MISSING_TOKEN", "Sign in: the Authorization header is empty");
  }
  // The base64url alphabet and the three parts are checked by aws-jwt-verify's own parser;
  // it tolerates `=` padding, which base64url JWTs never carry.
  if (token.length > MAX_TOKEN_LENGTH || token.includes("=") || token.includes(" ")) {
    throw invalidToken("Authorization is neither 'Bearer <jwt>' nor a bare JWT");
  }
  return token;
}

/**
 * Builds the access-token check. The baked JWKS is put in the cache up front, so verifying
 * a token signed by a known key never touches the network; an unknown `kid` (a key rotation)
 * costs at most one JWKS fetch per cool-down period, however many such tokens arrive.
 */
export function createAccessTokenVerifier(
  config: EdgeConfig,
  deps: VerifierDeps = {},
): (token: string) => Promise<AccessTokenClaims> {
  const check = createAccessTokenCheck(config, deps);
  return async (token) => check(token);
}

/**
 * The same check, answering synchronously when it can: a token it has verified before or one
 * signed by a baked key gives the claims (or throws the 401) at once, and only a token naming
 * an unknown key gives a promise (it may need a JWKS fetch). The handler uses this, so a
 * request pays for no promise it does not need.
 */
export function createAccessTokenCheck(
  config: EdgeConfig,
  deps: VerifierDeps = {},
): (token: string) => AccessTokenClaims | Promise<AccessTokenClaims> {
  const now = deps.now ?? Date.now;
  const uri = jwksUri(config);
  const penaltyBox = new CooldownPenaltyBox(config.jwksRefreshCooldownSeconds * 1000, now);
  const fetcher = deps.fetcher ?? globalFetcher;
  const jwksCache = new SimpleJwksCache({
    penaltyBox,
    // A failed or unreadable fetch starts the cool-down too, so a key endpoint that is down
    // cannot turn a flood of unknown kids into a flood of fetches.
    fetcher: {
      fetch: async (...args) => {
        try {
          return await fetcher.fetch(...args);
        } catch (error) {
          penaltyBox.registerFailedAttempt(uri);
          throw error;
        }
      },
    },
    jwksParser: (body) => {
      try {
        const jwks: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
        assertIsJwks(jwks as Parameters<typeof assertIsJwks>[0]);
        return jwks as Jwks;
      } catch (error) {
        penaltyBox.registerFailedAttempt(uri);
        throw error;
      }
    },
  });
  const clientIds = new Set(config.clientIds);
  const skew = config.clockSkewSeconds;

  const verifier = JwtVerifier.create(
    {
      issuer: config.issuer,
      audience: null, // Cognito access tokens carry client_id, not aud: checked below.
      jwksUri: uri,
      graceSeconds: skew,
      customJwtCheck: ({ header, payload }) =>
        checkAccessClaims(header, payload, clientIds, skew, config.tokenUse),
    },
    { jwksCache },
  );
  verifier.cacheJwks(config.jwks as Jwks);

  // Slow path, only for a kid the cache does not hold: checked before the key lookup so a
  // token from another pool or with a foreign algorithm cannot trigger a JWKS refresh.
  const verifyWithRefresh = async (token: string): Promise<JwtPayload> => {
    const { header, payload } = decomposeUnverifiedJwt(token);
    if (header.alg !== ACCEPTED_ALG) throw new Error(`alg ${String(header.alg)} is not accepted`);
    if (payload.iss !== config.issuer) throw new Error("token is from another issuer");
    return verifier.verify(token);
  };

  const verified = new VerifiedTokenCache<AccessTokenClaims>(
    deps.verifiedTokenCacheSize ?? VERIFIED_TOKEN_CACHE_SIZE,
    now,
  );

  // The baked keys as ready KeyObjects: config.jwks is schema-checked to RSA keys whose alg,
  // when given, is RS256 and whose use, when given, is sig.
  const bakedKeys = new Map<string, KeyObject>();
  for (const jwk of config.jwks.keys) bakedKeys.set(jwk.kid, createPublicKey({ key: jwk, format: "jwk" }));
  // Every token a pool signs with one key has the same header part: decoded once, it is only
  // looked up afterwards. Only headers that passed (RS256, a baked kid) are kept, a bounded few.
  const knownHeaders = new Map<string, { header: JwtHeader; key: KeyObject }>();

  /**
   * Fast path, for a token naming a baked key: the checks aws-jwt-verify's verifySync makes for
   * this configuration (shape, alg, signature, exp, nbf, iss) plus ours, with each part decoded
   * once and a one-shot RSA verify. Returns undefined for a kid that is not baked.
   */
  const verifyWithBakedKey = (token: string): JwtPayload | undefined => {
    if (token.length > MAX_TOKEN_LENGTH) {
      throw new JwtParseError(`JWT is longer than ${MAX_TOKEN_LENGTH} characters`);
    }
    if (!JWT_SHAPE.test(token)) throw new JwtParseError("JWT is not three base64url parts");
    const firstDot = token.indexOf(".");
    const lastDot = token.lastIndexOf(".");
    const headerPart = token.slice(0, firstDot);
    let known = knownHeaders.get(headerPart);
    if (known === undefined) {
      const header = parseJsonObject(headerPart, "header") as JwtHeader;
      if (header.alg !== ACCEPTED_ALG) throw new Error(`alg ${String(header.alg)} is not accepted`);
      const key = typeof header.kid === "string" ? bakedKeys.get(header.kid) : undefined;
      if (key === undefined) return undefined;
      known = { header, key };
      if (knownHeaders.size < MAX_KNOWN_HEADERS) knownHeaders.set(headerPart, known);
    }
    const { header, key } = known;
    const payload = parseJsonObject(token.slice(firstDot + 1, lastDot), "payload") as JwtPayload;
    // The signed text (ASCII, checked above) and the signature bytes side by side in the
    // scratch buffer: together they take fewer bytes than the token has characters.
    scratch.write(token, 0, lastDot, "latin1");
    const signatureEnd = lastDot + scratch.write(token.slice(lastDot + 1), lastDot, "base64url");
    const signed = scratch.subarray(0, lastDot);
    if (!verifySignature("RSA-SHA256", signed, key, scratch.subarray(lastDot, signatureEnd))) {
      throw new JwtInvalidSignatureError("Invalid signature");
    }
    const nowSeconds = Date.now() / 1000;
    if (typeof payload.exp !== "number" || !Number.isFinite(payload.exp)) throw new Error("token has no exp");
    if (payload.exp + skew < nowSeconds) {
      throw new JwtExpiredError(
        `Token expired at ${new Date(payload.exp * 1000).toISOString()}`,
        payload.exp,
      );
    }
    if (payload.nbf !== undefined) {
      if (typeof payload.nbf !== "number" || !Number.isFinite(payload.nbf))
        throw new Error("nbf is not a number");
      if (payload.nbf - skew > nowSeconds) throw new JwtNotBeforeError("Token is not valid yet", payload.nbf);
    }
    if (payload.iss !== config.issuer) {
      throw new JwtInvalidIssuerError("Issuer not allowed", String(payload.iss), config.issuer);
    }
    checkAccessClaims(header, payload, clientIds, skew, config.tokenUse);
    return payload;
  };

  const remember = (token: string, payload: JwtPayload): AccessTokenClaims => {
    // Frozen: every later request with this token gets this very object.
    const claims = Object.freeze({ sub: payload.sub as string, clientId: payload.client_id as string });
    verified.set(token, claims, payload.exp as number);
    return claims;
  };
  const slowPath = async (token: string): Promise<AccessTokenClaims> => {
    try {
      return remember(token, await verifyWithRefresh(token));
    } catch (error) {
      throw toUnauthorized(error);
    }
  };

  return (token) => {
    const known = verified.get(token);
    if (known) return known;
    let payload: JwtPayload | undefined;
    try {
      // No promise, no fetch: the baked keys sign every token until the pool rotates its keys.
      payload = verifyWithBakedKey(token);
    } catch (error) {
      throw toUnauthorized(error);
    }
    return payload === undefined ? slowPath(token) : remember(token, payload);
  };
}

/**
 * A base64url JSON object. Plain JSON.parse is safe here: a `__proto__` key becomes an own
 * property (it does not set the prototype), and only named claims are read from the result.
 */
function parseJsonObject(part: string, name: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(scratch.toString("utf8", 0, scratch.write(part, 0, "base64url")));
  } catch (error) {
    throw new JwtParseError(`Invalid JWT: the ${name} is not valid JSON`, error);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new JwtParseError(`Invalid JWT: the ${name} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function checkAccessClaims(
  header: JwtHeader,
  payload: JwtPayload,
  clientIds: ReadonlySet<string>,
  skewSeconds: number,
  tokenUse: string,
): void {
  // A baked JWK without `alg` would otherwise let the header pick the algorithm.
  if (header.alg !== ACCEPTED_ALG) throw new Error(`alg ${String(header.alg)} is not accepted`);
  if (payload.token_use !== tokenUse)
    throw new Error(`token_use ${String(payload.token_use)} is not ${tokenUse}`);
  if (typeof payload.client_id !== "string" || !clientIds.has(payload.client_id)) {
    throw new Error("client_id is not one of this distribution's app clients");
  }
  // aws-jwt-verify checks exp only when present and never looks at iat.
  if (typeof payload.exp !== "number") throw new Error("token has no exp");
  if (typeof payload.iat !== "number" || payload.iat > Date.now() / 1000 + skewSeconds) {
    throw new Error("iat is missing or in the future");
  }
  if (typeof payload.sub !== "string" || !isUuid(payload.sub)) throw new Error("sub is not a user-pool sub");
}

function invalidToken(detail: string): UnauthorizedError {
  return new UnauthorizedError("INVALID_TOKEN", "The access token is not valid: sign in again", detail);
}

function toUnauthorized(error: unknown): UnauthorizedError {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (error instanceof JwtExpiredError) {
    return new UnauthorizedError(
      "TOKEN_EXPIRED",
      "The access token has expired: refresh it and retry",
      detail,
    );
  }
  return invalidToken(detail);
}

/**
 * aws-jwt-verify's penalty-box contract, on timestamps rather than timers: after a refresh
 * that failed or did not contain the requested kid, further refreshes wait `cooldownMs`.
 */
class CooldownPenaltyBox implements PenaltyBox {
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    private readonly cooldownMs: number,
    private readonly now: () => number,
  ) {}

  async wait(uri: string): Promise<void> {
    const until = this.blockedUntil.get(uri);
    if (until !== undefined && this.now() < until) {
      throw new WaitPeriodNotYetEndedJwkError(
        "JWKS was refreshed recently; unknown kid refused without fetching",
      );
    }
  }

  registerFailedAttempt(uri: string): void {
    this.blockedUntil.set(uri, this.now() + this.cooldownMs);
  }

  registerSuccessfulAttempt(uri: string): void {
    this.blockedUntil.delete(uri);
  }
}

/** The platform fetch (Node 20+): one attempt, a hard time limit, no redirects. */
const globalFetcher: Fetcher = {
  async fetch(uri) {
    const response = await fetch(uri, {
      redirect: "error",
      signal: AbortSignal.timeout(JWKS_FETCH_TIMEOUT_MS),
    });
    if (response.status !== 200) throw new Error(`JWKS fetch returned ${response.status}`);
    return response.arrayBuffer();
  },
};
