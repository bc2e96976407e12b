import {
  AdminDeleteUserAttributesCommand,
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  type CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import {
  type Logger,
  PICTURE_ATTRIBUTE,
  type ProfilePictureOutcome,
  photoOfPicture,
  type Reason,
  UPLOAD_INTENT_METADATA,
  type UploadIntent,
  UploadIntent as UploadIntentSchema,
} from "@photogate/core";

/**
 * Setting and clearing the Cognito `picture` attribute. The processor sets it when a photo
 * uploaded with the profile-picture intent is approved; the admin API uses it for the user's own
 * choice and for clearing it when support rejects or deletes that photo, so both write the same
 * value under the same rule: only an approved photo the user owns becomes `picture`.
 */

/** The intent an upload carries in its S3 user metadata; an unknown value is logged and ignored. */
export function uploadIntentOf(
  metadata: Record<string, string> | undefined,
  log?: Logger,
): UploadIntent | undefined {
  const raw = metadata?.[UPLOAD_INTENT_METADATA];
  if (raw === undefined) return undefined;
  const parsed = UploadIntentSchema.safeParse(raw.trim());
  if (parsed.success) return parsed.data;
  log?.warn("upload.intent-unknown", { intent: raw, message: "ignored: not a photogate upload intent" });
  return undefined;
}

export type ProfilePictureDecision = { action: "set" } | { action: "keep"; outcome: ProfilePictureOutcome };

/**
 * What a profile-picture upload does to `picture`, from its verdict alone: only an approved
 * photo becomes the picture; a rejected one leaves it unchanged and says why.
 */
export function decideProfilePicture(verdict: {
  status: "approved" | "rejected";
  reasons: readonly Reason[];
}): ProfilePictureDecision {
  if (verdict.status === "approved") return { action: "set" };
  const codes = verdict.reasons.map((r) => r.code).join(", ") || "no reason given";
  return {
    action: "keep",
    outcome: {
      requested: true,
      set: false,
      code: "PHOTO_REJECTED",
      message: `The photo was rejected (${codes}), so your profile picture is unchanged`,
    },
  };
}

export interface PictureTarget {
  cognito: CognitoIdentityProviderClient;
  userPoolId: string;
}

/** Sets `picture`; false when the user no longer exists (deleted while the photo was processed). */
export async function setPictureAttribute(
  target: PictureTarget,
  sub: string,
  picture: string,
): Promise<boolean> {
  try {
    await target.cognito.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: target.userPoolId,
        Username: sub,
        UserAttributes: [{ Name: PICTURE_ATTRIBUTE, Value: picture }],
      }),
    );
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === "UserNotFoundException") return false;
    throw error;
  }
}

/** The user's current `picture`, or undefined when they have none. */
export async function currentPicture(target: PictureTarget, sub: string): Promise<string | undefined> {
  const user = await target.cognito.send(
    new AdminGetUserCommand({ UserPoolId: target.userPoolId, Username: sub }),
  );
  return user?.UserAttributes?.find((a) => a.Name === PICTURE_ATTRIBUTE)?.Value;
}

/**
 * Removes `picture` when it names this photo (support rejected or deleted it); another picture
 * is left alone. Returns the value removed, for the audit entry, or undefined.
 */
export async function clearPictureOfPhoto(
  target: PictureTarget,
  owner: string,
  photoId: string,
): Promise<string | undefined> {
  let picture: string | undefined;
  try {
    picture = await currentPicture(target, owner);
  } catch (error) {
    if ((error as { name?: string }).name === "UserNotFoundException") return undefined;
    throw error;
  }
  const named = photoOfPicture(picture);
  if (!named || named.owner !== owner || named.photoId !== photoId) return undefined;
  await target.cognito.send(
    new AdminDeleteUserAttributesCommand({
      UserPoolId: target.userPoolId,
      Username: owner,
      UserAttributeNames: [PICTURE_ATTRIBUTE],
    }),
  );
  return picture;
}
