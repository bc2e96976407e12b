import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CredentialStore, type Session } from "../../src/credentials";
import { parseAmzDate } from "../../src/s3/sigv4";
import { bucket, ownerA, ownerB, photoId, s3Client, startGatewayOverS3rver } from "./support";

/**
 * URLs made by the real `@aws-sdk/s3-request-presigner` with identity-pool session credentials,
 * against the gateway: what an app does to hand a browser an upload or download link.
 */
const service = { accessKeyId: "AKIAPHOTOGATESERVICE", secretAccessKey: "service-secret-for-tests" };
const keyA = `uploads/${ownerA}/${photoId}.jpg`;
const keyB = `uploads/${ownerB}/${photoId}.jpg`;

let local: Awaited<ReturnType<typeof startGatewayOverS3rver>>;
let clock = new Date();
let store: CredentialStore;
let sessionA: Session;
let asA: S3Client;
let asService: S3Client;

beforeAll(async () => {
  store = new CredentialStore(service, () => clock);
  local = await startGatewayOverS3rver(store, () => clock);
  sessionA = store.issue("us-east-1:identity-of-a", { owner: ownerA });
  asA = s3Client(local.gateway.url, sessionA);
  asService = s3Client(local.gateway.url, service);
  await asService.send(new PutObjectCommand({ Bucket: bucket, Key: keyB, Body: "b's photo" }));
});

afterAll(async () => {
  asA.destroy();
  asService.destroy();
  await local.close();
});

const presignPut = (s3: S3Client, key: string, expiresIn = 300) =>
  getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: "image/jpeg" }), {
    expiresIn,
  });
const presignGet = (s3: S3Client, key: string, expiresIn = 300) =>
  getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn });

async function errorCode(response: Response): Promise<string | undefined> {
  return /<Code>([^<]+)<\/Code>/.exec(await response.text())?.[1];
}

describe("presigned URLs from @aws-sdk/s3-request-presigner with session credentials", () => {
  it("carry the session token and an unsigned payload, and work for the owner's own key", async () => {
    const putUrl = new URL(await presignPut(asA, keyA));
    expect(putUrl.searchParams.get("X-Amz-Security-Token")).toBe(sessionA.sessionToken);
    expect(putUrl.searchParams.get("X-Amz-Content-Sha256")).toBe("UNSIGNED-PAYLOAD");

    const put = await fetch(putUrl, {
      method: "PUT",
      body: "presigned upload",
      headers: { "content-type": "image/jpeg" },
    });
    expect([put.status, put.status === 200 ? "" : await put.text()]).toEqual([200, ""]);
    const get = await fetch(await presignGet(asA, keyA));
    expect(get.status).toBe(200);
    expect(await get.text()).toBe("presigned upload");
  });

  it("refuses another owner's key with AccessDenied, for GET and PUT", async () => {
    const get = await fetch(await presignGet(asA, keyB));
    expect([get.status, await errorCode(get)]).toEqual([403, "AccessDenied"]);
    const put = await fetch(await presignPut(asA, keyB), { method: "PUT", body: "x" });
    expect([put.status, await errorCode(put)]).toEqual([403, "AccessDenied"]);
  });

  it.each([
    ["another key", (url: URL) => new URL(url.href.replace(`${photoId}.jpg`, `${photoId}.png`))],
    ["another payload hash", (url: URL) => withParam(url, "X-Amz-Content-Sha256", "0".repeat(64))],
    ["a longer expiry", (url: URL) => withParam(url, "X-Amz-Expires", "600")],
    ["a parameter added", (url: URL) => withParam(url, "versionId", "1")],
  ])("refuses a URL tampered with: %s (SignatureDoesNotMatch)", async (_what, tamper) => {
    const response = await fetch(tamper(new URL(await presignGet(asA, keyA))));
    expect([response.status, await errorCode(response)]).toEqual([403, "SignatureDoesNotMatch"]);
  });

  it("refuses a URL once it has expired, and one with a swapped session token", async () => {
    const url = await presignGet(asA, keyA, 60);
    const swapped = withParam(
      new URL(url),
      "X-Amz-Security-Token",
      store.issue("us-east-1:identity-of-b", { owner: ownerB }).sessionToken,
    );
    const swappedResponse = await fetch(swapped);
    expect([swappedResponse.status, await errorCode(swappedResponse)]).toEqual([400, "InvalidToken"]);

    // The presigner dated the URL with the real clock: the gateway's is moved past that + 60 s.
    const signedAt = parseAmzDate(new URL(url).searchParams.get("X-Amz-Date")!)!.getTime();
    clock = new Date(signedAt + 61_000);
    try {
      const response = await fetch(url);
      expect([response.status, await errorCode(response)]).toEqual([403, "AccessDenied"]);
    } finally {
      clock = new Date();
    }
  });

  it("refuses X-Amz-Expires beyond seven days (AuthorizationQueryParametersError)", async () => {
    const url = withParam(new URL(await presignGet(asA, keyA)), "X-Amz-Expires", "604801");
    const response = await fetch(url);
    expect([response.status, await errorCode(response)]).toEqual([400, "AuthorizationQueryParametersError"]);
  });
});

function withParam(url: URL, name: string, value: string): URL {
  const copy = new URL(url);
  copy.searchParams.set(name, value);
  return copy;
}
