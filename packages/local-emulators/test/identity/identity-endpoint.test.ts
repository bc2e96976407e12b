import { generateKeyPairSync, sign } from "node:crypto";
import {
  CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
  InvalidParameterException,
  NotAuthorizedException,
  ResourceNotFoundException,
} from "@aws-sdk/client-cognito-identity";
import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { identityPoolCredentialProvider, identityPoolCredentials } from "@photogate/client";
import { ConfigError } from "@photogate/core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { seedUsers, signIn, userPoolProviderName } from "../../src/cognito/provision";
import { CredentialStore } from "../../src/credentials";
import { type IdentityEndpoint, startIdentityEndpoint } from "../../src/identity/identity-endpoint";
import { claimsOf, env, type LocalPool, PASSWORD, startLocalPool } from "../cognito/local-pool";

const IDENTITY_POOL_ID = `${env.region}:7d3f6c2a-1b4e-4f5a-9c8d-0e1f2a3b4c5d`;

// Counts JWKS downloads: the endpoint's verifier fetches with the global fetch.
const fetchSpy = vi.spyOn(globalThis, "fetch");

let local: LocalPool;
let endpoint: IdentityEndpoint;
let identity: CognitoIdentityClient;
let store: CredentialStore;
let provider = "";
const tokens: Record<"alice" | "bob", { idToken: string; accessToken: string; sub: string }> = {
  alice: { idToken: "", accessToken: "", sub: "" },
  bob: { idToken: "", accessToken: "", sub: "" },
};

beforeAll(async () => {
  local = await startLocalPool();
  provider = userPoolProviderName(env.region, local.pool.userPoolId);
  store = new CredentialStore({ accessKeyId: "service", secretAccessKey: "service-secret" });
  endpoint = await startIdentityEndpoint({
    region: env.region,
    identityPoolId: IDENTITY_POOL_ID,
    providers: {
      [provider]: {
        issuer: local.pool.issuer,
        jwksUri: local.pool.jwksUri,
        clientIds: [local.pool.uploadClientId],
      },
    },
    credentials: store,
  });
  // No credentials: GetId and GetCredentialsForIdentity are unsigned calls, as on AWS.
  identity = new CognitoIdentityClient({ endpoint: endpoint.url, region: env.region });
  for (const name of ["alice", "bob"] as const) {
    const signedIn = await signIn(local.client, local.pool.uploadClientId, `${name}@example.com`, PASSWORD);
    tokens[name] = { ...signedIn, sub: local.subs[`${name}@example.com`]! };
  }
});

afterAll(async () => {
  fetchSpy.mockRestore();
  identity?.destroy();
  await endpoint?.close();
  await local?.stop();
});

const getId = (logins?: Record<string, string>, poolId = IDENTITY_POOL_ID) =>
  identity.send(new GetIdCommand({ IdentityPoolId: poolId, Logins: logins }));

async function failure(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error, "the call should have failed").toBeDefined();
  return error!;
}

/** A token with the pool's claims, signed by a key the pool never had. */
function forgedIdToken(claims: Record<string, unknown>, kid: string): string {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const signingInput = `${part({ alg: "RS256", kid, typ: "JWT" })}.${part(claims)}`;
  return `${signingInput}.${sign("sha256", Buffer.from(signingInput), privateKey).toString("base64url")}`;
}

