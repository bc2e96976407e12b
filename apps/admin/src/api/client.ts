import {
  type AdminErrorCode,
  type AdminRoute,
  type AdminRouteName,
  adminPath,
  adminRoutes,
  ErrorBody,
  type RouteBody,
  type RouteParams,
  type RouteQuery,
  type RouteResponse,
} from "@photogate/core";
import { z } from "zod";

/**
 * The admin API's client, built from core's routes table: every request is checked against the
 * route's params, query and body schemas before it leaves, and every answer is parsed with the
 * route's response schema, so a contract change breaks here, loudly, not in a page.
 */

export type ApiErrorCode = AdminErrorCode | "NETWORK" | "UNEXPECTED_RESPONSE";

export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** HTTP status; 0 when the request never got an answer or was refused before it left. */
    readonly status: number,
    readonly fields: { path: string; message: string }[] = [],
    readonly requestId?: string,
  ) {
    super(message);
  }
}

export type CallInput<N extends AdminRouteName> = {
  params?: RouteParams<N>;
  query?: RouteQuery<N>;
  body?: RouteBody<N>;
  signal?: AbortSignal;
};

export interface AdminClientOptions {
  apiUrl: string;
  /** The access token of the admin app client; `forceRefresh` after the API answered 401. */
  getToken(options?: { forceRefresh?: boolean }): Promise<string | undefined>;
  /** Called when the API still refuses the session after a refresh. */
  onUnauthenticated?(): void;
  fetch?: typeof fetch;
}

/** The issues as the admin API's own `fields` list, so a form can mark the same paths either way. */
function issues(error: z.ZodError, prefix: string) {
  return error.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].join("."), message: i.message }));
}

function checked<T>(schema: z.ZodType<T>, value: unknown, part: string, route: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ApiError(
    "INVALID_REQUEST",
    `Invalid ${part} for ${route}:\n${z.prettifyError(parsed.error)}`,
    0,
    issues(parsed.error, part),
  );
}

export function queryString(query: Record<string, unknown>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export function createAdminClient(options: AdminClientOptions) {
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));

  async function send(url: string, init: RequestInit, forceRefresh: boolean): Promise<Response> {
    const token = await options.getToken({ forceRefresh });
    if (!token) throw new ApiError("UNAUTHENTICATED", "You are signed out. Sign in again.", 401);
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${token}`);
    try {
      return await fetchImpl(url, { ...init, headers });
    } catch (error) {
      if ((error as Error).name === "AbortError") throw error;
      throw new ApiError("NETWORK", "Cannot reach the admin API. Check your connection and try again.", 0);
    }
  }

  async function call<N extends AdminRouteName>(
    name: N,
    input: CallInput<N> = {},
  ): Promise<RouteResponse<N>> {
    // Widened to the table's common shape: each schema is then checked against its own route.
    const route: AdminRoute = adminRoutes[name];
    const label = `${route.method} ${route.path}`;
    const params = checked(route.params, input.params ?? {}, "params", label) as Record<string, string>;
    const query = checked(route.query, input.query ?? {}, "query", label) as Record<string, unknown>;
    const body = checked(route.body, input.body, "body", label);
    const url = `${options.apiUrl}${adminPath(route.path, params)}${queryString(query)}`;
    const init: RequestInit = {
      method: route.method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(input.signal ? { signal: input.signal } : {}),
    };

    let response = await send(url, init, false);
    // The token may have been revoked or have lapsed between the check and the call: one retry.
    if (response.status === 401) response = await send(url, init, true);
    if (response.status === 401) {
      options.onUnauthenticated?.();
      throw new ApiError("UNAUTHENTICATED", "Your session has ended. Sign in again.", 401);
    }

    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }

    if (!response.ok) {
      const error = ErrorBody.safeParse(json);
      if (error.success) {
        const e = error.data.error;
        throw new ApiError(e.code, e.message, response.status, e.fields ?? [], e.requestId);
      }
      throw new ApiError(
        response.status === 429 ? "TOO_MANY_REQUESTS" : "UNEXPECTED_RESPONSE",
        `The admin API answered ${response.status} ${response.statusText}`.trim(),
        response.status,
      );
    }

    const parsed = route.response.safeParse(json);
    if (!parsed.success) {
      throw new ApiError(
        "UNEXPECTED_RESPONSE",
        `The admin API's answer to ${label} does not match the contract:\n${z.prettifyError(new z.ZodError(parsed.error.issues.slice(0, 3)))}`,
        response.status,
        issues(parsed.error, "response"),
      );
    }
    return parsed.data as RouteResponse<N>;
  }

  return { call };
}

export type AdminClient = ReturnType<typeof createAdminClient>;

/** What a person should read for a failed call; keyed on the API's stable codes. */
export function errorMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : "Something went wrong.";
  switch (error.code) {
    case "FORBIDDEN":
      return error.message || "You are not allowed to do this.";
    case "CANNOT_TARGET_SELF":
      return "You cannot do this to your own account.";
    case "PHOTO_IN_PROGRESS":
      return error.message || "The photo is being processed right now. Try again when it has finished.";
    case "TOO_MANY_REQUESTS":
      return "Too many requests. Wait a moment and try again.";
    case "INTERNAL":
    case "UPSTREAM_ERROR":
      return `The admin API failed${error.requestId ? ` (request ${error.requestId})` : ""}. Try again.`;
    default:
      return error.message;
  }
}
