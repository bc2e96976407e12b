import { PutObjectCommand } from "@aws-sdk/client-s3";
import {
  UPLOAD_CONTENT_TYPE_BY_EXTENSION,
  UPLOAD_INTENT_HEADER,
  UPLOAD_INTENT_METADATA,
  type UploadExtension,
  type UploadIntent,
  uploadKey,
} from "@photogate/core";
import { PhotoUploadError } from "./errors";
import { errorText, objectUrl, type PhotoTransport, sdkStatus, tokenOf } from "./photo-transport";

export interface PhotoToUpload {
  /** The user-pool `sub` of the signed-in user: keys are built from it, never from the identity id. */
  owner: string;
  /** A lower-case UUID; one is made when absent. */
  photoId?: string;
  extension: UploadExtension;
  body: Uint8Array | Blob;
  /** `profile-picture`: once approved, the photo becomes the user's picture (`uploadProfilePicture`). */
  intent?: UploadIntent;
}

export interface UploadedPhoto {
  key: string;
  owner: string;
  photoId: string;
}

/** Puts the photo at `uploads/{owner}/{photoId}.{ext}`; processing starts on its own. */
export async function uploadPhoto(transport: PhotoTransport, photo: PhotoToUpload): Promise<UploadedPhoto> {
  const photoId = photo.photoId ?? globalThis.crypto.randomUUID();
  const key = uploadKey(photo.owner, photoId, photo.extension);
  const contentType = UPLOAD_CONTENT_TYPE_BY_EXTENSION[photo.extension];
  if (transport.kind === "cloudfront") {
    const response = await (transport.fetch ?? fetch)(objectUrl(transport.baseUrl, key), {
      method: "PUT",
      headers: {
        authorization: `Bearer ${await tokenOf(transport.accessToken)}`,
        "content-type": contentType,
        ...(photo.intent ? { [UPLOAD_INTENT_HEADER]: photo.intent } : {}),
      },
      body: photo.body,
    });
    if (!response.ok) {
      throw new PhotoUploadError(response.status, key, await response.text().catch(() => ""));
    }
  } else {
    try {
      await transport.s3.send(
        new PutObjectCommand({
          Bucket: transport.bucket,
          Key: key,
          Body: photo.body,
          ContentType: contentType,
          ...(photo.intent ? { Metadata: { [UPLOAD_INTENT_METADATA]: photo.intent } } : {}),
        }),
      );
    } catch (error) {
      throw new PhotoUploadError(sdkStatus(error), key, errorText(error), { cause: error });
    }
  }
  return { key, owner: photo.owner, photoId };
}