describe("GetId through @aws-sdk/client-cognito-identity", () => {
  it("gives each user one stable identity id, different across users", async () => {
    const first = await getId({ [provider]: tokens.alice.idToken });
    const again = await getId({ [provider]: tokens.alice.idToken });
    const bob = await getId({ [provider]: tokens.bob.idToken });
    expect(first.IdentityId).toMatch(
      /^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(again.IdentityId).toBe(first.IdentityId);
    expect(bob.IdentityId).not.toBe(first.IdentityId);
    // The identity id is never the sub (DESIGN.md "Identity").
    expect(first.IdentityId).not.toContain(tokens.alice.sub);
    // The pool's keys were fetched once and cached for every later token.
    const jwksFetches = fetchSpy.mock.calls.filter(([url]) => String(url) === local.pool.jwksUri);
    expect(jwksFetches).toHaveLength(1);
  });

  it("keeps the identity id for a new sign-in of the same user", async () => {
    const before = await getId({ [provider]: tokens.alice.idToken });
    const fresh = await signIn(local.client, local.pool.uploadClientId, "alice@example.com", PASSWORD);
    expect(fresh.idToken).not.toBe(tokens.alice.idToken);
    expect((await getId({ [provider]: fresh.idToken })).IdentityId).toBe(before.IdentityId);
  });

  it("refuses guests: no Logins, or an empty map", async () => {
    for (const logins of [undefined, {}]) {
      const error = await failure(getId(logins));
      expect(error).toBeInstanceOf(NotAuthorizedException);
      expect(error.message).toMatch(/Unauthenticated access is not supported/);
      expect(error.$metadata?.httpStatusCode).toBe(400);
    }
  });

  it("refuses an access token: identity pools take ID tokens", async () => {
    const error = await failure(getId({ [provider]: tokens.alice.accessToken }));
    expect(error).toBeInstanceOf(NotAuthorizedException);
    expect(error.message).toMatch(/Not a valid OpenId Connect identity token/);
  });

  it("refuses a token from another pool, signed by the same emulator", async () => {
    // cognito-local signs every pool's tokens with one key: only the issuer tells them apart.
    const created = await local.client.send(new CreateUserPoolCommand({ PoolName: "someone-elses-pool" }));
    const otherPoolId = created.UserPool!.Id!;
    const otherClient = await local.client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: otherPoolId,
        ClientName: "other",
        ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH"],
      }),
    );
    await seedUsers(local.client, { userPoolId: otherPoolId }, [
      { email: "alice@example.com", password: PASSWORD },
    ]);
    const foreign = await signIn(
      local.client,
      otherClient.UserPoolClient!.ClientId!,
      "alice@example.com",
      PASSWORD,
    );
    expect(claimsOf(foreign.idToken).iss).toBe(`${local.emulator.url}/${otherPoolId}`);

    // Under the trusted provider's name: the issuer does not match.
    const asTrusted = await failure(getId({ [provider]: foreign.idToken }));
    expect(asTrusted).toBeInstanceOf(NotAuthorizedException);
    expect(asTrusted.message).toMatch(/Issuer doesn't match providerName/);
    // Under its own name: not a provider of this identity pool.
    const asItself = await failure(
      getId({ [userPoolProviderName(env.region, otherPoolId)]: foreign.idToken }),
    );
    expect(asItself).toBeInstanceOf(NotAuthorizedException);
    expect(asItself.message).toMatch(/not from a supported provider/);
  });

  it("refuses forged tokens: unknown key, changed claims, alg none", async () => {
    const claims = claimsOf(tokens.alice.idToken);
    const [header, , signature] = tokens.alice.idToken.split(".");
    const kid = String(JSON.parse(Buffer.from(header!, "base64url").toString()).kid);
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: tokens.bob.sub })).toString("base64url")}.${signature}`;
    const none = `${Buffer.from(JSON.stringify({ alg: "none", kid })).toString("base64url")}.${tokens.alice.idToken.split(".")[1]}.`;
    for (const token of [forgedIdToken(claims, kid), forgedIdToken(claims, "another-kid"), tampered, none]) {
      const error = await failure(getId({ [provider]: token }));
      expect(error).toBeInstanceOf(NotAuthorizedException);
      expect(error.message).toMatch(/^Invalid login token\./);
    }
  });

  it("refuses an ID token of an app client the pool does not trust", async () => {
    const admin = await signIn(local.client, local.pool.adminClientId, "sam@example.com", PASSWORD);
    const error = await failure(getId({ [provider]: admin.idToken }));
    expect(error).toBeInstanceOf(NotAuthorizedException);
    expect(error.message).toMatch(/Incorrect token audience/);
  });

  it("answers an unknown identity pool with ResourceNotFoundException and a malformed one with InvalidParameterException", async () => {
    const unknown = await failure(
      getId({ [provider]: tokens.alice.idToken }, `${env.region}:00000000-0000-4000-8000-000000000000`),
    );
    expect(unknown).toBeInstanceOf(ResourceNotFoundException);
    const malformed = await failure(getId({ [provider]: tokens.alice.idToken }, "not a pool id"));
    expect(malformed).toBeInstanceOf(InvalidParameterException);
  });
});

describe("GetCredentialsForIdentity", () => {
  it("issues a session tagged owner = the user's sub into the CredentialStore", async () => {
    const { IdentityId } = await getId({ [provider]: tokens.alice.idToken });
    const before = Date.now();
    const response = await identity.send(
      new GetCredentialsForIdentityCommand({ IdentityId, Logins: { [provider]: tokens.alice.idToken } }),
    );
    expect(response.IdentityId).toBe(IdentityId);
    const credentials = response.Credentials!;
    expect(credentials.AccessKeyId).toMatch(/^ASIA/);
    expect(credentials.Expiration).toBeInstanceOf(Date);
    const session = store.find(credentials.AccessKeyId!);
    expect(session).toMatchObject({
      identityId: IdentityId,
      principalTags: { owner: tokens.alice.sub },
      secretAccessKey: credentials.SecretKey,
      sessionToken: credentials.SessionToken,
    });
    expect(session!.expiration.getTime()).toBe(credentials.Expiration!.getTime());
    expect(credentials.Expiration!.getTime()).toBeGreaterThanOrEqual(before + 3600_000 - 1000);
    expect(store.isExpired(session!)).toBe(false);
  });

  it("refuses the identity id of another user", async () => {
    const { IdentityId: bobsId } = await getId({ [provider]: tokens.bob.idToken });
    const error = await failure(
      identity.send(
        new GetCredentialsForIdentityCommand({
          IdentityId: bobsId,
          Logins: { [provider]: tokens.alice.idToken },
        }),
      ),
    );
    expect(error).toBeInstanceOf(NotAuthorizedException);
    expect(error.message).toMatch(/Logins don't match/);
  });

  it("refuses an identity id nobody was given, missing Logins and an access token", async () => {
    const { IdentityId } = await getId({ [provider]: tokens.alice.idToken });
    const unknown = await failure(
      identity.send(
        new GetCredentialsForIdentityCommand({
          IdentityId: `${env.region}:00000000-0000-5000-8000-000000000000`,
          Logins: { [provider]: tokens.alice.idToken },
        }),
      ),
    );
    expect(unknown).toBeInstanceOf(ResourceNotFoundException);
    const noLogins = await failure(identity.send(new GetCredentialsForIdentityCommand({ IdentityId })));
    expect(noLogins).toBeInstanceOf(NotAuthorizedException);
    const access = await failure(
      identity.send(
        new GetCredentialsForIdentityCommand({
          IdentityId,
          Logins: { [provider]: tokens.alice.accessToken },
        }),
      ),
    );
    expect(access).toBeInstanceOf(NotAuthorizedException);
  });
});

describe("packages/client against the local endpoint", () => {
  it("identityPoolCredentials returns credentials whose session carries the user's sub", async () => {
    const credentials = await identityPoolCredentials({
      clientConfig: { endpoint: endpoint.url, region: env.region },
      identityPoolId: IDENTITY_POOL_ID,
      userPoolProvider: provider,
      idToken: tokens.bob.idToken,
    });
    expect(credentials.identityId).toBe((await getId({ [provider]: tokens.bob.idToken })).IdentityId);
    expect(store.find(credentials.accessKeyId)?.principalTags).toEqual({ owner: tokens.bob.sub });
    expect(credentials.expiration).toEqual(store.find(credentials.accessKeyId)?.expiration);
  });

  it("identityPoolCredentialProvider caches and reuses the identity", async () => {
    let calls = 0;
    const provide = identityPoolCredentialProvider({
      clientConfig: { endpoint: endpoint.url, region: env.region },
      identityPoolId: IDENTITY_POOL_ID,
      userPoolProvider: provider,
      idToken: () => {
        calls += 1;
        return tokens.alice.idToken;
      },
    });
    const first = await provide();
    const second = await provide();
    expect(second).toBe(first);
    expect(calls).toBe(1);
    expect(store.find(first.accessKeyId)?.principalTags).toEqual({ owner: tokens.alice.sub });
  });

  it("surfaces a refused token as the client's NOT_AUTHORIZED error", async () => {
    const forged = forgedIdToken(claimsOf(tokens.alice.idToken), "forged");
    await expect(
      identityPoolCredentials({
        clientConfig: { endpoint: endpoint.url, region: env.region },
        identityPoolId: IDENTITY_POOL_ID,
        userPoolProvider: provider,
        idToken: forged,
      }),
    ).rejects.toMatchObject({ name: "IdentityPoolCredentialsError", code: "NOT_AUTHORIZED" });
  });
});

describe("the wire protocol", () => {
  const post = (target: string, body: string) =>
    fetch(endpoint.url, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
      body,
    });

  it("answers errors in AWS's JSON shape with status 400", async () => {
    const response = await post(
      "AWSCognitoIdentityService.GetId",
      JSON.stringify({ IdentityPoolId: IDENTITY_POOL_ID }),
    );
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(await response.json()).toEqual({
      __type: "NotAuthorizedException",
      message: "Unauthenticated access is not supported for this identity pool.",
    });
  });

  it("sends Expiration as epoch seconds", async () => {
    const body = JSON.stringify({
      IdentityPoolId: IDENTITY_POOL_ID,
      Logins: { [provider]: tokens.alice.idToken },
    });
    const { IdentityId } = (await (await post("AWSCognitoIdentityService.GetId", body)).json()) as {
      IdentityId: string;
    };
    const response = await post(
      "AWSCognitoIdentityService.GetCredentialsForIdentity",
      JSON.stringify({ IdentityId, Logins: { [provider]: tokens.alice.idToken } }),
    );
    const json = (await response.json()) as { Credentials: { Expiration: unknown } };
    expect(typeof json.Credentials.Expiration).toBe("number");
    expect(json.Credentials.Expiration).toBeGreaterThan(Date.now() / 1000);
  });

  it("refuses other operations and bad JSON", async () => {
    const other = await post("AWSCognitoIdentityService.GetOpenIdToken", "{}");
    expect(other.status).toBe(400);
    expect(((await other.json()) as { __type: string }).__type).toBe("UnknownOperationException");
    const bad = await post("AWSCognitoIdentityService.GetId", "{not json");
    expect(((await bad.json()) as { __type: string }).__type).toBe("SerializationException");
  });
});

describe("startIdentityEndpoint options", () => {
  it("refuses options that could never work, naming each problem", async () => {
    const error = await startIdentityEndpoint({
      region: env.region,
      identityPoolId: "eu-west-1:7d3f6c2a-1b4e-4f5a-9c8d-0e1f2a3b4c5d",
      providers: { [provider]: { issuer: "not a url", jwksUri: local.pool.jwksUri, clientIds: [] } },
      credentials: store,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/identityPoolId/);
    expect((error as Error).message).toMatch(/issuer is not a URL/);
    expect((error as Error).message).toMatch(/clientIds is empty/);
  });
});
