import { PROFILE_PICTURE_ROUTE, SetProfilePictureRequest } from "@photogate/core";
import type { AdminApiEvent, AdminApiResult } from "./api";
import { callerFrom, type JwtClaims } from "./auth";
import type { AdminApiDeps, RequestContext } from "./deps";
import { AdminApiError, fieldProblems, InvalidRequestError, toErrorBody } from "./errors";
import { chooseProfilePicture } from "./profile";

const HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

/** True for a request API Gateway routed through the user-facing profile-picture route. */
export function isProfilePictureRoute(event: AdminApiEvent): boolean {
  return event.routeKey === PROFILE_PICTURE_ROUTE.routeKey;
}

/**
 * `PUT /me/profile-picture` `{ "photoId": "…" }` for any signed-in user of the upload app (its
 * own JWT authorizer): the caller's sub is the owner, never a parameter. 200 with the picture,
 * 400 for a bad body, 404 for a photo the caller does not own or that does not exist, 409 for
 * one that is not approved.
 */
export async function handleProfilePictureRequest(
  event: AdminApiEvent,
  deps: AdminApiDeps,
  requestId: string,
): Promise<AdminApiResult> {
  const log = deps.log.child({ requestId, route: "me.profile-picture" });
  try {
    const method = event.requestContext?.http?.method?.toUpperCase();
    if (method !== PROFILE_PICTURE_ROUTE.method) {
      throw new AdminApiError(
        "METHOD_NOT_ALLOWED",
        405,
        `${method} is not allowed on ${PROFILE_PICTURE_ROUTE.path}`,
      );
    }
    const caller = callerFrom(event.requestContext?.authorizer?.jwt?.claims as JwtClaims | undefined);
    const body = SetProfilePictureRequest.safeParse(parseJson(event));
    if (!body.success) {
      throw new InvalidRequestError(fieldProblems(body.error, "body"));
    }
    const ctx: RequestContext = {
      caller,
      requestId,
      at: deps.now?.() ?? new Date(),
      log: log.child({ actor: caller.sub }),
    };
    const result = await chooseProfilePicture(deps, ctx, body.data.photoId);
    log.info("request.done", { route: "me.profile-picture", changed: result.changed });
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
