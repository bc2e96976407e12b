import { InvalidKeyError } from "./errors";

/**
 * The bucket's key layout. Every part of photogate builds and parses keys here,
 * so the edge, the processor, the IAM policies and the admin API cannot drift.
 *
 *   uploads/{owner}/{photoId}.{ext}            written by the owner; the processing trigger
 *   photos/{owner}/{photoId}/thumb-{size}.webp written by the processor only
 *   photos/{owner}/{photoId}/display.webp
 *   photos/{owner}/{photoId}/status.json
 *   shared/{owner}/{photoId}/...               approved copies, readable by signed-in users
 */
export const UPLOADS_PREFIX = "uploads/";
export const PHOTOS_PREFIX = "photos/";
export const SHARED_PREFIX = "shared/";

/** Upload extensions a client may use. Whether the content decodes is the processor's call. */
export const UPLOAD_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "gif", "avif", "heic", "heif"] as const;
export type UploadExtension = (typeof UPLOAD_EXTENSIONS)[number];

/** Content types an upload may declare (the edge refuses others with 415). */
export const UPLOAD_CONTENT_TYPES = [
  "image/jpeg",
  "image/png",
  "image/webp",
  "image/gif",
  "image/avif",
  "image/heic",
  "image/heif",
] as const;
export type UploadContentType = (typeof UPLOAD_CONTENT_TYPES)[number];

/** The Content-Type an upload declares for each extension, so an object's type agrees with its key. */
export const UPLOAD_CONTENT_TYPE_BY_EXTENSION: Readonly<Record<UploadExtension, UploadContentType>> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  gif: "image/gif",
  avif: "image/avif",
  heic: "image/heic",
  heif: "image/heif",
};

// Lower-case canonical UUID: owners are Cognito `sub`s and photo ids are client-made UUIDs.
// Upper case is refused so one photo cannot have two spellings of its key.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function isUploadExtension(value: string): value is UploadExtension {
  return (UPLOAD_EXTENSIONS as readonly string[]).includes(value);
}

function assertId(kind: "owner" | "photoId", value: string, key: string): void {
  if (!isUuid(value)) throw new InvalidKeyError(key, `${kind} must be a lower-case UUID`);
}

export interface UploadKeyParts {
  owner: string;
  photoId: string;
  extension: UploadExtension;
}

export function uploadKey(owner: string, photoId: string, extension: UploadExtension): string {
  const key = `${UPLOADS_PREFIX}${owner}/${photoId}.${extension}`;
  assertId("owner", owner, key);
  assertId("photoId", photoId, key);
  return key;
}

/** Parses `uploads/{owner}/{photoId}.{ext}`; throws InvalidKeyError saying what is wrong. */
export function parseUploadKey(key: string): UploadKeyParts {
  if (!key.startsWith(UPLOADS_PREFIX)) throw new InvalidKeyError(key, `must start with "${UPLOADS_PREFIX}"`);
  const parts = key.slice(UPLOADS_PREFIX.length).split("/");
  if (parts.length !== 2) throw new InvalidKeyError(key, "must be uploads/{owner}/{photoId}.{extension}");
  const [owner, file] = parts as [string, string];
  const dot = file.lastIndexOf(".");
  if (dot <= 0) throw new InvalidKeyError(key, "file name needs an extension");
  const photoId = file.slice(0, dot);
  const extension = file.slice(dot + 1).toLowerCase();
  assertId("owner", owner, key);
  assertId("photoId", photoId, key);
  if (!isUploadExtension(extension)) {
    throw new InvalidKeyError(key, `extension must be one of ${UPLOAD_EXTENSIONS.join(", ")}`);
  }
  return { owner, photoId, extension };
}

export function photoPrefix(owner: string, photoId: string): string {
  return `${PHOTOS_PREFIX}${owner}/${photoId}/`;
}

export function thumbnailKey(owner: string, photoId: string, size: number): string {
  return `${photoPrefix(owner, photoId)}thumb-${size}.webp`;
}

export function displayKey(owner: string, photoId: string): string {
  return `${photoPrefix(owner, photoId)}display.webp`;
}

export function statusKey(owner: string, photoId: string): string {
  return `${photoPrefix(owner, photoId)}status.json`;
}

export function sharedPrefix(owner: string, photoId: string): string {
  return `${SHARED_PREFIX}${owner}/${photoId}/`;
}

export type KeyArea = "uploads" | "photos" | "shared";

export interface ObjectKeyParts {
  area: KeyArea;
  owner: string;
  photoId: string;
  /** The file part: `{photoId}.{ext}` under uploads/, the file name inside the photo folder otherwise. */
  file: string;
}

/**
 * Classifies any photogate key (used for authorisation decisions). Refuses anything
 * that is not exactly one of the three layouts: no extra segments, no empty parts.
 */
export function parseObjectKey(key: string): ObjectKeyParts {
  if (key.startsWith(UPLOADS_PREFIX)) {
    const { owner, photoId } = parseUploadKey(key);
    return { area: "uploads", owner, photoId, file: key.slice(UPLOADS_PREFIX.length + owner.length + 1) };
  }
  const area: KeyArea | undefined = key.startsWith(PHOTOS_PREFIX)
    ? "photos"
    : key.startsWith(SHARED_PREFIX)
      ? "shared"
      : undefined;
  if (!area) throw new InvalidKeyError(key, "must start with uploads/, photos/ or shared/");
  const parts = key.slice(area.length + 1).split("/");
  if (parts.length !== 3) throw new InvalidKeyError(key, `must be ${area}/{owner}/{photoId}/{file}`);
  const [owner, photoId, file] = parts as [string, string, string];
  assertId("owner", owner, key);
  assertId("photoId", photoId, key);
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(file) || file.includes("..")) {
    throw new InvalidKeyError(key, "file name may hold only a-z, 0-9, '.', '_' and '-'");
  }
  return { area, owner, photoId, file };
}

/**
 * The tag the processor puts on an upload once its verdict is final. The bucket's lifecycle
 * rules expire originals by it (StorageLifecycleConfig): `rejected` after rejectedOriginalDays,
 * `failed` after abandonedUploadDays. Approved originals carry `approved` and never expire.
 */
export const UPLOAD_OUTCOME_TAG = "photogate-outcome";
export const UPLOAD_OUTCOMES = ["approved", "rejected", "failed"] as const;
export type UploadOutcome = (typeof UPLOAD_OUTCOMES)[number];

/** S3 event keys are form-encoded: `+` is a space, everything else percent-encoded. */
export function decodeS3Key(raw: string): string {
  return decodeURIComponent(raw.replace(/\+/g, "%20"));
}
