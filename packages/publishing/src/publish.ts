import {
  CopyObjectCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { Logger } from "@photogate/core";
import {
  photoPrefix,
  sharedCopyKey,
  sharedPrefix,
  statusKey,
  VERDICT_CACHE_CONTROL,
  VERDICT_CONTENT_TYPE,
  type VerdictDocument,
  type VersionedPhotoRecord,
  verdictFromRecord,
} from "@photogate/core";
import { PublishError } from "./publish-error";

/**
 * Publishing a verdict: the shared/ copies and status.json. The processor calls these after
 * its final record write; the admin API calls the same functions after an override and when it
 * deletes a photo, so every path leaves the bucket in the same shape. Only S3 here, no sharp.
 */
export interface PublishDeps {
  s3: S3Client;
  bucket: string;
  log?: Logger;
}

export interface PublishOptions {
  /** For `failed` only: false when the processor will retry by itself. Default true. */
  final?: boolean;
}

/**
 * Shared copies are cached by CloudFront's shared/* behaviour. A short max-age bounds how long
 * a copy can still be served from an edge cache after its photo is rejected or deleted.
 */
export const SHARED_CACHE_CONTROL = "max-age=60";

/**
 * Makes the bucket agree with a finished record, then writes status.json LAST: approved →
 * derived images copied to shared/ (stale shared files removed); anything else → shared/
 * emptied. Returns the document written.
 */
export async function publishVerdict(
  deps: PublishDeps,
  record: VersionedPhotoRecord,
  options: PublishOptions = {},
): Promise<VerdictDocument> {
  const document = verdictFromRecord(record, options);
  if (document.status === "approved" && document.shared) {
    const copies = [
      ...(record.display ? [record.display.key] : []),
      ...record.thumbnails.map((t) => t.key),
    ].map((source) => ({ source, target: sharedCopyKey(source) }));
    await Promise.all(copies.map(({ source, target }) => shareImage(deps, source, target)));
    await removeShared(deps, record.owner, record.photoId, new Set(copies.map((c) => c.target)));
  } else {
    await removeShared(deps, record.owner, record.photoId, new Set());
  }
  const key = statusKey(record.owner, record.photoId);
  await send(key, () =>
    deps.s3.send(
      new PutObjectCommand({
        Bucket: deps.bucket,
        Key: key,
        Body: JSON.stringify(document),
        ContentType: VERDICT_CONTENT_TYPE,
        CacheControl: VERDICT_CACHE_CONTROL,
      }),
    ),
  );
  deps.log?.info("verdict.published", {
    owner: record.owner,
    photoId: record.photoId,
    status: document.status,
    version: document.version,
    shared: document.shared ? document.shared.thumbnails.length + (document.shared.display ? 1 : 0) : 0,
  });
  return document;
}

/**
 * Removes every shared/ copy of a photo (rejected by support, deleted, owner disabled or
 * deleted). Lists the photo's shared/ folder instead of guessing names, so copies made under
 * an earlier thumbnail config go too. Returns the keys deleted.
 */
export async function unpublishPhoto(deps: PublishDeps, owner: string, photoId: string): Promise<string[]> {
  return removeShared(deps, owner, photoId, new Set());
}

/**
 * Everything derived from a photo: its shared/ copies, then its photos/ folder (images and
 * status.json). The upload itself and the record are the caller's to delete.
 */
export async function deletePhotoDerivatives(
  deps: PublishDeps,
  owner: string,
  photoId: string,
): Promise<string[]> {
  const shared = await unpublishPhoto(deps, owner, photoId);
  const derived = await deleteUnder(deps, photoPrefix(owner, photoId), new Set());
  return [...shared, ...derived];
}

async function removeShared(
  deps: PublishDeps,
  owner: string,
  photoId: string,
  keep: ReadonlySet<string>,
): Promise<string[]> {
  const deleted = await deleteUnder(deps, sharedPrefix(owner, photoId), keep);
  if (deleted.length) deps.log?.info("shared.removed", { owner, photoId, keys: deleted });
  return deleted;
}

async function deleteUnder(deps: PublishDeps, prefix: string, keep: ReadonlySet<string>): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await send(prefix, () =>
      deps.s3.send(
        new ListObjectsV2Command({
          Bucket: deps.bucket,
          Prefix: prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      ),
    );
    for (const object of page.Contents ?? []) if (object.Key && !keep.has(object.Key)) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  await Promise.all(
    keys.map((key) =>
      send(key, () => deps.s3.send(new DeleteObjectCommand({ Bucket: deps.bucket, Key: key }))),
    ),
  );
  return keys;
}

/** A copy inside S3 (needs GetObject on the photos/ source and PutObject on the shared/ target). */
async function shareImage(deps: PublishDeps, source: string, target: string): Promise<void> {
  await send(target, () =>
    deps.s3.send(
      new CopyObjectCommand({
        Bucket: deps.bucket,
        Key: target,
        CopySource: `${deps.bucket}/${source}`,
        MetadataDirective: "REPLACE",
        ContentType: "image/webp",
        CacheControl: SHARED_CACHE_CONTROL,
      }),
    ),
  );
}

async function send<T>(key: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new PublishError(key, { cause: error });
  }
}
