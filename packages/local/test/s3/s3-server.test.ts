import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UPLOAD_CORS_RULE } from "../../src/s3/cors";
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
    try {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "cors.txt", Body: "x" }));
    } finally {
      s3.destroy();
    }
    const response = await fetch(`${server.url}/${bucket}/cors.txt`, { headers: { origin } });
    expect(response.headers.get("access-control-allow-origin")).toBe(origin);
    expect(response.headers.get("access-control-expose-headers")).toBe("ETag");
  });
});

describe("UPLOAD_CORS_RULE", () => {
  // The stacks declare the rule inside PhotoStorage; read it from there so the two cannot drift.
  it("is the rule stacks/src/constructs/photo-storage.ts synthesizes", async () => {
    const policies = createRequire(import.meta.url).resolve("@photogate/stacks/policies");
    const source = await readFile(join(dirname(policies), "../constructs/photo-storage.ts"), "utf8");
    const rule = /corsRule:\s*\[\s*\{([\s\S]*?)\n\s*\},\s*\]/.exec(source)?.[1];
    expect(rule).toBeDefined();
    const list = (field: string) =>
      [...(new RegExp(`${field}:\\s*\\[([^\\]]*)\\]`).exec(rule!)?.[1] ?? "").matchAll(/"([^"]+)"/g)].map(
        (m) => m[1],
      );
    expect(list("allowedMethods")).toEqual(UPLOAD_CORS_RULE.allowedMethods);
    expect(list("allowedHeaders")).toEqual(UPLOAD_CORS_RULE.allowedHeaders);
    expect(list("exposeHeaders")).toEqual(UPLOAD_CORS_RULE.exposeHeaders);
    expect(/maxAgeSeconds:\s*(\d+)/.exec(rule!)?.[1]).toBe(String(UPLOAD_CORS_RULE.maxAgeSeconds));
    expect(rule).toContain("allowedOrigins: options.uploadOrigins");
  });
});
