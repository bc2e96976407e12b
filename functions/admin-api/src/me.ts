import {
  PROFILE_PICTURE_ROUTE,
  REPORT_PHOTO_ROUTE,
  ReportPhotoRequest,
  SetProfilePictureRequest,
  USER_ROUTES,
  type UserRouteKey,
} from "@photogate/core";
import type { z } from "zod";
import type { AdminApiEvent, AdminApiResult } from "./api";
import { callerFrom, type JwtClaims } from "./auth";
import type { AdminApiDeps, RequestContext } from "./deps";
import { AdminApiError, fieldProblems, InvalidRequestError, toErrorBody } from "./errors";
import { chooseProfilePicture } from "./profile";
import { reportPhoto } from "./reports";

const HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

/** A user route's body schema and work; the caller's sub comes from the token, never the body. */
interface UserRoute<B extends z.ZodType> {
  name: string;
  body: B;
  run(deps: AdminApiDeps, ctx: RequestContext, body: z.output<B>): Promise<unknown>;
}

const userRoute = <B extends z.ZodType>(r: UserRoute<B>) => r as unknown as UserRoute<z.ZodType>;

/**
 * `PUT /me/profile-picture` `{ photoId }`: 200 with the picture, 404 for a photo the caller does
 * not own or that does not exist, 409 for one that is not approved.
 * `POST /reports` `{ owner, photoId, reason, comment? }`: 200 (`counted: false` for a repeat),
 * 404 for a missing photo, 409 for the caller's own photo or one that is not approved.
 * Both: 400 naming the fields of a bad body.
 */
const USER_ROUTE_WORK: Record<UserRouteKey, UserRoute<z.ZodType>> = {
  [PROFILE_PICTURE_ROUTE.routeKey]: userRoute({
    name: "me.profile-picture",
    body: SetProfilePictureRequest,
    run: (deps, ctx, body) => chooseProfilePicture(deps, ctx, body.photoId),
  }),
  [REPORT_PHOTO_ROUTE.routeKey]: userRoute({
    name: "reports.create",
    body: ReportPhotoRequest,
    run: (deps, ctx, body) => reportPhoto(deps, ctx, body),
  }),
};

/** The user route API Gateway routed this request through (its own authorizer), if any. */
export function userRouteOf(event: AdminApiEvent): (typeof USER_ROUTES)[number] | undefined {
  return USER_ROUTES.find((r) => r.routeKey === event.routeKey);
}

/** A request through one of the user-facing routes, for any signed-in user of the upload app. */
export async function handleUserRequest(
  route: (typeof USER_ROUTES)[number],
  event: AdminApiEvent,
  deps: AdminApiDeps,
  requestId: string,
): Promise<AdminApiResult> {
  const work = USER_ROUTE_WORK[route.routeKey];
  const log = deps.log.child({ requestId, route: work.name });
  try {
    const method = event.requestContext?.http?.method?.toUpperCase();
    if (method !== route.method) {
      throw new AdminApiError("METHOD_NOT_ALLOWED", 405, `${method} is not allowed on ${route.path}`);
    }
    const caller = callerFrom(event.requestContext?.authorizer?.jwt?.claims as JwtClaims | undefined);
    const body = work.body.safeParse(parseJson(event));
    if (!body.success) {
      throw new InvalidRequestError(fieldProblems(body.error, "body"));
    }
    const ctx: RequestContext = {
      caller,
      requestId,
      at: deps.now?.() ?? new Date(),
      log: log.child({ actor: caller.sub }),
    };
    const result = await work.run(deps, ctx, body.data);
    log.info("request.done", { route: work.name });
    return { statusCode: 200, headers: HEADERS, body: JSON.stringify(result) };
  } catch (error) {
    const { status, body } = toErrorBody(error, requestId);
    if (status >= 500) {
      log.error("request.failed", { status, code: body.error.code, error });
      deps.metrics?.serverError();
    } else log.info("request.refused", { status, code: body.error.code });
    return { statusCode: status, headers: HEADERS, body: JSON.stringify(body) };
  }
}

function parseJson(event: AdminApiEvent): unknown {
  if (!event.body) return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidRequestError([{ path: "body", message: "is not valid JSON" }]);
  }
}
