import { z } from "zod";
import { isUuid, SHARED_PREFIX, sharedPrefix } from "./keys";
import { UPLOAD_INTENTS } from "./upload-intent";
import { Uuid } from "./uuid";

/**
 * Profile pictures: the contract between the edge (checks the upload intent), the processor
 * (sets `picture` on approval), the admin API (the user's route, clearing on reject/delete),
 * the stacks and the local user pool (which attributes app clients may read and write) and the
 * client (`uploadProfilePicture`, `setProfilePicture`). Docs: docs/identity.md.
 */

/** The Cognito standard attribute that holds the profile picture. */
export const PICTURE_ATTRIBUTE = "picture";

/**
 * What a signed-in user may write with their own access token (`UpdateUserAttributes`). Not
 * `picture` (photogate sets it from an approved photo, else a user could point it at anything
 * unmoderated), not `email` (the sign-in: support changes it), not the `*_verified` flags.
 */
export const USER_WRITABLE_ATTRIBUTES = ["name", "given_name", "family_name", "locale", "zoneinfo"] as const;

/** What an app client may read of its user (`GetUser`, the ID token's claims). */
export const USER_READABLE_ATTRIBUTES = [
  "email",
  "email_verified",
  PICTURE_ATTRIBUTE,
  "updated_at",
  ...USER_WRITABLE_ATTRIBUTES,
] as const;

/** The read/write lists of each app client; the stacks synthesize them, the local pool enforces them. */
export const APP_CLIENT_ATTRIBUTES = {
  upload: { read: USER_READABLE_ATTRIBUTES, write: USER_WRITABLE_ATTRIBUTES },
  // The same non-empty list: an empty one can reach Cognito as "unset", which means every
  // standard attribute is writable, `picture` included.
  admin: { read: USER_READABLE_ATTRIBUTES, write: USER_WRITABLE_ATTRIBUTES },
} as const;

/** Cognito's answer to `UpdateUserAttributes` of an attribute outside the client's write list. */
export const UNAUTHORIZED_ATTRIBUTE_MESSAGE = "A client attempted to write unauthorized attribute";

export { UPLOAD_INTENT_HEADER, UPLOAD_INTENT_METADATA, UPLOAD_INTENTS } from "./upload-intent";
export const UploadIntent = z.enum(UPLOAD_INTENTS);
export type UploadIntent = z.infer<typeof UploadIntent>;
export const PROFILE_PICTURE_INTENT: UploadIntent = "profile-picture";

/** Why a photo uploaded as the profile picture did not become it (stable codes). */
export const PROFILE_PICTURE_NOT_SET_CODES = ["PHOTO_REJECTED", "USER_NOT_FOUND", "NOT_CONFIGURED"] as const;
export const ProfilePictureNotSetCode = z.enum(PROFILE_PICTURE_NOT_SET_CODES);

/**
 * On the record and in status.json when the upload asked to become the profile picture:
 * `set` says whether photogate made it the picture, and if not, why.
 */
export const ProfilePictureOutcome = z.object({
  requested: z.literal(true),
  set: z.boolean(),
  picture: z.string().optional(),
  code: ProfilePictureNotSetCode.optional(),
  message: z.string().optional(),
});
export type ProfilePictureOutcome = z.infer<typeof ProfilePictureOutcome>;

/** The shared/ display image of a photo: what `picture` names (readable by every signed-in user). */
export function profilePictureKey(owner: string, photoId: string): string {
  return `${sharedPrefix(owner, photoId)}display.webp`;
}

/**
 * The `picture` value: the display image's URL through the distribution when its origin is
 * known, else the bare key (a client prefixes its CloudFront origin). Stable per photo.
 */
export function profilePictureValue(baseUrl: string | undefined, owner: string, photoId: string): string {
  const key = profilePictureKey(owner, photoId);
  return baseUrl ? `${baseUrl.replace(/\/+$/, "")}/${key}` : key;
}

/** The photo a `picture` value names (URL or key form), or undefined for anything else. */
export function photoOfPicture(picture: string | undefined): { owner: string; photoId: string } | undefined {
  if (!picture) return undefined;
  const at = picture.lastIndexOf(SHARED_PREFIX);
  if (at < 0) return undefined;
  const match = /^shared\/([^/]+)\/([^/]+)\/display\.webp$/.exec(picture.slice(at));
  if (!match || !isUuid(match[1]!) || !isUuid(match[2]!)) return undefined;
  return { owner: match[1]!, photoId: match[2]! };
}

/**
 * The user-facing route that makes one of the caller's approved photos their picture. It lives in
 * the admin API's function, behind its own API Gateway route whose JWT authorizer accepts the
 * upload client's tokens (the admin routes accept only the admin client's): `routeKey` is how
 * the function tells the two apart.
 */
export const PROFILE_PICTURE_ROUTE = {
  method: "PUT",
  path: "/me/profile-picture",
  routeKey: "PUT /me/profile-picture",
} as const;
export const SetProfilePictureRequest = z.object({ photoId: Uuid }).strict();
export type SetProfilePictureRequest = z.infer<typeof SetProfilePictureRequest>;
export const ProfilePictureResult = z.object({
  photoId: z.string(),
  picture: z.string(),
  /** False when `picture` already named this photo. */
  changed: z.boolean(),
});
export type ProfilePictureResult = z.infer<typeof ProfilePictureResult>;
