import type { AdminGroup } from "@photogate/core";
import { ForbiddenError, UnauthenticatedError } from "./errors";

/** Who is calling, from the claims API Gateway's JWT authorizer verified. */
export interface Caller {
  sub: string;
  username: string;
  groups: string[];
}

export type JwtClaims = Record<string, string | number | boolean | string[]>;

/**
 * API Gateway's HTTP API flattens array claims into one string, `[support admins]`; tests and
 * other front doors may pass a real array or a comma-separated list. All three are read here.
 */
export function parseGroupsClaim(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  if (typeof value !== "string") return [];
  const inner = value.trim().replace(/^\[/, "").replace(/\]$/, "");
  return inner.split(/[\s,]+/).filter(Boolean);
}

/** The caller, or 401 when the authorizer passed no usable identity (a misrouted request). */
export function callerFrom(claims: JwtClaims | undefined): Caller {
  const sub = claims?.sub;
  if (typeof sub !== "string" || sub === "") throw new UnauthenticatedError();
  const username = typeof claims?.username === "string" ? claims.username : sub;
  return { sub, username, groups: parseGroupsClaim(claims?.["cognito:groups"]) };
}

/** `admins` includes everything `support` may do. */
export function authorise(caller: Caller, access: AdminGroup): void {
  const isAdmin = caller.groups.includes("admins");
  if (access === "admins" && !isAdmin) {
    throw new ForbiddenError("Only members of the admins group may do this");
  }
  if (!isAdmin && !caller.groups.includes("support")) {
    throw new ForbiddenError("The admin API is for members of the support or admins groups");
  }
}
