import { Readable } from "node:stream";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { processorStatements } from "@photogate/policies";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { S3Event } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CredentialStore, type Session } from "../../src/credentials";
import { policyDocument } from "../../src/iam/local-roles";
import { type S3Gateway, startS3Gateway } from "../../src/s3/gateway";
import type { S3Notifications } from "../../src/s3/notifications";
import { type S3Server, startS3Server } from "../../src/s3/s3-server";
import {
  bucket,
  bucketArn,
  failure,
  type Keys,
  ownerA,
  ownerB,
  photoId,
  recordingNotifications,
  region,
  s3Client,
  tempDir,
} from "./support";

const origin = "http://localhost:5173";
const service = { accessKeyId: "AKIAPHOTOGATESERVICE", secretAccessKey: "service-secret-for-tests" };

let dir: Awaited<ReturnType<typeof tempDir>>;
let server: S3Server;
let gateway: S3Gateway;
let clock = new Date();
let store: CredentialStore;
let sessionA: Session;
let asA: S3Client;
let asService: S3Client;
let notifications: S3Notifications;
let delivered: S3Event[];
const clients: S3Client[] = [];

const uploadA = `uploads/${ownerA}/${photoId}.jpg`;
const uploadB = `uploads/${ownerB}/${photoId}.jpg`;
const photoA = `photos/${ownerA}/${photoId}/display.webp`;
const photoB = `photos/${ownerB}/${photoId}/display.webp`;

function client(keys: Keys, options: Parameters<typeof s3Client>[2] = {}): S3Client {
  const c = s3Client(gateway.url, keys, options);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  dir = await tempDir();
  server = await startS3Server({
    dataDir: dir.path,
    buckets: [{ name: bucket, cors: { allowedOrigins: [origin] } }],
    silent: true,
  });
  // The session clock is the test's, so a session can be made to expire without waiting.
  store = new CredentialStore(service, () => clock);
  gateway = await startS3Gateway({
    upstreamUrl: server.url,
    credentials: store,
    bucketArns: [bucketArn],
    region,
  });
  sessionA = store.issue("us-east-1:identity-of-a", { owner: ownerA });
  asA = client(sessionA);
  asService = client(service);
  ({ notifications, delivered } = recordingNotifications(server, dir.path));
  // Objects the session may or may not read, written as the processor would.
  for (const key of [photoA, photoB, uploadB]) {
    await asService.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `seeded ${key}` }));
  }
  await notifications.idle();
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await gateway.close();
  await server.close();
  await dir.remove();
});

