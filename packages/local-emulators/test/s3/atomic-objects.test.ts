import { createHash } from "node:crypto";
import { copyFile, link, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { createLogger } from "@photogate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type S3Server, startS3Server } from "../../src/s3/s3-server";
import { bucket, failure, ownerA, ownerB, s3Client, tempDir } from "./support";

const md5 = (body: string | Uint8Array) => createHash("md5").update(body).digest("hex");

describe("objects in the local store are written atomically", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: S3Server;
  let s3: S3Client;
  const warnings: string[] = [];
  /** s3rver's files for a key: `<bucket>/<key>._S3rver_<resource>`. */
  const file = (key: string, resource: "object" | "metadata.json" | "object.md5") =>
    join(server.directory, bucket, `${key}._S3rver_${resource}`);

  beforeAll(async () => {
    dir = await tempDir();
    server = await startS3Server({
      dataDir: dir.path,
      buckets: [{ name: bucket }],
      logger: createLogger((entry) => entry.level !== "info" && warnings.push(entry.event)),
    });
    s3 = s3Client(server.url, { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" });
  });
  afterAll(async () => {
    s3.destroy();
    await server.close();
    await dir.remove();
  });

  const put = (key: string, body: string, contentType = "image/jpeg") =>
    s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
  const get = async (key: string) => {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = await response.Body!.transformToString();
    return { body, eTag: response.ETag, type: response.ContentType, length: response.ContentLength };
  };
  const listKeys = async (prefix: string) =>
    (await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents?.map((o) => ({
      key: o.Key,
      eTag: o.ETag,
    }));

  it("reads and lists an object whose metadata file a kill left empty, with the ETag of its bytes", async () => {
    const key = `uploads/${ownerA}/torn.jpg`;
    await put(key, "the bytes that are there");
    await writeFile(file(key, "metadata.json"), "");
    warnings.length = 0;

    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ETag).toBe(`"${md5("the bytes that are there")}"`);
    expect(await get(key)).toMatchObject({ body: "the bytes that are there", type: "binary/octet-stream" });
    expect(await listKeys(`uploads/${ownerA}/`)).toEqual([
      { key, eTag: `"${md5("the bytes that are there")}"` },
    ]);
    expect(warnings).toContain("s3.metadata-unreadable");
  });

  it("reads s3rver's own layout, recomputing an ETag that its .md5 file gets wrong", async () => {
    const key = `uploads/${ownerB}/legacy.jpg`;
    await put(key, "placeholder");
    // What s3rver 3.7.1 itself leaves after a kill between writing the content and its .md5.
    await writeFile(file(key, "object"), "new bytes");
    await writeFile(file(key, "object.md5"), md5("old bytes"));
    await writeFile(file(key, "metadata.json"), JSON.stringify({ "content-type": "image/png" }));

    expect(await get(key)).toEqual({
      body: "new bytes",
      eTag: `"${md5("new bytes")}"`,
      type: "image/png",
      length: 9,
    });
    await writeFile(file(key, "object.md5"), "");
    expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ETag).toBe(
      `"${md5("new bytes")}"`,
    );
  });

  it("keeps the old object whole when a kill falls between the two renames of an overwrite", async () => {
    const key = `uploads/${ownerA}/overwrite.jpg`;
    await put(key, "old version", "image/jpeg");
    const oldContent = join(dir.path, "old-content");
    await link(file(key, "object"), oldContent);
    await put(key, "the new version", "image/png");
    // The state a kill after the sidecar's rename and before the content's leaves: old content, new sidecar.
    await rename(oldContent, file(key, "object"));

    expect(await get(key)).toEqual({
      body: "old version",
      eTag: `"${md5("old version")}"`,
      type: "image/jpeg",
      length: 11,
    });
    await put(key, "the new version", "image/png");
    expect(await get(key)).toEqual({
      body: "the new version",
      eTag: `"${md5("the new version")}"`,
      type: "image/png",
      length: 15,
    });
  });

  it("never shows a reader a torn object while the same key is overwritten", async () => {
    const key = `uploads/${ownerA}/busy.jpg`;
    const bodies = Array.from({ length: 6 }, (_, n) => `${n}`.repeat(50_000 * (n + 1)));
    await put(key, bodies[0]!);
    const reads: Awaited<ReturnType<typeof get>>[] = [];
    const writes = (async () => {
      for (const body of [...bodies, ...bodies]) await put(key, body);
    })();
    let writing = true;
    void writes.finally(() => {
      writing = false;
    });
    while (writing) reads.push(await get(key));
    await writes;

    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) {
      expect(bodies).toContain(read.body);
      expect(read.eTag).toBe(`"${md5(read.body)}"`);
      expect(read.length).toBe(read.body.length);
    }
  });

  it("copies atomically too, and leaves no temp files to list", async () => {
    const source = `uploads/${ownerB}/source.jpg`;
    const target = `uploads/${ownerB}/copy.jpg`;
    await put(source, "copied bytes", "image/webp");
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: target, CopySource: `${bucket}/${source}` }));

    expect(await get(target)).toMatchObject({
      body: "copied bytes",
      eTag: `"${md5("copied bytes")}"`,
      type: "image/webp",
    });
    const files = await readdir(join(server.directory, bucket, "uploads", ownerB));
    expect(files.filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("treats a content file without any sidecar as an object with no metadata", async () => {
    const key = `uploads/${ownerB}/bare.jpg`;
    await put(key, "x");
    await copyFile(file(key, "object"), `${file(key, "object")}.bak`);
    await rm(file(key, "metadata.json"));
    expect(await get(key)).toMatchObject({ body: "x", eTag: `"${md5("x")}"`, type: "binary/octet-stream" });
  });
});

describe("ListObjectsV2 pages (s3rver patched: no DES continuation token)", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: S3Server;
  let s3: S3Client;

  beforeAll(async () => {
    dir = await tempDir();
    server = await startS3Server({
      dataDir: dir.path,
      buckets: [{ name: bucket }, { name: "other-bucket" }],
    });
    s3 = s3Client(server.url, { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" });
    for (const name of ["a", "b", "c"]) {
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: `uploads/${ownerA}/${name}.jpg`, Body: name }),
      );
    }
  });
  afterAll(async () => {
    s3.destroy();
    await server.close();
    await dir.remove();
  });

  it("pages through one's own prefix one key at a time", async () => {
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: `uploads/${ownerA}/`,
          MaxKeys: 1,
          ContinuationToken: token,
        }),
      );
      pages++;
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
      expect(page.IsTruncated).toBe(token !== undefined);
    } while (token);
    expect(pages).toBe(3);
    expect(keys).toEqual(["a", "b", "c"].map((name) => `uploads/${ownerA}/${name}.jpg`));
  });

  it("answers 400 InvalidArgument to a garbage token or another bucket's token", async () => {
    const list = (Bucket: string, ContinuationToken: string) =>
      failure(s3.send(new ListObjectsV2Command({ Bucket, ContinuationToken })));
    for (const garbage of ["not a token!", "AAAA", "%%%", Buffer.from("us-east-1/x").toString("base64url")]) {
      expect(await list(bucket, garbage)).toEqual({ name: "InvalidArgument", status: 400 });
    }
    const first = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }));
    expect(first.NextContinuationToken).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(await list("other-bucket", first.NextContinuationToken!)).toEqual({
      name: "InvalidArgument",
      status: 400,
    });
  });
});
