import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { crc32 } from "node:zlib";
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { s3Error, signedFetch, tryCommand } from "./s3-support";
import { identityCredentials, srpSignIn } from "./support";
import {
  type ConformanceTarget,
  createTestUser,
  type Keys,
  type plannedTarget,
  type TestUser,
} from "./target";

const aws = (args: string[], env: NodeJS.ProcessEnv) =>
  promisify(execFile)("aws", args, { env: { ...process.env, ...env }, timeout: 120_000 });
const awsCli = tryCommand("aws", ["--version"]);
const curl = tryCommand("curl", ["--version"]);

/** S3 through the photo bucket: IAM per caller, conditional requests, checksums, listings, errors. */
export function s3Cases(target: () => ConformanceTarget, planned: ReturnType<typeof plannedTarget>) {
  const noIam = planned.lacks("iam-enforcement");
  const noUsers = planned.lacks("cognito-identity") ?? planned.lacks("cognito-idp");

  describe("s3", () => {
    let admin: S3Client;
    const run = randomUUID();
    const someoneElse = randomUUID();
    // Under photos/ (written by the processor on AWS): no upload notification fires for these.
    const othersKey = `photos/${someoneElse}/${run}/display.webp`;
    const adminKey = `photos/${someoneElse}/${run}/status.json`;

    const client = (credentials: Keys | undefined, extra: Partial<S3ClientConfig> = {}) =>
      new S3Client({
        region: target().region,
        maxAttempts: 1,
        ...extra,
        // Path-style wherever an endpoint override names one host for every bucket.
        forcePathStyle: target().endpoints.s3 !== undefined,
        ...(target().endpoints.s3 ? { endpoint: target().endpoints.s3 } : {}),
        ...(credentials ? { credentials } : {}),
      });

    beforeAll(async () => {
      admin = client(target().adminCredentials);
      await admin.send(new PutObjectCommand({ Bucket: target().bucket, Key: othersKey, Body: "not yours" }));
      await admin.send(new PutObjectCommand({ Bucket: target().bucket, Key: adminKey, Body: '{"v":1}' }));
    });
    afterAll(async () => {
      for (const Key of [othersKey, adminKey]) {
        await admin.send(new DeleteObjectCommand({ Bucket: target().bucket, Key })).catch(() => {});
      }
      admin?.destroy();
    });

    // A missing key with s3:ListBucket: 404 NoSuchKey, body with RequestId, x-amz-request-id header
    // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html,
    // https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
    it("answers a missing key with 404 NoSuchKey to a caller allowed to list, with a RequestId", async () => {
      const response = await signedFetch(
        target(),
        target().adminCredentials,
        "GET",
        `photos/${run}/missing.json`,
      );
      expect(response.status).toBe(404);
      const error = s3Error(await response.text());
      expect(error.code).toBe("NoSuchKey");
      expect(error.requestId).toBeTruthy();
      expect(response.headers.get("x-amz-request-id")).toBe(error.requestId);
    });

    // Every error has a RequestId, unsigned requests too (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
    it.skipIf(noIam !== undefined)(
      "refuses an anonymous GET with 403 AccessDenied and a RequestId",
      async () => {
        const response = await signedFetch(target(), undefined, "GET", othersKey);
        expect(response.status).toBe(403);
        const error = s3Error(await response.text());
        expect(error.code).toBe("AccessDenied");
        expect(response.headers.get("x-amz-request-id")).toBe(error.requestId);
      },
    );

    // ListObjectsV2 with a delimiter rolls keys up into CommonPrefixes at every level
    // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html).
    it("keeps CommonPrefixes in delimiter listings at every depth", async () => {
      const root = await admin.send(new ListObjectsV2Command({ Bucket: target().bucket, Delimiter: "/" }));
      expect(root.CommonPrefixes?.map((p) => p.Prefix)).toContain("photos/");
      const owners = await admin.send(
        new ListObjectsV2Command({ Bucket: target().bucket, Delimiter: "/", Prefix: "photos/" }),
      );
      expect(owners.CommonPrefixes?.map((p) => p.Prefix)).toContain(`photos/${someoneElse}/`);
      const photo = await admin.send(
        new ListObjectsV2Command({
          Bucket: target().bucket,
          Delimiter: "/",
          Prefix: `photos/${someoneElse}/`,
        }),
      );
      expect(photo.CommonPrefixes?.map((p) => p.Prefix)).toContain(`photos/${someoneElse}/${run}/`);
    });

    // A signature scoped to another region: 400 AuthorizationHeaderMalformed naming the bucket's
    // region in <Region> and x-amz-bucket-region, so SDKs can re-sign
    // (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
    it("refuses a request signed for another region with AuthorizationHeaderMalformed and the right region", async () => {
      const other = target().region === "eu-central-1" ? "us-west-2" : "eu-central-1";
      const response = await signedFetch(target(), target().adminCredentials, "GET", adminKey, {
        region: other,
      });
      expect(response.status).toBe(400);
      const error = s3Error(await response.text());
      expect(error.code).toBe("AuthorizationHeaderMalformed");
      expect(error.fields.Region).toBe(target().region);
      expect(response.headers.get("x-amz-bucket-region")).toBe(target().region);
    });

    // Virtual-hosted-style requests name the bucket in Host
    // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html).
    it("serves a virtual-hosted-style request (bucket in the Host header)", async () => {
      const response = await signedFetch(target(), target().adminCredentials, "GET", adminKey, {
        virtualHosted: true,
      });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('{"v":1}');
    });

    // Objects are encrypted at rest by default (SSE-S3) and every object response says so
    // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html).
    it("reports x-amz-server-side-encryption: AES256 on put, head, get and copy", async () => {
      const key = `photos/${someoneElse}/${run}/encrypted.json`;
      const put = await admin.send(new PutObjectCommand({ Bucket: target().bucket, Key: key, Body: "{}" }));
      const head = await admin.send(new HeadObjectCommand({ Bucket: target().bucket, Key: key }));
      const get = await admin.send(new GetObjectCommand({ Bucket: target().bucket, Key: key }));
      await get.Body?.transformToString();
      const copy = await admin.send(
        new CopyObjectCommand({
          Bucket: target().bucket,
          Key: `${key}.copy`,
          CopySource: `${target().bucket}/${key}`,
        }),
      );
      expect([put, head, get, copy].map((r) => r.ServerSideEncryption)).toEqual([
        "AES256",
        "AES256",
        "AES256",
        "AES256",
      ]);
      for (const Key of [key, `${key}.copy`]) {
        await admin.send(new DeleteObjectCommand({ Bucket: target().bucket, Key }));
      }
    });

    describe("checksums", () => {
      const key = `photos/${someoneElse}/${run}/checksummed.txt`;
      const body = "photogate checksum body";

      // A Content-MD5 that does not match the body: 400 BadDigest, nothing stored
      // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html, ErrorResponses.html).
      it("refuses a wrong Content-MD5 with BadDigest and stores nothing", async () => {
        const error = await failure(
          admin.send(
            new PutObjectCommand({
              Bucket: target().bucket,
              Key: key,
              Body: body,
              ContentMD5: Buffer.alloc(16).toString("base64"),
            }),
          ),
        );
        expect(error).toMatchObject({ name: "BadDigest", status: 400 });
        expect(error.message).toBe("The Content-MD5 you specified did not match what we received.");
        expect(
          (await failure(admin.send(new HeadObjectCommand({ Bucket: target().bucket, Key: key })))).status,
        ).toBe(404);
      });

      // x-amz-checksum-<algorithm> that does not match: 400 BadDigest "The CRC32 you specified did
      // not match the calculated checksum." (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html)
      it.each([
        ["CRC32", { ChecksumCRC32: "AAAAAA==" }],
        ["CRC32C", { ChecksumCRC32C: "AAAAAA==" }],
        ["SHA256", { ChecksumSHA256: Buffer.alloc(32).toString("base64") }],
      ])("refuses a wrong x-amz-checksum-%s with BadDigest", async (name, checksum) => {
        const error = await failure(
          admin.send(new PutObjectCommand({ Bucket: target().bucket, Key: key, Body: body, ...checksum })),
        );
        expect(error).toMatchObject({ name: "BadDigest", status: 400 });
        expect(error.message).toBe(`The ${name} you specified did not match the calculated checksum.`);
      });

      // The SDK's default upload checksum (CRC32 in an aws-chunked trailer) is verified and stored;
      // GetObject with x-amz-checksum-mode: ENABLED returns it
      // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html).
      it("stores a correct CRC32 sent as a trailer and returns it in checksum mode", async () => {
        const defaults = client(target().adminCredentials, {
          requestChecksumCalculation: "WHEN_SUPPORTED",
          responseChecksumValidation: "WHEN_SUPPORTED",
        });
        try {
          await defaults.send(new PutObjectCommand({ Bucket: target().bucket, Key: key, Body: body }));
          const get = await defaults.send(
            new GetObjectCommand({ Bucket: target().bucket, Key: key, ChecksumMode: "ENABLED" }),
          );
          expect(await get.Body?.transformToString()).toBe(body);
          const expected = Buffer.alloc(4);
          expected.writeUInt32BE(crc32(Buffer.from(body)));
          expect(get.ChecksumCRC32).toBe(expected.toString("base64"));
        } finally {
          defaults.destroy();
          await admin.send(new DeleteObjectCommand({ Bucket: target().bucket, Key: key }));
        }
      });
    });

    describe("conditional requests", () => {
      const key = `photos/${someoneElse}/${run}/conditional.txt`;
      let etag: string;
      beforeAll(async () => {
        etag =
          (await admin.send(new PutObjectCommand({ Bucket: target().bucket, Key: key, Body: "first" })))
            .ETag ?? "";
      });
      afterAll(() => admin.send(new DeleteObjectCommand({ Bucket: target().bucket, Key: key })));

      // PutObject with If-None-Match: * on an existing key: 412, the object unchanged
      // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html).
      it("refuses If-None-Match: * on an existing key with 412 and keeps the object", async () => {
        const error = await failure(
          admin.send(
            new PutObjectCommand({ Bucket: target().bucket, Key: key, Body: "second", IfNoneMatch: "*" }),
          ),
        );
        expect(error).toMatchObject({ name: "PreconditionFailed", status: 412 });
        const get = await admin.send(new GetObjectCommand({ Bucket: target().bucket, Key: key }));
        expect(await get.Body?.transformToString()).toBe("first");
      });

      it("writes with If-None-Match: * when the key is new", async () => {
        const fresh = `${key}.new`;
        await admin.send(
          new PutObjectCommand({ Bucket: target().bucket, Key: fresh, Body: "new", IfNoneMatch: "*" }),
        );
        const get = await admin.send(new GetObjectCommand({ Bucket: target().bucket, Key: fresh }));
        expect(await get.Body?.transformToString()).toBe("new");
        await admin.send(new DeleteObjectCommand({ Bucket: target().bucket, Key: fresh }));
      });

      // GetObject/HeadObject: If-Match that differs → 412; If-None-Match that matches → 304
      // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, API_HeadObject.html).
      it("answers GetObject and HeadObject with a non-matching If-Match with 412", async () => {
        const other = '"0123456789abcdef0123456789abcdef"';
        const get = await failure(
          admin.send(new GetObjectCommand({ Bucket: target().bucket, Key: key, IfMatch: other })),
        );
        expect(get).toMatchObject({ name: "PreconditionFailed", status: 412 });
        const head = await failure(
          admin.send(new HeadObjectCommand({ Bucket: target().bucket, Key: key, IfMatch: other })),
        );
        expect(head.status).toBe(412);
        const ok = await admin.send(
          new GetObjectCommand({ Bucket: target().bucket, Key: key, IfMatch: etag }),
        );
        expect(await ok.Body?.transformToString()).toBe("first");
      });

      it("answers a matching If-None-Match with 304", async () => {
        const get = await failure(
          admin.send(new GetObjectCommand({ Bucket: target().bucket, Key: key, IfNoneMatch: etag })),
        );
        expect(get.status).toBe(304);
        const head = await failure(
          admin.send(new HeadObjectCommand({ Bucket: target().bucket, Key: key, IfNoneMatch: etag })),
        );
        expect(head.status).toBe(304);
      });

      // GetObject partNumber: part 1 of an object uploaded in one piece is the whole object (206);
      // a part it does not have is 416 InvalidPartNumber (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html).
      it("reads partNumber=1 of a single-part object as the whole object and refuses part 2", async () => {
        const part = await admin.send(
          new GetObjectCommand({ Bucket: target().bucket, Key: key, PartNumber: 1 }),
        );
        expect(part.$metadata.httpStatusCode).toBe(206);
        expect(await part.Body?.transformToString()).toBe("first");
        const error = await failure(
          admin.send(new GetObjectCommand({ Bucket: target().bucket, Key: key, PartNumber: 2 })),
        );
        expect(error).toMatchObject({ name: "InvalidPartNumber", status: 416 });
      });
    });

    describe.skipIf(noIam !== undefined || noUsers !== undefined)("a user's identity-pool session", () => {
      let user: TestUser & { remove(): Promise<void> };
      let session: Keys;
      let owner: string;
      let accessToken: string;
      let s3: S3Client;
      const ownKey = () => `uploads/${owner}/${run}.jpg`;

      beforeAll(async () => {
        user = await createTestUser(target());
        const tokens = await srpSignIn(target(), user.email, user.password);
        accessToken = tokens.accessToken;
        owner = JSON.parse(Buffer.from(tokens.idToken.split(".")[1]!, "base64url").toString()).sub;
        const { expiration: _expiration, ...keys } = await identityCredentials(target(), tokens.idToken);
        session = keys;
        s3 = client(session);
      }, 60_000);
      afterAll(async () => {
        await admin.send(new DeleteObjectCommand({ Bucket: target().bucket, Key: ownKey() })).catch(() => {});
        s3?.destroy();
        await user?.remove();
      });

      // The authenticated role: put/get/head/delete under uploads/{sub}/, list that prefix only
      // (stacks/src/policies/identity-policies.ts; https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html).
      it("puts, heads, gets, lists and deletes under its own prefix", async () => {
        await s3.send(
          new PutObjectCommand({
            Bucket: target().bucket,
            Key: ownKey(),
            Body: "mine",
            ContentType: "image/jpeg",
          }),
        );
        const head = await s3.send(new HeadObjectCommand({ Bucket: target().bucket, Key: ownKey() }));
        expect(head.ContentLength).toBe(4);
        const get = await s3.send(new GetObjectCommand({ Bucket: target().bucket, Key: ownKey() }));
        expect(await get.Body?.transformToString()).toBe("mine");
        const listed = await s3.send(
          new ListObjectsV2Command({ Bucket: target().bucket, Prefix: `uploads/${owner}/` }),
        );
        expect(listed.Contents?.map((o) => o.Key)).toContain(ownKey());
        await s3.send(new DeleteObjectCommand({ Bucket: target().bucket, Key: ownKey() }));
        const after = await s3.send(
          new ListObjectsV2Command({ Bucket: target().bucket, Prefix: `uploads/${owner}/` }),
        );
        expect(after.Contents?.map((o) => o.Key) ?? []).not.toContain(ownKey());
      });

      // Another owner's keys, the whole bucket and a copy out of another prefix: 403 AccessDenied.
      it("is refused another owner's upload, a bucket-wide listing and a copy from another owner", async () => {
        const bucket = target().bucket;
        const refusals: (() => Promise<unknown>)[] = [
          () => s3.send(new GetObjectCommand({ Bucket: bucket, Key: othersKey })),
          () =>
            s3.send(
              new PutObjectCommand({ Bucket: bucket, Key: `uploads/${someoneElse}/${run}.jpg`, Body: "x" }),
            ),
          () => s3.send(new ListObjectsV2Command({ Bucket: bucket })),
          () =>
            s3.send(
              new CopyObjectCommand({
                Bucket: bucket,
                Key: `uploads/${owner}/${run}-copy.jpg`,
                CopySource: `${bucket}/${othersKey}`,
              }),
            ),
        ];
        for (const refuse of refusals) {
          expect(await failure(refuse())).toMatchObject({ name: "AccessDenied", status: 403 });
        }
      });

      // Without s3:ListBucket on the bucket, a missing key is 403, not 404
      // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, "Permissions").
      it("gets 403 AccessDenied, not 404, for a missing key of its own", async () => {
        const missing = `uploads/${owner}/${randomUUID()}.jpg`;
        const get = await failure(s3.send(new GetObjectCommand({ Bucket: target().bucket, Key: missing })));
        expect(get).toMatchObject({ name: "AccessDenied", status: 403 });
        const head = await failure(s3.send(new HeadObjectCommand({ Bucket: target().bucket, Key: missing })));
        expect(head.status).toBe(403);
      });

      // Presigned URLs carry the session's rights; a changed signature is SignatureDoesNotMatch
      // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html).
      it("works through a presigned URL, and not with its signature changed", async () => {
        await s3.send(new PutObjectCommand({ Bucket: target().bucket, Key: ownKey(), Body: "presigned" }));
        const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: target().bucket, Key: ownKey() }), {
          expiresIn: 300,
        });
        const ok = await fetch(url);
        expect(await ok.text()).toBe("presigned");
        const tampered = url.replace(
          /X-Amz-Signature=([0-9a-f])/,
          (_m, c: string) => `X-Amz-Signature=${c === "0" ? "1" : "0"}`,
        );
        const refused = await fetch(tampered);
        expect(refused.status).toBe(403);
        expect(s3Error(await refused.text()).code).toBe("SignatureDoesNotMatch");
      });

      // Multipart: create, upload part, complete; Location is the object's URL on the endpoint the
      // client used; ListParts and ListMultipartUploads are not the role's, and the denial names the
      // action (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html,
      // API_ListParts.html, API_ListMultipartUploads.html).
      it("uploads in parts, gets a Location on the endpoint, and is refused ListParts by name", async () => {
        const key = `uploads/${owner}/${run}-parts.jpg`;
        const { UploadId } = await s3.send(
          new CreateMultipartUploadCommand({ Bucket: target().bucket, Key: key }),
        );
        const { ETag } = await s3.send(
          new UploadPartCommand({
            Bucket: target().bucket,
            Key: key,
            UploadId,
            PartNumber: 1,
            Body: "one part",
          }),
        );
        const listParts = await failure(
          s3.send(new ListPartsCommand({ Bucket: target().bucket, Key: key, UploadId })),
        );
        expect(listParts).toMatchObject({ name: "AccessDenied", status: 403 });
        expect(listParts.message).toContain("s3:ListMultipartUploadParts");
        const listUploads = await failure(
          s3.send(new ListMultipartUploadsCommand({ Bucket: target().bucket })),
        );
        expect(listUploads).toMatchObject({ name: "AccessDenied", status: 403 });
        expect(listUploads.message).toContain("s3:ListBucketMultipartUploads");
        const done = await s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: target().bucket,
            Key: key,
            UploadId,
            MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] },
          }),
        );
        const location = new URL(done.Location ?? "");
        const endpoints = [
          target().endpoints.s3,
          `https://${target().bucket}.s3.${target().region}.amazonaws.com`,
          `https://s3.${target().region}.amazonaws.com`,
        ].filter((e): e is string => e !== undefined);
        expect(endpoints.map((e) => new URL(e).host)).toContain(location.host);
        expect(decodeURIComponent(location.pathname)).toMatch(new RegExp(`${key}$`));
        await s3.send(new DeleteObjectCommand({ Bucket: target().bucket, Key: key }));
      });

      // CloudFront's Origin Access Control has GetObject (no ListBucket) from the bucket policy, so a
      // missing key through the distribution is 403 (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html).
      // Skipped on LocalStack or AWS unless PHOTOGATE_EDGE_URL names the upload distribution.
      const noEdge = planned.name !== "embedded" && !process.env.PHOTOGATE_EDGE_URL;
      it.skipIf(noEdge)("reads its own upload through the edge, and gets 403 for a missing one", async () => {
        const edge = target().edgeUrl!;
        await s3.send(
          new PutObjectCommand({ Bucket: target().bucket, Key: ownKey(), Body: "through the edge" }),
        );
        const headers = { authorization: `Bearer ${accessToken}` };
        const ok = await fetch(`${edge}/${ownKey()}`, { headers });
        expect(ok.status).toBe(200);
        expect(await ok.text()).toBe("through the edge");
        const missing = await fetch(`${edge}/uploads/${owner}/${randomUUID()}.jpg`, { headers });
        expect(missing.status).toBe(403);
        expect(s3Error(await missing.text()).code).toBe("AccessDenied");
      });

      // The same 403 through curl's own SigV4 signer, a client nobody on the project wrote.
      it.skipIf(curl !== undefined)(
        "gets 403 AccessDenied for a missing key through curl --aws-sigv4",
        async () => {
          const url = `${target().endpoints.s3 ?? `https://${target().bucket}.s3.${target().region}.amazonaws.com`}`;
          const path = target().endpoints.s3
            ? `/${target().bucket}/uploads/${owner}/${randomUUID()}.jpg`
            : `/uploads/${owner}/${randomUUID()}.jpg`;
          const { stdout } = await promisify(execFile)("curl", [
            "-s",
            "-w",
            "\n%{http_code}",
            "--aws-sigv4",
            `aws:amz:${target().region}:s3`,
            "--user",
            `${session.accessKeyId}:${session.secretAccessKey}`,
            "-H",
            `x-amz-security-token: ${session.sessionToken}`,
            "-H",
            "x-amz-content-sha256: UNSIGNED-PAYLOAD",
            `${url}${path}`,
          ]);
          const status = stdout.slice(stdout.lastIndexOf("\n") + 1);
          expect(status).toBe("403");
          expect(s3Error(stdout).code).toBe("AccessDenied");
        },
      );
    });

    // `aws s3 ls s3://bucket/` prints the top-level prefixes (the AWS CLI, a client nobody here wrote).
    it.skipIf(awsCli !== undefined)("lists the bucket's top-level prefixes with `aws s3 ls`", async () => {
      const creds = target().adminCredentials;
      const { stdout } = await aws(
        [
          "s3",
          "ls",
          `s3://${target().bucket}/`,
          ...(target().endpoints.s3 ? ["--endpoint-url", target().endpoints.s3!] : []),
        ],
        {
          AWS_REGION: target().region,
          AWS_DEFAULT_REGION: target().region,
          ...(creds
            ? {
                AWS_ACCESS_KEY_ID: creds.accessKeyId,
                AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
                ...(creds.sessionToken ? { AWS_SESSION_TOKEN: creds.sessionToken } : {}),
              }
            : {}),
        },
      );
      expect(stdout).toMatch(/^\s*PRE photos\/$/m);
    });
  });
}

/** What an SDK call rejected with: error name, message and HTTP status. */
async function failure(call: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } },
  );
  expect(error, "the call succeeded, but AWS refuses it").toBeDefined();
  return {
    name: String(error?.name),
    message: String(error?.message),
    status: error?.$metadata?.httpStatusCode,
  };
}
