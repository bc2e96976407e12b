import { createPublicKey, type JsonWebKey, verify } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { AwsJsonError } from "../aws-json-server";
import type { Input } from "./cognito-local-api";
import type { TokenRevocations } from "./token-revocations";

export type Claims = Record<string, unknown> & { iat: number; exp: number; jti: string };

export interface PoolTokens {
  /** A token's claims when cognito-local signed it (and it is of `use`), else undefined. */
  decodeToken(token: unknown, use: "access" | undefined): Claims | undefined;
  /** The access token's claims, or Cognito's NotAuthorizedException for each way it fails. */
  accessToken(token: unknown): Promise<Claims & { username: string; sub: string }>;
  /** Adds what Cognito's AuthenticationResult has and cognito-local's lacks; notes the tokens. */
  completed(result: Input): Input;
}

/** Checks the pool's tokens (cognito-local signs them all with the key inside its package). */
export async function createPoolTokens(
  revocations: TokenRevocations,
  now: () => number,
): Promise<PoolTokens> {
  const publicKey = createPublicKey({ key: await cognitoLocalJwk(), format: "jwk" });

  function decodeToken(token: unknown, use: "access" | undefined): Claims | undefined {
    if (typeof token !== "string") return undefined;
    const [header, payload, signature] = token.split(".");
    if (!header || !payload || !signature) return undefined;
    try {
      const valid = verify(
        "RSA-SHA256",
        Buffer.from(`${header}.${payload}`),
        publicKey,
        Buffer.from(signature, "base64url"),
      );
      const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Claims;
      if (!valid || (use && claims.token_use !== use)) return undefined;
      return claims;
    } catch {
      return undefined;
    }
  }

  /** The access token's claims, or Cognito's NotAuthorizedException for each way it fails. */
  async function accessToken(token: unknown): Promise<Claims & { username: string; sub: string }> {
    const claims = decodeToken(token, "access");
    if (!claims || typeof claims.username !== "string") {
      throw new AwsJsonError("NotAuthorizedException", "Invalid Access Token");
    }
    if (claims.exp * 1000 <= now())
      throw new AwsJsonError("NotAuthorizedException", "Access Token has expired");
    if (revocations.isRevoked({ username: claims.username, iat: claims.iat, jti: claims.jti })) {
      throw new AwsJsonError("NotAuthorizedException", "Access Token has been revoked");
    }
    return claims as Claims & { username: string; sub: string };
  }

  /** Adds what Cognito's AuthenticationResult has and cognito-local's lacks; notes the tokens. */
  function completed(result: Input): Input {
    const auth = result.AuthenticationResult as Input | undefined;
    if (!auth?.AccessToken) return result;
    const claims = decodeToken(auth.AccessToken, "access");
    for (const token of [auth.AccessToken, auth.IdToken, auth.RefreshToken]) {
      const jti = decodeToken(token, undefined)?.jti;
      if (jti) revocations.noteIssued(jti);
    }
    const { RefreshToken, ...rest } = auth;
    return {
      ChallengeParameters: {},
      AuthenticationResult: {
        ...rest,
        ...(RefreshToken ? { RefreshToken } : {}),
        ExpiresIn: claims ? claims.exp - claims.iat : 3600,
        TokenType: "Bearer",
      },
    };
  }

  return { decodeToken, accessToken, completed };
}

async function cognitoLocalJwk(): Promise<JsonWebKey> {
  const require = createRequire(import.meta.url);
  const file = join(
    require.resolve("cognito-local/package.json"),
    "..",
    "lib",
    "keys",
    "cognitoLocal.public.json",
  );
  return (JSON.parse(await readFile(file, "utf8")) as { jwk: JsonWebKey }).jwk;
}
