import { join } from "node:path";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type S3Server, startS3Server } from "../../src/s3/s3-server";
import { bucket, failure, ownerA, photoId, s3Client, tempDir } from "./support";

const service = { accessKeyId: "AKIADIRECTSERVICE", secretAccessKey: "direct-service-secret" };
const origin = "http://localhost:5173";

describe("startS3Server", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: S3Server;

  beforeAll(async () => {
    dir = await tempDir();
    server = await startS3Server({
      dataDir: dir.path,
      buckets: [{ name: bucket, cors: { allowedOrigins: [origin] } }, { name: "second-bucket" }],
      accessKeys: [service],
    });
  });
  afterAll(async () => {
    await server.close();
    await dir.remove();
  });

  it("creates the buckets under <dataDir>/objects and accepts the service key directly", async () => {
    expect(server.directory).toBe(join(dir.path, "objects"));
    const s3 = s3Client(server.url, service);
    try {
      await s3.send(new PutObjectCommand({ Bucket: "second-bucket", Key: "a.txt", Body: "a" }));
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: "second-bucket" }));
      expect(listed.Contents?.map((o) => o.Key)).toEqual(["a.txt"]);
      const stranger = s3Client(server.url, { accessKeyId: "AKIAUNKNOWN", secretAccessKey: "x" });
      expect(await failure(stranger.send(new ListObjectsV2Command({ Bucket: bucket })))).toEqual({
        name: "InvalidAccessKeyId",
        status: 403,
      });
      stranger.destroy();
    } finally {
      s3.destroy();
    }
  });

  it("answers preflights with the upload CORS rule, only for buckets that have it", async () => {
    const preflight = (name: string, from: string, method = "PUT") =>
      fetch(`${server.url}/${name}/uploads/${ownerA}/${photoId}.jpg`, {
        method: "OPTIONS",
        headers: {
          origin: from,
          "access-control-request-method": method,
          "access-control-request-headers": "content-type,x-amz-content-sha256,x-amz-security-token",
        },
      });
    const ok = await preflight(bucket, origin);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-headers")).toBe(
      "content-type, x-amz-content-sha256, x-amz-security-token",
    );
    expect((await preflight(bucket, origin, "DELETE")).status).toBe(403);
    expect((await preflight(bucket, "http://elsewhere.example")).status).toBe(403);
    expect((await preflight("second-bucket", origin)).status).toBe(403);
  });

  it("serves GETs to the upload origin with the exposed ETag header", async () => {
    const s3 = s3Client(server.url, service);
    let url: string;
    try {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "cors.txt", Body: "x" }));
      url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: "cors.txt" }));
    } finally {
      s3.destroy();
    }
    const response = await fetch(url, { headers: { origin } });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe(origin);
    expect(response.headers.get("access-control-expose-headers")).toBe("ETag");
  });

  it("refuses anonymous requests and signatures made with a wrong secret (nothing bypasses the gateway)", async () => {
    const s3 = s3Client(server.url, service);
    try {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "private.txt", Body: "secret" }));
    } finally {
      s3.destroy();
    }
    for (const url of [`${server.url}/${bucket}/private.txt`, `${server.url}/${bucket}?list-type=2`]) {
      const anonymous = await fetch(url);
      expect(anonymous.status).toBe(403);
      const body = await anonymous.text();
      expect(body).toMatch(/<Code>AccessDenied<\/Code>/);
      expect(body).not.toContain("secret");
    }
    const forged = s3Client(server.url, { ...service, secretAccessKey: "not-the-secret" });
    expect(await failure(forged.send(new ListObjectsV2Command({ Bucket: bucket })))).toEqual({
      name: "SignatureDoesNotMatch",
      status: 403,
    });
    forged.destroy();
  });
});
