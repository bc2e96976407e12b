import { createHash, randomBytes } from "node:crypto";
import type { Stats } from "node:fs";
import { type FileHandle, mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import type { Logger } from "@photogate/core";
import S3Object from "s3rver/lib/models/object.js";
import type { FilesystemStore } from "s3rver/lib/stores/filesystem.js";
import { type ChecksumAlgorithm, createDigest } from "./checksums";
import { silentLogger } from "./logger";

/** One version of an object as its sidecar records it, tied to the content file by inode. */
interface Version {
  ino: number;
  size: number;
  md5: string;
  metadata: Record<string, string>;
  /** The x-amz-checksum-* the object was uploaded with (GetObject returns it in checksum mode). */
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
}

export interface AtomicStoreOptions {
  /** The checksum to record for the object the current request writes (the gateway verified it). */
  checksumAlgorithm?: () => ChecksumAlgorithm | undefined;
}

/** `<key>._S3rver_metadata.json` as written here; s3rver's own files hold the bare metadata. */
interface Sidecar {
  photogate: 1;
  /** The newest version first, then the one it replaces (so a kill between renames keeps it whole). */
  versions: Version[];
}

/**
 * Makes s3rver's FilesystemStore crash-safe (s3rver 3.7.1 writes the object, its `.md5` and its
 * metadata in place, so a kill leaves torn or zero-byte files that make reads answer 500).
 *
 * A write goes to temp files (fsynced) and is published by two renames: first the sidecar, which
 * names the new content file's inode *and* the previous version's, then the content. A kill
 * before, between or after them leaves a content file whose inode the sidecar knows, so readers
 * see either the old or the new object whole. Readers open the content once and take size, ETag
 * and metadata from that open file, never from a path that a concurrent write may replace.
 * Files the sidecar does not describe (older s3rver data, unreadable or empty files) are read
 * as "no metadata" with the ETag recomputed from the content, and logged.
 */
export function makeStoreAtomic(
  store: FilesystemStore,
  log: Logger = silentLogger,
  options: AtomicStoreOptions = {},
): void {
  const locks = new Map<string, Promise<unknown>>();
  /** Writes to one key run one after another, so sidecars and contents are renamed in step. */
  const serialized = <T>(path: string, work: () => Promise<T>): Promise<T> => {
    const run = (locks.get(path) ?? Promise.resolve()).catch(() => {}).then(work);
    locks.set(path, run);
    void run.finally(() => locks.get(path) === run && locks.delete(path)).catch(() => {});
    return run;
  };
  const paths = (bucket: string, key: string) => ({
    object: store.getResourcePath(bucket, key, "object"),
    sidecar: store.getResourcePath(bucket, key, "metadata.json"),
    legacyMd5: store.getResourcePath(bucket, key, "object.md5"),
  });

  /** The version that describes this open content file. */
  async function versionOf(bucket: string, key: string, file: FileHandle, stats: Stats): Promise<Version> {
    const where = paths(bucket, key);
    let sidecar: unknown;
    try {
      sidecar = JSON.parse(await readFile(where.sidecar, "utf8"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        log.warn("s3.metadata-unreadable", { bucket, key, error: (error as Error).message });
      }
    }
    const known = isSidecar(sidecar)
      ? sidecar.versions.find((v) => v.ino === stats.ino && v.size === stats.size)
      : undefined;
    if (known) return known;
    if (isSidecar(sidecar))
      log.warn("s3.metadata-mismatch", { bucket, key, message: "recomputing the ETag" });
    // s3rver's own layout (or nothing usable): its .md5 may belong to other bytes, so hash the content.
    const legacy = sidecar && typeof sidecar === "object" && !isSidecar(sidecar) ? sidecar : {};
    return { ino: stats.ino, size: stats.size, md5: await md5Of(file), metadata: storable(legacy) };
  }

  async function describe(bucket: string, key: string, file: FileHandle) {
    const stats = await file.stat();
    const version = await versionOf(bucket, key, file, stats);
    return {
      version,
      metadata: {
        ...version.metadata,
        ...(version.checksum
          ? { [`x-amz-checksum-${version.checksum.algorithm}`]: version.checksum.value }
          : {}),
        etag: JSON.stringify(version.md5),
        "last-modified": stats.mtime.toUTCString(),
        "content-length": stats.size,
      },
    };
  }

  /** Writes `content` as the new version of bucket/key, atomically (see above). */
  async function writeVersion(
    bucket: string,
    key: string,
    content: NodeJS.ReadableStream | Buffer,
    metadata: Record<string, string>,
    checksumAlgorithm: ChecksumAlgorithm | undefined,
  ): Promise<{ size: number; md5: string }> {
    const where = paths(bucket, key);
    await mkdir(dirname(where.object), { recursive: true });
    const suffix = `.${randomBytes(6).toString("hex")}.tmp`;
    const tempContent = where.object + suffix;
    const hash = createHash("md5");
    const checksum = checksumAlgorithm ? createDigest(checksumAlgorithm) : undefined;
    const file = await open(tempContent, "w");
    let version: Version;
    try {
      let size = 0;
      const chunks = Buffer.isBuffer(content) ? [content] : content;
      for await (const chunk of chunks as AsyncIterable<Buffer | string>) {
        const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
        hash.update(bytes);
        checksum?.update(bytes);
        size += bytes.length;
        await file.write(bytes);
      }
      await file.sync();
      version = { ino: (await file.stat()).ino, size, md5: hash.digest("hex"), metadata: storable(metadata) };
      if (checksumAlgorithm && checksum)
        version.checksum = { algorithm: checksumAlgorithm, value: checksum.digest() };
    } catch (error) {
      await file.close();
      await rm(tempContent, { force: true });
      throw error;
    }
    await file.close();
    const previous = await currentVersion(bucket, key);
    const sidecar: Sidecar = { photogate: 1, versions: previous ? [version, previous] : [version] };
    await writeFileAtomically(where.sidecar, JSON.stringify(sidecar));
    await rename(tempContent, where.object);
    await rm(where.legacyMd5, { force: true });
    return { size: version.size, md5: version.md5 };
  }

  async function currentVersion(bucket: string, key: string): Promise<Version | undefined> {
    const file = await open(paths(bucket, key).object, "r").catch(() => undefined);
    if (!file) return undefined;
    try {
      return await versionOf(bucket, key, file, await file.stat());
    } finally {
      await file.close();
    }
  }

  store.getMetadata = async (bucket, key) => {
    // Throws ENOENT when the object does not exist, as s3rver's callers expect.
    const file = await open(paths(bucket, key).object, "r");
    try {
      return (await describe(bucket, key, file)).metadata;
    } finally {
      await file.close();
    }
  };

  store.getObject = async (bucket, key, options) => {
    let file: FileHandle;
    try {
      file = await open(paths(bucket, key).object, "r");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
    try {
      const { metadata, version } = await describe(bucket, key, file);
      // s3rver's range rules, unchanged.
      const lastByte = Math.max(0, Number(metadata["content-length"]) - 1);
      const range = {
        start: options?.start || 0,
        end: Math.min(options?.end || Number.POSITIVE_INFINITY, lastByte),
      };
      const ranged = options !== undefined && (options.start !== undefined || Boolean(options.end));
      const satisfiable = !(range.start < 0 || Math.min(range.end, lastByte) < range.start);
      const object = new S3Object(bucket, key, satisfiable ? file.createReadStream(range) : null, metadata);
      // S3Object keeps only s3rver's metadata names; the checksum goes out as a response header too.
      if (version.checksum) {
        object.metadata[`x-amz-checksum-${version.checksum.algorithm}`] = version.checksum.value;
      }
      if (!satisfiable) await file.close();
      if (ranged) object.range = range;
      return object;
    } catch (error) {
      await file.close();
      throw error;
    }
  };

  store.putObject = (object) =>
    serialized(paths(object.bucket, object.key).object, () =>
      writeVersion(
        object.bucket,
        object.key,
        object.content as NodeJS.ReadableStream,
        object.metadata,
        options.checksumAlgorithm?.(),
      ),
    );

  store.copyObject = async (srcBucket, srcKey, destBucket, destKey, replacementMetadata) => {
    const dest = paths(destBucket, destKey).object;
    await serialized(dest, async () => {
      const file = await open(paths(srcBucket, srcKey).object, "r");
      try {
        const { version } = await describe(srcBucket, srcKey, file);
        const metadata = replacementMetadata ? storable(replacementMetadata) : version.metadata;
        await writeVersion(
          destBucket,
          destKey,
          file.createReadStream({ start: 0, autoClose: false }),
          metadata,
          // CopyObject keeps the source's checksum algorithm (recomputed over the same bytes).
          version.checksum?.algorithm,
        );
      } finally {
        await file.close();
      }
    });
    return store.getMetadata(destBucket, destKey);
  };

  const deleteFiles = store.deleteObject.bind(store);
  store.deleteObject = (bucket, key) =>
    serialized(paths(bucket, key).object, async () => {
      // The content first: without it the object is gone, whatever sidecars a kill leaves behind.
      await rm(paths(bucket, key).object, { force: true });
      await deleteFiles(bucket, key);
    });
}

async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  const file = await open(temp, "w");
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, path);
}

async function md5Of(file: FileHandle): Promise<string> {
  const hash = createHash("md5");
  for await (const chunk of file.createReadStream({ start: 0, autoClose: false }))
    hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** What s3rver keeps of a request's headers: the standard object metadata and `x-amz-meta-*`. */
function storable(metadata: object): Record<string, string> {
  return Object.fromEntries(
    Object.entries(metadata).filter(
      ([name, value]) =>
        typeof value === "string" &&
        (S3Object.ALLOWED_METADATA.includes(name) || name.startsWith("x-amz-meta-")),
    ),
  );
}

function isSidecar(value: unknown): value is Sidecar {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Sidecar).photogate === 1 &&
    Array.isArray((value as Sidecar).versions)
  );
}
