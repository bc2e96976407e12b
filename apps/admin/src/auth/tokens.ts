/**
 * Reading the claims of the tokens the app holds. Nothing here verifies a signature: the API's
 * authorizer does that on every call; the app only needs the groups (to show the right pages),
 * the expiry (to refresh in time) and a name to show.
 */

export interface Tokens {
  accessToken: string;
  idToken: string;
  refreshToken: string;
}

export interface AccessClaims {
  sub: string;
  username: string;
  groups: string[];
  /** Seconds since the epoch. */
  exp: number;
}

export type AdminRole = "admins" | "support";

export class TokenError extends Error {
  override name = "TokenError";
}

function base64UrlDecode(part: string): string {
  const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

export function decodeJwtPayload(token: string): Record<string, unknown> {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[1]) throw new TokenError("not a JWT");
  try {
    const payload: unknown = JSON.parse(base64UrlDecode(parts[1]));
    if (typeof payload !== "object" || payload === null || Array.isArray(payload)) throw new Error();
    return payload as Record<string, unknown>;
  } catch {
    throw new TokenError("the JWT payload is not a JSON object");
  }
}

export function accessClaims(accessToken: string): AccessClaims {
  const payload = decodeJwtPayload(accessToken);
  const { sub, exp } = payload;
  if (typeof sub !== "string" || typeof exp !== "number")
    throw new TokenError("access token without sub or exp");
  const groups = payload["cognito:groups"];
  return {
    sub,
    username: typeof payload.username === "string" ? payload.username : sub,
    groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === "string") : [],
    exp,
  };
}

/** The strongest admin group the user is in, or undefined for a plain user (no access). */
export function adminRole(groups: readonly string[]): AdminRole | undefined {
  if (groups.includes("admins")) return "admins";
  if (groups.includes("support")) return "support";
  return undefined;
}

/** The e-mail from the ID token, for the header; undefined when the token has none. */
export function emailOf(idToken: string): string | undefined {
  const email = decodeJwtPayload(idToken).email;
  return typeof email === "string" ? email : undefined;
}

/** Refresh this long before expiry, so a request never leaves with a token about to lapse. */
export const REFRESH_MARGIN_SECONDS = 120;

export function needsRefresh(claims: Pick<AccessClaims, "exp">, nowMs: number): boolean {
  return claims.exp - REFRESH_MARGIN_SECONDS <= Math.floor(nowMs / 1000);
}
