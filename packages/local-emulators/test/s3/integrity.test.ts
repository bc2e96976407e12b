import { request } from "node:http";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { embeddedEnvironment, resourceNames } from "@photogate/core";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { S3Event } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CredentialStore } from "../../src/credentials";
import { edgeOriginRole } from "../../src/edge/origin-access";
import { type S3Gateway, startS3Gateway } from "../../src/s3/gateway";
import type { S3Notifications } from "../../src/s3/notifications";
import { type S3Server, startS3Server } from "../../src/s3/s3-server";
import { failure, ownerA, photoId, recordingNotifications, region, s3Client, tempDir } from "./support";

// The bucket the local environment's policies name, so the edge role's statements apply to it.
const bucket = resourceNames(embeddedEnvironment).bucket;
const service = { accessKeyId: "AKIAPHOTOGATESERVICE", secretAccessKey: "service-secret-for-tests" };
const upload = `uploads/${ownerA}/${photoId}.jpg`;

let dir: Awaited<ReturnType<typeof tempDir>>;
let server: S3Server;
let gateway: S3Gateway;
let notifications: S3Notifications;
let delivered: S3Event[];
let asService: S3Client;
let asEdge: S3Client;
const edgeKeys = edgeOriginRole(embeddedEnvironment, "000000000000");

beforeAll(async () => {
  dir = await tempDir();
  server = await startS3Server({ dataDir: dir.path, buckets: [{ name: bucket }], accessKeys: [], region });
  const store = new CredentialStore(service);
  store.addRole(edgeKeys);
  gateway = await startS3Gateway({
    upstreamUrl: server.url,
    upstreamCredentials: server.gatewayCredentials,
    credentials: store,
    bucketArns: [`arn:aws:s3:::${bucket}`],
    region,
  });
  ({ notifications, delivered } = recordingNotifications(server, dir.path));
  asService = s3Client(gateway.url, service);
  asEdge = s3Client(gateway.url, edgeKeys);
  await asService.send(new PutObjectCommand({ Bucket: bucket, Key: upload, Body: "original" }));
  await notifications.idle();
});

beforeEach(async () => {
  await notifications.idle();
  delivered.length = 0;
});

afterAll(async () => {
  asService?.destroy();
  asEdge?.destroy();
  await gateway?.close();
  await server?.close();
  await dir?.remove();
});

const read = async (key: string) =>
  (await asService.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();

/** A PutObject with an aws-chunked body and a CRC32 trailer, as the SDK sends it, with `trailer` as the value. */
async function putWithTrailer(
  key: string,
  body: string,
  trailer: string,
): Promise<{ status: number; text: string }> {
  const framed = `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\nx-amz-checksum-crc32:${trailer}\r\n\r\n`;
  const url = new URL(gateway.url);
  const path = `/${bucket}/${key}`;
  const signer = new SignatureV4({
    credentials: service,
    region,
    service: "s3",
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: false,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: "PUT",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path,
      headers: {
        host: url.host,
        "content-encoding": "aws-chunked",
        "content-length": String(Buffer.byteLength(framed)),
        "x-amz-decoded-content-length": String(Buffer.byteLength(body)),
        "x-amz-trailer": "x-amz-checksum-crc32",
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      },
    }),
  );
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: "PUT", path, headers: signed.headers },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.end(framed);
  });
}

describe("a refused write leaves the object and the notifications as they were", () => {
  it("If-None-Match: * on an existing upload: 412, content unchanged, no notification", async () => {
    const error = await failure(
      asService.send(
        new PutObjectCommand({ Bucket: bucket, Key: upload, Body: "overwrite", IfNoneMatch: "*" }),
      ),
    );
    expect(error).toEqual({ name: "PreconditionFailed", status: 412 });
    await notifications.idle();
    expect(delivered).toEqual([]);
    expect(await read(upload)).toBe("original");
  });

  it("two conditional creates of one new key at once: one wins, one gets 412, one notification", async () => {
    const key = `uploads/${ownerA}/${photoId}-race.jpg`;
    const attempts = await Promise.allSettled(
      ["first", "second"].map((Body) =>
        asService.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body, IfNoneMatch: "*" })),
      ),
    );
    expect(attempts.map((a) => a.status).sort()).toEqual(["fulfilled", "rejected"]);
    const refused = attempts.find((a) => a.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ name: "PreconditionFailed" });
    await notifications.idle();
    expect(delivered.map((e) => e.Records[0]!.s3.object.key)).toEqual([key]);
  });

  it("a wrong CRC32 trailer: 400 BadDigest, nothing stored, no notification", async () => {
    const key = `uploads/${ownerA}/${photoId}-crc.jpg`;
    const wrong = await putWithTrailer(key, "trailer body", "AAAAAA==");
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain("<Code>BadDigest</Code>");
    expect(wrong.text).toContain("The CRC32 you specified did not match the calculated checksum.");
    await notifications.idle();
    expect(delivered).toEqual([]);
    const listed = await asService.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key }));
    expect(listed.Contents ?? []).toEqual([]);
    // The same body with its real CRC32 (IEEE, of "trailer body") is stored.
    const right = await putWithTrailer(key, "trailer body", crc32Base64("trailer body"));
    expect(right.status).toBe(200);
    expect(await read(key)).toBe("trailer body");
  });

  it("a wrong Content-MD5 on an overwrite keeps the old bytes", async () => {
    const error = await failure(
      asService.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: upload,
          Body: "tampered",
          ContentMD5: Buffer.alloc(16).toString("base64"),
        }),
      ),
    );
    expect(error).toEqual({ name: "BadDigest", status: 400 });
    await notifications.idle();
    expect(delivered).toEqual([]);
    expect(await read(upload)).toBe("original");
  });
});

describe("the edge's origin access (the OAC bucket-policy statements)", () => {
  it("reads and writes uploads/ and reads photos/, nothing more; a missing key is 403", async () => {
    const photo = `photos/${ownerA}/${photoId}/display.webp`;
    await asService.send(new PutObjectCommand({ Bucket: bucket, Key: photo, Body: "derived" }));
    expect(
      await (
        await asEdge.send(new GetObjectCommand({ Bucket: bucket, Key: upload }))
      ).Body!.transformToString(),
    ).toBe("original");
    await asEdge.send(
      new PutObjectCommand({ Bucket: bucket, Key: `uploads/${ownerA}/${photoId}-edge.jpg`, Body: "e" }),
    );
    for (const refused of [
      () => asEdge.send(new PutObjectCommand({ Bucket: bucket, Key: photo, Body: "x" })),
      () => asEdge.send(new DeleteObjectCommand({ Bucket: bucket, Key: upload })),
      () => asEdge.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "uploads/" })),
      () => asEdge.send(new GetObjectCommand({ Bucket: bucket, Key: `uploads/${ownerA}/missing.jpg` })),
    ]) {
      expect(await failure(refused())).toEqual({ name: "AccessDenied", status: 403 });
    }
    expect(
      await failure(
        asService.send(new GetObjectCommand({ Bucket: bucket, Key: `uploads/${ownerA}/missing.jpg` })),
      ),
    ).toEqual({
      name: "NoSuchKey",
      status: 404,
    });
  });
});

/** CRC-32 (IEEE) computed bit by bit, independently of the gateway's table-driven one. */
function crc32Base64(text: string): string {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text)) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString("base64");
}
