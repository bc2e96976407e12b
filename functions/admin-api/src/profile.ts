import {
  type AuditAction,
  auditTarget,
  type ProfilePictureResult,
  photoOfPicture,
  profilePictureValue,
} from "@photogate/core";
import {
  clearPictureOfPhoto,
  currentPicture,
  setPictureAttribute,
} from "@photogate/publishing/profile-picture";
import { writeAudit } from "./audit";
import type { AdminApiDeps, RequestContext } from "./deps";
import { mirror } from "./directory";
import { fromAwsError, PhotoNotApprovedError, UserNotFoundError } from "./errors";
import { loadPhoto } from "./photos";

/**
 * The Cognito `picture` attribute, which users cannot write themselves (docs/identity.md): it
 * names the shared/ copy of an approved photo's display.webp (readable by every signed-in user),
 * as a URL when the distribution's origin is configured. Set by the processor (profile-picture
 * uploads), by the owner choosing an approved photo, by support; cleared with the photo it names.
 */

/** Support's action: makes an approved photo its owner's profile picture. */
export async function setProfilePicture(
  deps: AdminApiDeps,
  ctx: RequestContext,
  owner: string,
  photoId: string,
): Promise<{ sub: string; picture: string }> {
  const { picture } = await makePicture(deps, ctx, owner, photoId, "photo.set-profile-picture");
  return { sub: owner, picture };
}

/**
 * The owner's own choice (`PUT /me/profile-picture`): only a photo under the caller's own sub, so
 * another user's photo is as unknown as a missing one (404), and only an approved one (409).
 */
export async function chooseProfilePicture(
  deps: AdminApiDeps,
  ctx: RequestContext,
  photoId: string,
): Promise<ProfilePictureResult> {
  return makePicture(deps, ctx, ctx.caller.sub, photoId, "user.choose-profile-picture");
}

async function makePicture(
  deps: AdminApiDeps,
  ctx: RequestContext,
  owner: string,
  photoId: string,
  action: AuditAction,
): Promise<ProfilePictureResult> {
  const record = await loadPhoto(deps, owner, photoId);
  if (record.status !== "approved") throw new PhotoNotApprovedError(record.status);
  const picture = profilePictureValue(deps.config.pictureBaseUrl, owner, photoId);
  const target = { cognito: deps.cognito, userPoolId: deps.config.userPoolId };
  let previous: string | undefined;
  try {
    previous = await currentPicture(target, owner);
    if (previous !== picture && !(await setPictureAttribute(target, owner, picture))) {
      throw new UserNotFoundError(owner);
    }
  } catch (error) {
    throw fromAwsError(error, { sub: owner });
  }
  const changed = previous !== picture;
  if (changed) {
    await mirror(deps, owner);
    await writeAudit(deps, ctx, {
      action,
      target: auditTarget.user(owner),
      before: { picture: previous ?? null, photoId: photoOfPicture(previous)?.photoId ?? null },
      after: { picture, photoId },
    });
  }
  return { photoId, picture, changed };
}

/**
 * Clears `picture` when it names this photo, in the request that rejects or deletes the photo,
 * and audits it (`why` is the action that caused it). Another picture is left alone.
 */
export async function clearProfilePictureOf(
  deps: AdminApiDeps,
  ctx: RequestContext,
  owner: string,
  photoId: string,
  why: AuditAction,
): Promise<boolean> {
  let cleared: string | undefined;
  try {
    cleared = await clearPictureOfPhoto(
      { cognito: deps.cognito, userPoolId: deps.config.userPoolId },
      owner,
      photoId,
    );
  } catch (error) {
    throw fromAwsError(error, { sub: owner });
  }
  if (cleared === undefined) return false;
  await mirror(deps, owner);
  await writeAudit(deps, ctx, {
    action: "photo.clear-profile-picture",
    target: auditTarget.photo(owner, photoId),
    before: { picture: cleared },
    after: { picture: null, because: why },
  });
  return true;
}
