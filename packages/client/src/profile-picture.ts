import {
  PROFILE_PICTURE_INTENT,
  PROFILE_PICTURE_ROUTE,
  type ProfilePictureOutcome,
  ProfilePictureResult,
  type VerdictDocument,
} from "@photogate/core";
import { ProfilePictureError } from "./errors";
import { objectUrl, type PhotoTransport, tokenOf } from "./photo-transport";
import { type PhotoToUpload, uploadPhoto } from "./photo-upload";
import { type WaitForVerdictOptions, waitForVerdict } from "./wait-for-verdict";

/** Where `PUT /me/profile-picture` is: the admin API's origin (`https://{admin site}/api`). */
export interface ProfileApi {
  baseUrl: string;
  /** The user's upload-app **access** token, or a getter for a fresh one. */
  accessToken: string | (() => string | Promise<string>);
  fetch?: typeof fetch;
}

/**
 * Makes one of the signed-in user's own approved photos their profile picture. Throws a
 * ProfilePictureError with the API's code: PHOTO_NOT_FOUND (404: missing, or not the caller's),
 * PHOTO_NOT_APPROVED (409), INVALID_REQUEST (400).
 */
export async function setProfilePicture(api: ProfileApi, photoId: string): Promise<ProfilePictureResult> {
  const response = await (api.fetch ?? fetch)(objectUrl(api.baseUrl, PROFILE_PICTURE_ROUTE.path.slice(1)), {
    method: PROFILE_PICTURE_ROUTE.method,
    headers: {
      authorization: `Bearer ${await tokenOf(api.accessToken)}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ photoId }),
  });
  const text = await response.text().catch(() => "");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ProfilePictureError(
      response.status,
      error?.code ?? (response.status === 401 ? "UNAUTHORIZED" : "REQUEST_FAILED"),
      error?.message ?? (text || response.statusText),
    );
  }
  const parsed = ProfilePictureResult.safeParse(body);
  if (!parsed.success) {
    throw new ProfilePictureError(response.status, "INVALID_RESPONSE", "The API answered without a picture");
  }
  return parsed.data;
}

export interface ProfilePictureUpload {
  photoId: string;
  verdict: VerdictDocument;
  /** True only when the processor made this photo the user's `picture`. */
  pictureChanged: boolean;
  /** The new `picture` value when it changed. */
  picture?: string;
  /** Why it did not become the picture (PHOTO_REJECTED, ...), from the verdict. */
  notSet?: Pick<ProfilePictureOutcome, "code" | "message">;
}

/**
 * Uploads a photo meant as the profile picture (the `photogate-intent` metadata, through the
 * edge or straight to S3) and waits for its verdict: approved → the processor set `picture`;
 * rejected → `picture` is unchanged and `notSet` says why.
 */
export async function uploadProfilePicture(
  transport: PhotoTransport,
  photo: Omit<PhotoToUpload, "intent">,
  options: WaitForVerdictOptions = {},
): Promise<ProfilePictureUpload> {
  const { owner, photoId } = await uploadPhoto(transport, { ...photo, intent: PROFILE_PICTURE_INTENT });
  const verdict = await waitForVerdict(transport, owner, photoId, options);
  const outcome = verdict.profilePicture;
  const pictureChanged = outcome?.set === true;
  return {
    photoId,
    verdict,
    pictureChanged,
    ...(pictureChanged && outcome?.picture ? { picture: outcome.picture } : {}),
    ...(pictureChanged
      ? {}
      : {
          notSet: outcome
            ? { code: outcome.code, message: outcome.message }
            : { message: `The photo ended ${verdict.status} without a profile-picture outcome` },
        }),
  };
}
