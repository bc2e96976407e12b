import { createPrivateKey, createPublicKey, type JsonWebKey, randomUUID, sign, verify } from "node:crypto";
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
  /**
   * Adds what Cognito's AuthenticationResult has and cognito-local's lacks; notes the tokens.
   * `originJti` is the authentication a refresh continues (its refresh token's jti).
   */
  completed(result: Input, originJti?: string): Input;
}

/** Checks the pool's tokens (cognito-local signs them all with the key inside its package). */
export async function createPoolTokens(
  revocations: TokenRevocations,
  now: () => number,
): Promise<PoolTokens> {
  const { jwk, pem } = await cognitoLocalKeys();
  const publicKey = createPublicKey({ key: jwk, format: "jwk" });
  const privateKey = createPrivateKey(pem);

  /**
   * The token with `origin_jti` set, signed again with the pool's key. Cognito gives the id and
   * access tokens of one authentication (and of every refresh of it) one origin_jti, which
   * RevokeToken revokes them by; client libraries only call RevokeToken when it is present.
   */
  function withOrigin(token: unknown, originJti: string): unknown {
    if (typeof token !== "string" || !decodeToken(token, undefined)) return token;
    const [header, payload] = token.split(".") as [string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Claims;
    const signed = `${header}.${Buffer.from(JSON.stringify({ ...claims, origin_jti: originJti })).toString("base64url")}`;
    return `${signed}.${sign("RSA-SHA256", Buffer.from(signed), privateKey).toString("base64url")}`;
  }

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
    if (revocations.isRevoked({ ...claims, username: claims.username })) {
      throw new AwsJsonError("NotAuthorizedException", "Access Token has been revoked");
    }
    return claims as Claims & { username: string; sub: string };
  }

  /** Adds what Cognito's AuthenticationResult has and cognito-local's lacks; notes the tokens. */
  function completed(result: Input, originJti?: string): Input {
    const auth = result.AuthenticationResult as Input | undefined;
    if (!auth?.AccessToken) return result;
    const claims = decodeToken(auth.AccessToken, "access");
    for (const token of [auth.AccessToken, auth.IdToken, auth.RefreshToken]) {
      const jti = decodeToken(token, undefined)?.jti;
      if (jti) revocations.noteIssued(jti);
    }
    const { RefreshToken, AccessToken, IdToken, ...rest } = auth;
    // The refresh token stands for the authentication: its jti is the origin of what it yields.
    const origin = originJti ?? decodeToken(RefreshToken, undefined)?.jti ?? randomUUID();
    return {
      ChallengeParameters: {},
      AuthenticationResult: {
        ...rest,
        AccessToken: withOrigin(AccessToken, origin),
        ...(IdToken ? { IdToken: withOrigin(IdToken, origin) } : {}),
        ...(RefreshToken ? { RefreshToken } : {}),
        ExpiresIn: claims ? claims.exp - claims.iat : 3600,
        TokenType: "Bearer",
      },
    };
  }

  return { decodeToken, accessToken, completed };
}

/** The key pair inside cognito-local's package, which signs every token of the local pool. */
async function cognitoLocalKeys(): Promise<{ jwk: JsonWebKey; pem: string }> {
  const require = createRequire(import.meta.url);
  const keys = join(require.resolve("cognito-local/package.json"), "..", "lib", "keys");
  const read = async (name: string) => JSON.parse(await readFile(join(keys, name), "utf8")) as unknown;
  const { jwk } = (await read("cognitoLocal.public.json")) as { jwk: JsonWebKey };
  const { pem } = (await read("cognitoLocal.private.json")) as { pem: string };
  return { jwk, pem };
}