const read = async (s3: S3Client, key: string) =>
  (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
const list = async (s3: S3Client, prefix?: string) =>
  ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map(
    (o) => o.Key,
  );

describe("an identity-pool session for owner A", () => {
  it("may put, get, head and delete its own uploads", async () => {
    const key = `uploads/${ownerA}/${photoId}.png`;
    await asA.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: "mine", ContentType: "image/png" }),
    );
    expect(await read(asA, key)).toBe("mine");
    const head = await asA.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ContentLength).toBe(4);
    expect(head.ContentType).toBe("image/png");
    await asA.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    expect(await list(asService, key)).toEqual([]);
  });

  it("may read its own derivatives under photos/", async () => {
    expect(await read(asA, photoA)).toBe(`seeded ${photoA}`);
  });

  it("may list its own prefixes, and sees only its own keys there", async () => {
    await asA.send(new PutObjectCommand({ Bucket: bucket, Key: uploadA, Body: "listed" }));
    expect(await list(asA, `uploads/${ownerA}/`)).toEqual([uploadA]);
    expect(await list(asA, `photos/${ownerA}/`)).toEqual([photoA]);
  });

  it.each([
    [
      "put into another owner's uploads",
      () => asA.send(new PutObjectCommand({ Bucket: bucket, Key: uploadB, Body: "x" })),
    ],
    [
      "put under its own photos/ (the processor's area)",
      () => asA.send(new PutObjectCommand({ Bucket: bucket, Key: photoA, Body: "x" })),
    ],
    [
      "put at the bucket root",
      () => asA.send(new PutObjectCommand({ Bucket: bucket, Key: `${photoId}.jpg`, Body: "x" })),
    ],
    [
      "put under shared/",
      () =>
        asA.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: `shared/${ownerA}/${photoId}/display.webp`,
            Body: "x",
          }),
        ),
    ],
    [
      "put to a key whose * would be a wildcard to a simulator",
      () => asA.send(new PutObjectCommand({ Bucket: bucket, Key: `uploads/*/${photoId}.jpg`, Body: "x" })),
    ],
    ["get another owner's upload", () => asA.send(new GetObjectCommand({ Bucket: bucket, Key: uploadB }))],
    ["get another owner's photos", () => asA.send(new GetObjectCommand({ Bucket: bucket, Key: photoB }))],
    [
      "delete another owner's upload",
      () => asA.send(new DeleteObjectCommand({ Bucket: bucket, Key: uploadB })),
    ],
    ["delete its own derivatives", () => asA.send(new DeleteObjectCommand({ Bucket: bucket, Key: photoA }))],
    [
      "list another owner's uploads",
      () => asA.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `uploads/${ownerB}/` })),
    ],
    ["list the whole bucket", () => asA.send(new ListObjectsV2Command({ Bucket: bucket }))],
    [
      "list uploads/ of every owner",
      () => asA.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "uploads/" })),
    ],
    [
      "list a prefix that only starts like its own id",
      () => asA.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `uploads/${ownerA}` })),
    ],
    [
      "put into another bucket",
      () => asA.send(new PutObjectCommand({ Bucket: "another-bucket", Key: uploadA, Body: "x" })),
    ],
  ])("may not %s (AccessDenied)", async (_what, send) => {
    expect(await failure(send())).toEqual({ name: "AccessDenied", status: 403 });
  });

  it("leaves nothing behind when refused", async () => {
    expect(await read(asService, uploadB)).toBe(`seeded ${uploadB}`);
    expect(await list(asService, `shared/`)).toEqual([]);
    expect(await list(asService, "uploads/*")).toEqual([]);
  });

  it("cannot climb out of its prefix with '..' (s3rver would resolve it as a file path)", async () => {
    const sneaky = `uploads/${ownerA}/../${ownerB}/${photoId}.png`;
    expect(await failure(asA.send(new PutObjectCommand({ Bucket: bucket, Key: sneaky, Body: "x" })))).toEqual(
      {
        name: "InvalidArgument",
        status: 400,
      },
    );
    expect(await list(asService, `uploads/${ownerB}/`)).toEqual([uploadB]);
  });

  it("uploads in parts: create, upload part and complete are PutObject", async () => {
    const key = `uploads/${ownerA}/${photoId}.webp`;
    const { UploadId } = await asA.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const part = await asA.send(
      new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: "in parts" }),
    );
    await asA.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    expect(await read(asA, key)).toBe("in parts");
    expect(
      await failure(asA.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: uploadB }))),
    ).toEqual({ name: "AccessDenied", status: 403 });
  });

  it("streams a body the SDK sends aws-chunked (default checksums) and stores the bytes, not the framing", async () => {
    const key = `uploads/${ownerA}/${photoId}.avif`;
    const bytes = Buffer.alloc(200_000, "photogate ");
    const defaults = client(sessionA, { checksums: false });
    await defaults.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: Readable.from([bytes]),
        ContentLength: bytes.length,
      }),
    );
    const stored = await asService.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(bytes)).toBe(true);
  });
  it("admits a large upload before the SDK sends its body (100-continue), and refuses one without reading it", async () => {
    const key = `uploads/${ownerA}/${photoId}.jpeg`;
    const bytes = Buffer.alloc(3 * 1024 * 1024, 7);
    await asA.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));
    const head = await asService.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ContentLength).toBe(bytes.length);
    expect(
      await failure(asA.send(new PutObjectCommand({ Bucket: bucket, Key: uploadB, Body: bytes }))),
    ).toEqual({
      name: "AccessDenied",
      status: 403,
    });
  });
});

