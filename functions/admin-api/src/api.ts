import { type AdminRoute, type AdminRouteName, adminRoutes, matchAdminPath } from "@photogate/core";
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { z } from "zod";
import { authorise, callerFrom, type JwtClaims } from "./auth";
import type { AdminApiDeps, RequestContext } from "./deps";
import { AdminApiError, type FieldProblem, fieldProblems, InvalidRequestError, toErrorBody } from "./errors";
import { handleUserRequest, userRouteOf } from "./me";
import { implementations, type RouteInput, routeNames } from "./routes";

export type AdminApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type AdminApiResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

const HEADERS = {
  "content-type": "application/json; charset=utf-8",
  // Responses hold presigned URLs and personal data: never cached by a browser or a proxy.
  "cache-control": "no-store",
};

/**
 * One request through the API: who is calling (401/403), which route (404/405), validated
 * input (400 naming the fields), the route's work, a response checked against its schema.
 * Every error becomes its JSON body in `toErrorBody`, nowhere else.
 */
export async function handleAdminRequest(event: AdminApiEvent, deps: AdminApiDeps): Promise<AdminApiResult> {
  const requestId = event.requestContext?.requestId ?? deps.newId?.() ?? crypto.randomUUID();
  // The user-facing routes, behind their own authorizer (upload-app tokens): not the admin routes.
  const userRoute = userRouteOf(event);
  if (userRoute) return handleUserRequest(userRoute, event, deps, requestId);
  const method = event.requestContext?.http?.method?.toUpperCase() ?? "GET";
  const path = routePath(event);
  const log = deps.log.child({ requestId, method, path });
  try {
    const caller = callerFrom(event.requestContext?.authorizer?.jwt?.claims as JwtClaims | undefined);
    // Everything, even an unknown path, is for support or admins only: others learn nothing.
    authorise(caller, "support");
    const { name, route, rawParams } = findRoute(method, path);
    authorise(caller, route.access);
    const input = parseInput(route, rawParams, event);
    const ctx: RequestContext = {
      caller,
      requestId,
      at: deps.now?.() ?? new Date(),
      log: log.child({ actor: caller.sub }),
    };
    const implementation = implementations[name] as (
      d: AdminApiDeps,
      c: RequestContext,
      i: RouteInput<typeof name>,
    ) => Promise<unknown>;
    const output = await implementation(deps, ctx, input as RouteInput<typeof name>);
    const checked = route.response.safeParse(output);
    if (!checked.success) {
      log.error("response.invalid", { route: name, issues: checked.error.issues });
      throw new Error(`Response of ${name} does not match its schema`);
    }
    log.info("request.done", { route: name, status: route.status });
    return { statusCode: route.status, headers: HEADERS, body: JSON.stringify(checked.data) };
  } catch (error) {
    const { status, body } = toErrorBody(error, requestId);
    if (status >= 500) {
      log.error("request.failed", { status, code: body.error.code, error });
      deps.metrics?.serverError();
    } else log.info("request.refused", { status, code: body.error.code, message: body.error.message });
    return { statusCode: status, headers: HEADERS, body: JSON.stringify(body) };
  }
}

/** The path without the stage prefix API Gateway adds for named stages. */
function routePath(event: AdminApiEvent): string {
  const raw = event.rawPath ?? "/";
  const stage = event.requestContext?.stage;
  const path =
    stage && stage !== "$default" && raw.startsWith(`/${stage}/`) ? raw.slice(stage.length + 1) : raw;
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}

function findRoute(method: string, path: string) {
  let pathMatched = false;
  for (const name of routeNames) {
    const route: AdminRoute = adminRoutes[name];
    const rawParams = matchAdminPath(route.path, path);
    if (!rawParams) continue;
    pathMatched = true;
    if (route.method === method) return { name: name as AdminRouteName, route, rawParams };
  }
  if (pathMatched) throw new AdminApiError("METHOD_NOT_ALLOWED", 405, `${method} is not allowed on ${path}`);
  throw new AdminApiError("ROUTE_NOT_FOUND", 404, `No route ${method} ${path}`);
}

function parseInput(route: AdminRoute, rawParams: Record<string, string>, event: AdminApiEvent) {
  const problems: FieldProblem[] = [];
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(rawParams)) {
    try {
      params[name] = decodeURIComponent(value);
    } catch {
      problems.push({ path: `params.${name}`, message: "is not valid percent-encoding" });
    }
  }
  const body = readBody(event, problems);
  const check = <S extends z.ZodType>(part: string, schema: S, value: unknown) => {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    problems.push(...fieldProblems(result.error, part));
    return undefined;
  };
  const input = {
    params: check("params", route.params, params),
    query: check("query", route.query, event.queryStringParameters ?? {}),
    body: check("body", route.body, body),
  };
  if (problems.length > 0) throw new InvalidRequestError(problems);
  return input;
}

function readBody(event: AdminApiEvent, problems: FieldProblem[]): unknown {
  if (event.body === undefined || event.body === null || event.body === "") return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
  try {
    return JSON.parse(text);
  } catch {
    problems.push({ path: "body", message: "is not valid JSON" });
    return undefined;
  }
}
