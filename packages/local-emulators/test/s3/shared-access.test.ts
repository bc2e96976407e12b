import {
  CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
} from "@aws-sdk/client-cognito-identity";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CredentialStore } from "../../src/credentials";
import { type IdentityEndpoint, startIdentityEndpoint } from "../../src/identity/identity-endpoint";
import { type S3Gateway, startS3Gateway } from "../../src/s3/gateway";
import { type S3Server, startS3Server } from "../../src/s3/s3-server";
import { bucket, bucketArn, failure, ownerA, ownerB, photoId, region, s3Client, tempDir } from "./support";

/**
 * The three access levels on the local S3 gateway and identity endpoint, with public sharing
 * off and on: the same statements the stacks synthesize (stacks/src/policies).
 */
const service = { accessKeyId: "service", secretAccessKey: "service-secret" };
const IDENTITY_POOL_ID = `${region}:7d3f6c2a-1b4e-4f5a-9c8d-0e1f2a3b4c5d`;
const sharedKey = `shared/${ownerB}/${photoId}/display.webp`;
const verdictKey = `photos/${ownerB}/${photoId}/status.json`;

let dir: Awaited<ReturnType<typeof tempDir>>;
let server: S3Server;
const stops: (() => Promise<void>)[] = [];

interface Side {
  store: CredentialStore;
  gateway: S3Gateway;
  identity: IdentityEndpoint;
  client: (keys: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) => S3Client;
}

async function side(publicSharing: boolean): Promise<Side> {
  const store = new CredentialStore(service);
  const gateway = await startS3Gateway({
    upstreamUrl: server.url,
    credentials: store,
    bucketArns: [bucketArn],
    region,
    publicSharing,
  });
  const identity = await startIdentityEndpoint({
    region,
    identityPoolId: IDENTITY_POOL_ID,
    // Guests never reach a provider; one must be configured all the same.
    providers: {
      "cognito-idp.us-east-1.amazonaws.com/us-east-1_Local": {
        issuer: "http://127.0.0.1:9/us-east-1_Local",
        jwksUri: "http://127.0.0.1:9/us-east-1_Local/.well-known/jwks.json",
        clientIds: ["client"],
      },
    },
    credentials: store,
    allowGuests: publicSharing,
  });
  stops.push(
    () => gateway.close(),
    () => identity.close(),
  );
  return { store, gateway, identity, client: (keys) => s3Client(gateway.url, keys) };
}

/** GetId and GetCredentialsForIdentity without Logins: how a guest asks the identity pool. */
async function guestCredentials(identityUrl: string) {
  const cognito = new CognitoIdentityClient({ endpoint: identityUrl, region });
  try {
    const { IdentityId } = await cognito.send(new GetIdCommand({ IdentityPoolId: IDENTITY_POOL_ID }));
    const { Credentials } = await cognito.send(new GetCredentialsForIdentityCommand({ IdentityId }));
    return {
      accessKeyId: Credentials!.AccessKeyId!,
      secretAccessKey: Credentials!.SecretKey!,
      sessionToken: Credentials!.SessionToken!,
    };
  } finally {
    cognito.destroy();
  }
}

const read = (client: S3Client, key: string) =>
  client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));

let closed: Side;
let open: Side;

beforeAll(async () => {
  dir = await tempDir();
  server = await startS3Server({
    dataDir: dir.path,
    buckets: [{ name: bucket, cors: { allowedOrigins: ["http://localhost:5173"] } }],
    silent: true,
  });
  closed = await side(false);
  open = await side(true);
  const asService = closed.client(service);
  for (const key of [sharedKey, verdictKey]) {
    await asService.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "x" }));
  }
});

afterAll(async () => {
  for (const stop of stops) await stop();
  await server?.close();
  await dir?.remove();
});

describe("signed-in users (authenticated role)", () => {
  it("read another user's shared/ copy but not their verdict, and cannot write or list shared/", async () => {
    const alice = closed.client(closed.store.issue(`${region}:alice`, { owner: ownerA }));
    expect((await read(alice, sharedKey)).$metadata.httpStatusCode).toBe(200);
    expect(await failure(read(alice, verdictKey))).toMatchObject({ status: 403 });
    expect(
      await failure(
        alice.send(
          new PutObjectCommand({ Bucket: bucket, Key: `shared/${ownerA}/${photoId}/x.webp`, Body: "x" }),
        ),
      ),
    ).toMatchObject({ status: 403 });
    expect(
      await failure(alice.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `shared/${ownerB}/` }))),
    ).toMatchObject({ status: 403 });
  });
});

describe("guests with public sharing off", () => {
  it("are refused by the identity endpoint", async () => {
    expect(await failure(guestCredentials(closed.identity.url))).toMatchObject({
      name: "NotAuthorizedException",
    });
  });

  it("a guest session (had one been issued) reads nothing", async () => {
    const guest = closed.client(closed.store.issue(`${region}:guest`, {}, 3600, "unauthenticated"));
    expect(await failure(read(guest, sharedKey))).toMatchObject({ status: 403 });
  });
});

describe("guests with public sharing on", () => {
  it("get credentials without a login, read shared/ and nothing else", async () => {
    const guest = open.client(await guestCredentials(open.identity.url));
    expect((await read(guest, sharedKey)).$metadata.httpStatusCode).toBe(200);
    expect(await failure(read(guest, verdictKey))).toMatchObject({ status: 403 });
    expect(
      await failure(guest.send(new PutObjectCommand({ Bucket: bucket, Key: sharedKey, Body: "y" }))),
    ).toMatchObject({ status: 403 });
    expect(
      await failure(guest.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "shared/" }))),
    ).toMatchObject({ status: 403 });
  });

  it("cannot take credentials for an identity id it was not given", async () => {
    const cognito = new CognitoIdentityClient({ endpoint: open.identity.url, region });
    try {
      const made = `${region}:00000000-0000-4000-8000-000000000000`;
      expect(
        await failure(cognito.send(new GetCredentialsForIdentityCommand({ IdentityId: made }))),
      ).toMatchObject({
        name: "ResourceNotFoundException",
      });
    } finally {
      cognito.destroy();
    }
  });
});
