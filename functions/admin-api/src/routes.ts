import { type AdminRouteName, type AdminRoutes, adminRoutes } from "@photogate/core";
import type { z } from "zod";
import { listAudit } from "./audit";
import { listDeadLetters, redrive } from "./dead-letters";
import type { AdminApiDeps, RequestContext } from "./deps";
import {
  claimReview,
  deletePhoto,
  getPhoto,
  listPhotos,
  requestReprocess,
  restoreVerdict,
  reviewCount,
  reviewPhoto,
} from "./photos";
import { setProfilePicture } from "./profile";
import { getUserUsage, setUserQuota } from "./usage";
import { deleteUser, getUser, resetPassword, searchUsers, setSupportMembership, userAction } from "./users";

export interface RouteInput<N extends AdminRouteName> {
  params: z.output<AdminRoutes[N]["params"]>;
  query: z.output<AdminRoutes[N]["query"]>;
  body: z.output<AdminRoutes[N]["body"]>;
}

type Implementation<N extends AdminRouteName> = (
  deps: AdminApiDeps,
  ctx: RequestContext,
  input: RouteInput<N>,
) => Promise<z.input<AdminRoutes[N]["response"]>>;

/**
 * What each route of core's `adminRoutes` does. Method, path, access group and schemas live in
 * core; this table only binds a name to its implementation, so a route cannot exist in one
 * place and not the other (the type requires every name).
 */
export const implementations: { [N in AdminRouteName]: Implementation<N> } = {
  searchUsers: (deps, _ctx, { query }) => searchUsers(deps, query),
  getUser: (deps, ctx, { params }) => getUser(deps, ctx, params.sub),
  disableUser: (deps, ctx, { params, body }) => userAction(deps, ctx, params.sub, "disable", body?.reason),
  enableUser: (deps, ctx, { params }) => userAction(deps, ctx, params.sub, "enable"),
  resetPassword: (deps, ctx, { params }) => resetPassword(deps, ctx, params.sub),
  signOutUser: (deps, ctx, { params }) => userAction(deps, ctx, params.sub, "sign-out"),
  addToSupport: (deps, ctx, { params }) => setSupportMembership(deps, ctx, params.sub, true),
  removeFromSupport: (deps, ctx, { params }) => setSupportMembership(deps, ctx, params.sub, false),
  deleteUser: (deps, ctx, { params }) => deleteUser(deps, ctx, params.sub),
  getUserUsage: (deps, ctx, { params }) => getUserUsage(deps, ctx, params.sub),
  setUserQuota: (deps, ctx, { params, body }) => setUserQuota(deps, ctx, params.sub, body),
  reviewCount: (deps) => reviewCount(deps),
  claimReview: (deps, ctx, { params }) => claimReview(deps, ctx, params.owner, params.photoId),
  restoreVerdict: (deps, ctx, { params }) => restoreVerdict(deps, ctx, params.owner, params.photoId),
  listPhotos: (deps, ctx, { query }) => listPhotos(deps, ctx, query),
  getPhoto: (deps, ctx, { params }) => getPhoto(deps, ctx, params.owner, params.photoId),
  approvePhoto: (deps, ctx, { params, body }) =>
    reviewPhoto(deps, ctx, params.owner, params.photoId, { status: "approved", note: body.reason }),
  rejectPhoto: (deps, ctx, { params, body }) =>
    reviewPhoto(deps, ctx, params.owner, params.photoId, {
      status: "rejected",
      note: body.note,
      message: body.message,
      code: body.code,
    }),
  reprocessPhoto: (deps, ctx, { params }) => requestReprocess(deps, ctx, params.owner, params.photoId),
  deletePhoto: (deps, ctx, { params }) => deletePhoto(deps, ctx, params.owner, params.photoId),
  setProfilePicture: (deps, ctx, { params }) => setProfilePicture(deps, ctx, params.owner, params.photoId),
  listDeadLetters: (deps, _ctx, { query }) => listDeadLetters(deps, query),
  redriveDeadLetters: (deps, ctx, { body }) => redrive(deps, ctx, body),
  listAudit: (deps, ctx, { query }) => listAudit(deps, ctx, query),
};

export const routeNames = Object.keys(adminRoutes) as AdminRouteName[];
