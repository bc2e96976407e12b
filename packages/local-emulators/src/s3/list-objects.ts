import S3Object from "s3rver/lib/models/object.js";
import FilesystemStoreClass, { type FilesystemStore } from "s3rver/lib/stores/filesystem.js";
import { walk } from "s3rver/lib/utils.js";

const OBJECT_SUFFIX = "._S3rver_object";

/**
 * ListObjects with a delimiter, as S3 answers it
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html): every key that holds
 * the delimiter after the prefix rolls up into one CommonPrefixes entry. s3rver 3.7.1 skips every
 * folder below the first delimiter, so keys two levels down (`uploads/{owner}/{photo}.jpg` listed
 * from the root) gave no prefix at all and `aws s3 ls s3://bucket/` printed nothing. This walks
 * those folders too; listings without a delimiter stay s3rver's.
 */
export function fixDelimitedListings(store: FilesystemStore): void {
  const original = store.listObjects.bind(store);
  store.listObjects = async (bucket, options) => {
    const { delimiter = "", startAfter = "", prefix = "", maxKeys = Number.POSITIVE_INFINITY } = options;
    if (!delimiter) return original(bucket, options);
    const bucketPath = store.getBucketPath(bucket);
    const startAfterPath = `${bucketPath}/${FilesystemStoreClass.encodeKeyPath(startAfter)}`;
    const prefixPath = `${bucketPath}/${FilesystemStoreClass.encodeKeyPath(prefix)}`;
    const files = walk(bucketPath, (dirPath) => {
      // Folders wholly before startAfter, and folders off the prefix, hold nothing to list.
      if (dirPath < startAfterPath && !startAfterPath.startsWith(dirPath)) return false;
      return dirPath.startsWith(prefixPath) || prefixPath.startsWith(dirPath);
    });
    const commonPrefixes = new Set<string>();
    const keys: string[] = [];
    let isTruncated = false;
    for (const file of files) {
      if (!file.endsWith(OBJECT_SUFFIX)) continue;
      const key = FilesystemStoreClass.decodeKeyPath(
        file.slice(bucketPath.length + 1, -OBJECT_SUFFIX.length),
      );
      if (key <= startAfter || !key.startsWith(prefix)) continue;
      const at = key.indexOf(delimiter, prefix.length);
      if (at !== -1) {
        commonPrefixes.add(key.slice(0, at + delimiter.length));
        continue;
      }
      if (keys.length >= maxKeys) {
        isTruncated = true;
        break;
      }
      keys.push(key);
    }
    const objects: S3Object[] = [];
    for (const key of keys) {
      const metadata = await store.getMetadata(bucket, key).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return undefined; // deleted while listing
        throw error;
      });
      if (metadata) objects.push(new S3Object(bucket, key, null, metadata));
    }
    return { objects, commonPrefixes: [...commonPrefixes].sort(), isTruncated };
  };
}
