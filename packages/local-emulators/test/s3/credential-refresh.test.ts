import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
  type IdentityPoolCredentialProvider,
  identityPoolCredentialProvider,
  withCredentialRefresh,
} from "@photogate/client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CredentialStore } from "../../src/credentials";
import { type IdentityEndpoint, startIdentityEndpoint } from "../../src/identity/identity-endpoint";
import { type S3Gateway, startS3Gateway } from "../../src/s3/gateway";
import { type S3Server, startS3Server } from "../../src/s3/s3-server";
import { startTestTokenIssuer, type TestTokenIssuer } from "../../src/test-token-issuer";
import { bucket, bucketArn, failure, ownerA, photoId, region, tempDir } from "./support";

/**
 * Identity-pool credentials that the local stack stops honouring (its sessions expire early,
 * or a restart forgets them all) are replaced by `withCredentialRefresh` and the real
 * `identityPoolCredentialProvider`: identity endpoint, CredentialStore and S3 gateway are real.
 */
const service = { accessKeyId: "AKIAPHOTOGATESERVICE", secretAccessKey: "service-secret-for-tests" };
const IDENTITY_POOL_ID = `${region}:5b2e9c1a-7d4f-4e3b-8a6c-1f0e2d3c4b5a`;
const USER_POOL_PROVIDER = `cognito-idp.${region}.amazonaws.com/${region}_Refresh1`;
const CLIENT_ID = "upload-app-client";
const key = `uploads/${ownerA}/${photoId}.jpg`;

let dir: Awaited<ReturnType<typeof tempDir>>;
let server: S3Server;
let issuer: TestTokenIssuer;
/** The store's clock, which decides when sessions expire; moved to expire them early. */
let clock = new Date();
let local: { store: CredentialStore; identity: IdentityEndpoint; gateway: S3Gateway };
const ports = { identity: 0, gateway: 0 };
const clients: { destroy(): void }[] = [];

/** The identity endpoint and the gateway over one CredentialStore, as `pnpm dev` runs them. */
async function startLocal() {
  const store = new CredentialStore(service, () => clock);
  const identity = await startIdentityEndpoint({
    port: ports.identity,
    region,
    identityPoolId: IDENTITY_POOL_ID,
    providers: { [USER_POOL_PROVIDER]: { ...issuer, clientIds: [CLIENT_ID] } },
    credentials: store,
  });
  const gateway = await startS3Gateway({
    port: ports.gateway,
    upstreamUrl: server.url,
    credentials: store,
    bucketArns: [bucketArn],
    region,
  });
  ports.identity = Number(new URL(identity.url).port);
  ports.gateway = Number(new URL(gateway.url).port);
  return { store, identity, gateway };
}

beforeAll(async () => {
  dir = await tempDir();
  server = await startS3Server({ dataDir: dir.path, buckets: [{ name: bucket }], silent: true });
  issuer = await startTestTokenIssuer();
  local = await startLocal();
});

afterEach(() => {
  clock = new Date();
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await local.gateway.close();
  await local.identity.close();
  await issuer.close();
  await server.close();
  await dir.remove();
});

function provider(): IdentityPoolCredentialProvider {
  const idToken = issuer.token({ sub: ownerA, aud: CLIENT_ID, token_use: "id" });
  return identityPoolCredentialProvider({
    clientConfig: { endpoint: local.identity.url, region },
    identityPoolId: IDENTITY_POOL_ID,
    userPoolProvider: USER_POOL_PROVIDER,
    idToken: () => idToken,
  });
}

function s3(credentials: IdentityPoolCredentialProvider): S3Client {
  const client = new S3Client({
    endpoint: local.gateway.url,
    region,
    forcePathStyle: true,
    credentials,
    maxAttempts: 1,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  clients.push(client);
  return client;
}

const put = (client: S3Client, body: string) =>
  client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: "image/jpeg" }));
const read = async (client: S3Client) =>
  (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();

describe("identity-pool credentials the local stack stops honouring", () => {
  it("sessions expired early (ExpiredToken): the refreshed credentials succeed", async () => {
    const credentials = provider();
    const client = withCredentialRefresh(s3(credentials));
    await put(client, "before");
    const first = await credentials();

    // The provider still believes its credentials are good for an hour; the gateway does not.
    clock = new Date(clock.getTime() + 2 * 3600_000);
    const plain = s3(credentials);
    expect(await failure(read(plain))).toEqual({ name: "ExpiredToken", status: 400 });

    expect(await read(client)).toBe("before");
    expect((await credentials()).accessKeyId).not.toBe(first.accessKeyId);
  });

  it("a restart forgets every session (InvalidAccessKeyId): the refreshed credentials succeed", async () => {
    const credentials = provider();
    const client = withCredentialRefresh(s3(credentials));
    await put(client, "before the restart");

    await local.gateway.close();
    await local.identity.close();
    local = await startLocal();

    expect(await failure(read(s3(credentials)))).toEqual({ name: "InvalidAccessKeyId", status: 403 });
    await put(client, "after the restart");
    expect(await read(client)).toBe("after the restart");
  });
});