describe("object tagging (the processor's outcome tag)", () => {
  const tag = { TagSet: [{ Key: "photogate-outcome", Value: "rejected" }] };
  const processorRole = {
    accessKeyId: "AKIAPROCESSORTAGGING",
    secretAccessKey: "processor-secret-for-tagging",
    roleName: "photogate-test-processor-role",
    policy: policyDocument(
      processorStatements({
        bucketArn,
        photoTableArn: "arn:aws:dynamodb:us-east-1:000000000000:table/t",
        deadLetterQueueArn: "arn:aws:sqs:us-east-1:000000000000:q",
        logGroupArn: "arn:aws:logs:us-east-1:000000000000:log-group:g",
      }),
    ),
  };

  it("lets the processor's role tag an upload (stored, read back) and refuses it on photos/", async () => {
    store.addRole(processorRole);
    const asProcessor = client(processorRole);
    await asProcessor.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: uploadB, Tagging: tag }));
    const tags = await asService.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: uploadB }));
    expect(tags.TagSet).toEqual(tag.TagSet);
    expect(
      await failure(
        asProcessor.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: photoB, Tagging: tag })),
      ),
    ).toMatchObject({ name: "AccessDenied", status: 403 });
  });

  it("refuses a user tagging their own upload (the lifecycle tag is the processor's)", async () => {
    const own = `uploads/${ownerA}/0d9f6f3e-3c1a-4c55-9f0e-2b7d8c1a5e44.jpg`;
    await asA.send(
      new PutObjectCommand({ Bucket: bucket, Key: own, Body: "mine", ContentType: "image/jpeg" }),
    );
    expect(
      await failure(asA.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: own, Tagging: tag }))),
    ).toMatchObject({ name: "AccessDenied", status: 403 });
  });
});

