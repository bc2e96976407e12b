import {
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtParseError,
} from "aws-jwt-verify/error";
import type { Fetcher } from "aws-jwt-verify/https";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { JwtVerifier } from "aws-jwt-verify/jwt-verifier";
import { IdentityError } from "./errors";

/** A user pool the identity pool trusts, as its Logins key names it. */
export interface IdentityProvider {
  /** `iss` of the pool's tokens, e.g. `http://127.0.0.1:9229/local_abc123` for cognito-local. */
  issuer: string;
  /** Where the pool's public keys are; fetched once, then cached (refetched only for an unknown kid). */
  jwksUri: string;
  /** App clients whose ID tokens are accepted (the token's `aud`). */
  clientIds: readonly string[];
}

// cognito-local serves its keys over http, which aws-jwt-verify's own Node fetcher refuses.
const JWKS_FETCH_TIMEOUT_MS = 3000;
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
 * Verifies a user-pool ID token as an identity pool does: signature by the pool's key, issuer,
 * audience (one of the trusted app clients), expiry, and `token_use: id`. Returns the `sub`.
 * Every failure is a NotAuthorizedException with Cognito Identity's wording.
 */
export function createIdTokenVerifier(provider: IdentityProvider): (token: string) => Promise<string> {
  const clientIds = new Set(provider.clientIds);
  const verifier = JwtVerifier.create(
    {
      issuer: provider.issuer,
      // Checked below, after token_use: an access token has no aud at all, and "not an ID token"
      // is the answer that tells its sender what to fix.
      audience: null,
      jwksUri: provider.jwksUri,
      customJwtCheck: ({ header, payload }) => {
        // User pools sign with RS256 only; anything else is not one of their tokens.
        if (header.alg !== "RS256") {
          throw new JwtInvalidSignatureAlgorithmError("alg is not RS256", header.alg, "RS256");
        }
        if (payload.token_use !== "id")
          throw new NotAnIdTokenError(`token_use is ${String(payload.token_use)}`);
        const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
        if (!audiences.some((aud) => typeof aud === "string" && clientIds.has(aud))) {
          throw new JwtInvalidAudienceError("aud is not a trusted app client", payload.aud, [...clientIds]);
        }
        // aws-jwt-verify checks exp only when the claim is present.
        if (typeof payload.exp !== "number") throw new NotAnIdTokenError("no exp claim");
        if (typeof payload.sub !== "string" || payload.sub === "")
          throw new NotAnIdTokenError("no sub claim");
      },
    },
    { jwksCache: new SimpleJwksCache({ fetcher: httpFetcher }) },
  );

  return async (token) => {
    try {
      const payload = await verifier.verify(token);
      return payload.sub as string;
    } catch (error) {
      throw notAuthorized(error);
    }
  };
}

class NotAnIdTokenError extends Error {
  override readonly name = "NotAnIdTokenError";
}

/** Cognito Identity's messages for the same failures, so logs and UIs read the same as on AWS. */
function notAuthorized(error: unknown): IdentityError {
  let reason: string;
  if (error instanceof NotAnIdTokenError || error instanceof JwtParseError) {
    reason = "Not a valid OpenId Connect identity token.";
  } else if (error instanceof JwtExpiredError) {
    reason = "Token expired.";
  } else if (error instanceof JwtInvalidIssuerError) {
    reason = "Issuer doesn't match providerName";
  } else if (error instanceof JwtInvalidAudienceError) {
    reason = "Incorrect token audience.";
  } else {
    reason = "Couldn't verify signed token.";
  }
  const detail = error instanceof Error ? ` (${error.name}: ${error.message})` : "";
  return new IdentityError("NotAuthorizedException", `Invalid login token. ${reason}${detail}`);
}
