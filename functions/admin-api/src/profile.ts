import {
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { auditTarget, sharedPrefix } from "@photogate/core";
import { writeAudit } from "./audit";
import type { AdminApiDeps, RequestContext } from "./deps";
import { fromAwsError, PhotoNotApprovedError } from "./errors";
import { loadPhoto } from "./photos";

/**
 * Makes an approved photo its owner's profile picture: the Cognito `picture` attribute points at
 * the shared/ copy of display.webp (readable by every signed-in user, which a profile picture
 * must be), as a URL when the distribution's origin is configured.
 */
export async function setProfilePicture(
  deps: AdminApiDeps,
  ctx: RequestContext,
  owner: string,
  photoId: string,
): Promise<{ sub: string; picture: string }> {
  const record = await loadPhoto(deps, owner, photoId);
  if (record.status !== "approved") throw new PhotoNotApprovedError(record.status);
  const key = `${sharedPrefix(owner, photoId)}display.webp`;
  const picture = deps.config.pictureBaseUrl ? `${deps.config.pictureBaseUrl}/${key}` : key;
  const pool = deps.config.userPoolId;
  try {
    const user = await deps.cognito.send(new AdminGetUserCommand({ UserPoolId: pool, Username: owner }));
    const previous = user.UserAttributes?.find((a) => a.Name === "picture")?.Value;
    await deps.cognito.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: pool,
        Username: owner,
        UserAttributes: [{ Name: "picture", Value: picture }],
      }),
    );
    await writeAudit(deps, ctx, {
      action: "photo.set-profile-picture",
      target: auditTarget.user(owner),
      before: { picture: previous ?? null },
      after: { picture, photoId },
    });
  } catch (error) {
    throw fromAwsError(error, { sub: owner });
  }
  return { sub: owner, picture };
}