describe("authentication", () => {
  it("refuses a signature made with a tampered secret (SignatureDoesNotMatch)", async () => {
    const tampered = client({ ...sessionA, secretAccessKey: `${sessionA.secretAccessKey.slice(0, -1)}x` });
    expect(await failure(tampered.send(new GetObjectCommand({ Bucket: bucket, Key: uploadA })))).toEqual({
      name: "SignatureDoesNotMatch",
      status: 403,
    });
  });

  it("refuses an access key it never issued (InvalidAccessKeyId)", async () => {
    const stranger = client({ ...sessionA, accessKeyId: "ASIANEVERISSUED0000" });
    expect(await failure(stranger.send(new GetObjectCommand({ Bucket: bucket, Key: uploadA })))).toEqual({
      name: "InvalidAccessKeyId",
      status: 403,
    });
  });

  it("refuses a session token that is not the session's (InvalidToken)", async () => {
    const other = store.issue("us-east-1:identity-of-b", { owner: ownerB });
    const mixed = client({ ...sessionA, sessionToken: other.sessionToken });
    expect(await failure(mixed.send(new GetObjectCommand({ Bucket: bucket, Key: uploadA })))).toEqual({
      name: "InvalidToken",
      status: 400,
    });
  });

  it("refuses an expired session (ExpiredToken)", async () => {
    const shortLived = store.issue("us-east-1:identity-of-a", { owner: ownerA }, 60);
    const s3 = client(shortLived);
    expect(await read(s3, uploadA)).toBe("listed");
    clock = new Date(clock.getTime() + 61_000);
    try {
      expect(await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: uploadA })))).toEqual({
        name: "ExpiredToken",
        status: 400,
      });
    } finally {
      clock = new Date(clock.getTime() - 61_000);
    }
  });

  it("refuses a signature scoped to another region, as S3 does", async () => {
    const wrongRegion = client(sessionA, { region: "eu-west-1" });
    expect(await failure(wrongRegion.send(new GetObjectCommand({ Bucket: bucket, Key: uploadA })))).toEqual({
      name: "AuthorizationHeaderMalformed",
      status: 400,
    });
  });

  it("refuses unsigned requests, as the private bucket does", async () => {
    const response = await fetch(`${gateway.url}/${bucket}/${uploadA}`);
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/<Code>AccessDenied<\/Code>.*<RequestId>[0-9A-F]{16}<\/RequestId>/);
  });

  it("lets the service credentials do what no session may", async () => {
    await asService.send(
      new PutObjectCommand({ Bucket: bucket, Key: `photos/${ownerB}/${photoId}/status.json`, Body: "{}" }),
    );
    expect(await list(asService)).toEqual(expect.arrayContaining([photoA, photoB, uploadA, uploadB]));
    const wrongSecret = client({ ...service, secretAccessKey: "not-the-service-secret" });
    expect(await failure(wrongSecret.send(new ListObjectsV2Command({ Bucket: bucket })))).toEqual({
      name: "SignatureDoesNotMatch",
      status: 403,
    });
  });

  it("verifies presigned URLs: own key works, a changed key or signature does not", async () => {
    const presign = async (method: string, key: string, keys: Keys = sessionA) => {
      const url = new URL(gateway.url);
      const signer = new SignatureV4({
        credentials: keys,
        region,
        service: "s3",
        sha256: Hash.bind(null, "sha256"),
        uriEscapePath: false,
      });
      // What @aws-sdk/s3-request-presigner does: an unsigned payload, content-type left unsigned.
      const request = new HttpRequest({
        method,
        protocol: "http:",
        hostname: url.hostname,
        port: Number(url.port),
        path: `/${bucket}/${key.split("/").map(encodeURIComponent).join("/")}`,
        query: { "x-id": method === "PUT" ? "PutObject" : "GetObject" },
        headers: { host: url.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
      });
      const signed = await signer.presign(request, {
        expiresIn: 300,
        unsignableHeaders: new Set(["content-type"]),
      });
      const query = new URLSearchParams(signed.query as Record<string, string>);
      return `${gateway.url}${signed.path}?${query.toString().replace(/\+/g, "%20")}`;
    };
    const key = `uploads/${ownerA}/${photoId}.heic`;
    const put = await fetch(await presign("PUT", key), {
      method: "PUT",
      body: "presigned",
      headers: { "content-type": "image/heic" },
    });
    expect(put.status).toBe(200);
    expect(await read(asService, key)).toBe("presigned");
    expect((await fetch(await presign("GET", key))).status).toBe(200);

    const forOther = await fetch(await presign("PUT", uploadB), { method: "PUT", body: "x" });
    expect(forOther.status).toBe(403);
    expect(await forOther.text()).toContain("<Code>AccessDenied</Code>");
    const moved = (await presign("GET", key)).replace(
      encodeURIComponent(`${photoId}.heic`),
      `${photoId}.jpg`,
    );
    const movedResponse = await fetch(moved);
    expect(movedResponse.status).toBe(403);
    expect(await movedResponse.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
  });
});

describe("CORS and notifications through the gateway", () => {
  it("answers a browser preflight from an upload origin without credentials, and refuses other origins", async () => {
    const preflight = (from: string) =>
      fetch(`${gateway.url}/${bucket}/${uploadA}`, {
        method: "OPTIONS",
        headers: {
          origin: from,
          "access-control-request-method": "PUT",
          "access-control-request-headers": "authorization,content-type,x-amz-date,x-amz-security-token",
        },
      });
    const allowed = await preflight(origin);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("access-control-allow-methods")).toBe("PUT, GET, HEAD");
    expect((await preflight("http://evil.example")).status).toBe(403);
  });

  it("turns one upload into exactly one notification, and a refused one into none", async () => {
    await notifications.idle();
    delivered.length = 0;
    const key = `uploads/${ownerA}/${photoId}.gif`;
    await asA.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "gif bytes" }));
    await failure(asA.send(new PutObjectCommand({ Bucket: bucket, Key: uploadB, Body: "refused" })));
    await notifications.idle();

    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.Records[0]!.s3.object).toMatchObject({ key, size: 9 });
    expect(delivered[0]!.Records[0]!.eventName).toBe("ObjectCreated:Put");
  });
});
