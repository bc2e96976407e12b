import {
  CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
  NotAuthorizedException,
  ResourceNotFoundException,
} from "@aws-sdk/client-cognito-identity";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import {
  IdentityPoolCredentialsError,
  identityPoolCredentialProvider,
  identityPoolCredentials,
} from "../src/index";

const POOL = "eu-west-1:11111111-2222-4333-8444-555555555555";
const PROVIDER = "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123";
const IDENTITY = "eu-west-1:99999999-8888-4777-8666-555555555555";
const HOUR = 3600_000;
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

/** An unsigned JWT with the given claims; Cognito's check is mocked, only the shape matters. */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "RS256", kid: "k1" })}.${part(claims)}.signature`;
}

const ID_TOKEN = jwt({ token_use: "id", sub: "8f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f", aud: "client" });

function credentialsResponse(expiration: Date, suffix = "1") {
  return {
    IdentityId: IDENTITY,
    Credentials: {
      AccessKeyId: `ASIA${suffix}`,
      SecretKey: `secret-${suffix}`,
      SessionToken: `session-${suffix}`,
      Expiration: expiration,
    },
  };
}

const client = new CognitoIdentityClient({ region: "eu-west-1" });
const cognito = mockClient(client);

beforeEach(() => {
  cognito.reset();
});

function notAuthorized(message = "Invalid login token. Token expired") {
  return new NotAuthorizedException({ message, $metadata: {} });
}

describe("identityPoolCredentials", () => {
  it("sends the ID token under the user-pool provider name to GetId and GetCredentialsForIdentity", async () => {
    cognito.on(GetIdCommand).resolves({ IdentityId: IDENTITY });
    cognito.on(GetCredentialsForIdentityCommand).resolves(credentialsResponse(new Date(T0 + HOUR)));

    await identityPoolCredentials({
      client,
      identityPoolId: POOL,
      userPoolProvider: PROVIDER,
      idToken: ID_TOKEN,
    });

    const getId = cognito.commandCalls(GetIdCommand);
    expect(getId).toHaveLength(1);
    expect(getId[0]!.args[0].input).toEqual({ IdentityPoolId: POOL, Logins: { [PROVIDER]: ID_TOKEN } });
    const getCredentials = cognito.commandCalls(GetCredentialsForIdentityCommand);
    expect(getCredentials).toHaveLength(1);
    expect(getCredentials[0]!.args[0].input).toEqual({
      IdentityId: IDENTITY,
      Logins: { [PROVIDER]: ID_TOKEN },
    });
  });

  it("returns SDK-shaped credentials with the expiration and the identity id", async () => {
    const expiration = new Date(T0 + HOUR);
    cognito.on(GetIdCommand).resolves({ IdentityId: IDENTITY });
    cognito.on(GetCredentialsForIdentityCommand).resolves(credentialsResponse(expiration, "XYZ"));

    const credentials = await identityPoolCredentials({
      client,
      identityPoolId: POOL,
      userPoolProvider: PROVIDER,
      idToken: ID_TOKEN,
    });

    expect(credentials).toEqual({
      accessKeyId: "ASIAXYZ",
      secretAccessKey: "secret-XYZ",
      sessionToken: "session-XYZ",
      expiration,
      identityId: IDENTITY,
    });
  });

  it("skips GetId when the identity id is already known", async () => {
    cognito.on(GetCredentialsForIdentityCommand).resolves(credentialsResponse(new Date(T0 + HOUR)));
    await identityPoolCredentials({
      client,
      identityPoolId: POOL,
      userPoolProvider: PROVIDER,
      idToken: ID_TOKEN,
      identityId: IDENTITY,
    });
    expect(cognito.commandCalls(GetIdCommand)).toHaveLength(0);
    expect(cognito.commandCalls(GetCredentialsForIdentityCommand)[0]!.args[0].input.IdentityId).toBe(
      IDENTITY,
    );
  });

  it("maps NotAuthorizedException to NOT_AUTHORIZED, keeping the cause", async () => {
    const refusal = notAuthorized();
    cognito.on(GetIdCommand).rejects(refusal);
    const error = await identityPoolCredentials({
      client,
      identityPoolId: POOL,
      userPoolProvider: PROVIDER,
      idToken: ID_TOKEN,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentityPoolCredentialsError);
    expect(error).toMatchObject({ code: "NOT_AUTHORIZED", cause: refusal });
    expect((error as Error).message).toMatch(/Token expired.*sign in again/);
  });

  it("passes other service errors through unchanged", async () => {
    const throttled = Object.assign(new Error("Rate exceeded"), { name: "TooManyRequestsException" });
    cognito.on(GetIdCommand).resolves({ IdentityId: IDENTITY });
    cognito.on(GetCredentialsForIdentityCommand).rejects(throttled);
    await expect(
      identityPoolCredentials({
        client,
        identityPoolId: POOL,
        userPoolProvider: PROVIDER,
        idToken: ID_TOKEN,
      }),
    ).rejects.toBe(throttled);
  });

  it("refuses an access token before calling Cognito", async () => {
    const accessToken = jwt({ token_use: "access", sub: "x", client_id: "client" });
    await expect(
      identityPoolCredentials({
        client,
        identityPoolId: POOL,
        userPoolProvider: PROVIDER,
        idToken: accessToken,
      }),
    ).rejects.toMatchObject({ code: "INVALID_INPUT", message: expect.stringMatching(/ID token/) });
    expect(cognito.calls()).toHaveLength(0);
  });

  it.each([
    "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123",
    "cognito-idp.amazonaws.com/eu-west-1_AbCdEf123",
    "eu-west-1_AbCdEf123",
  ])("refuses the provider name %s", async (userPoolProvider) => {
    await expect(
      identityPoolCredentials({ client, identityPoolId: POOL, userPoolProvider, idToken: ID_TOKEN }),
    ).rejects.toMatchObject({ code: "INVALID_INPUT" });
    expect(cognito.calls()).toHaveLength(0);
  });

  it("says when GetId returns no identity id", async () => {
    cognito.on(GetIdCommand).resolves({});
    await expect(
      identityPoolCredentials({
        client,
        identityPoolId: POOL,
        userPoolProvider: PROVIDER,
        idToken: ID_TOKEN,
      }),
    ).rejects.toMatchObject({ code: "MISSING_IDENTITY_ID" });
  });

  it.each(["AccessKeyId", "SecretKey", "SessionToken", "Expiration"] as const)(
    "names %s when the credentials response lacks it",
    async (field) => {
      const response = credentialsResponse(new Date(T0 + HOUR));
      delete response.Credentials[field];
      cognito.on(GetIdCommand).resolves({ IdentityId: IDENTITY });
      cognito.on(GetCredentialsForIdentityCommand).resolves(response);
      const error = await identityPoolCredentials({
        client,
        identityPoolId: POOL,
        userPoolProvider: PROVIDER,
        idToken: ID_TOKEN,
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "MISSING_CREDENTIALS" });
      expect((error as Error).message).toContain(field);
    },
  );

  it("says when the response has no credentials at all", async () => {
    cognito.on(GetIdCommand).resolves({ IdentityId: IDENTITY });
    cognito.on(GetCredentialsForIdentityCommand).resolves({ IdentityId: IDENTITY });
    await expect(
      identityPoolCredentials({
        client,
        identityPoolId: POOL,
        userPoolProvider: PROVIDER,
        idToken: ID_TOKEN,
      }),
    ).rejects.toMatchObject({ code: "MISSING_CREDENTIALS" });
  });
});

describe("identityPoolCredentialProvider", () => {
  function setup() {
    let clock = T0;
    const tokens: string[] = [];
    let issued = 0;
    const provider = identityPoolCredentialProvider({
      client,
      identityPoolId: POOL,
      userPoolProvider: PROVIDER,
      idToken: () => {
        const token = jwt({ token_use: "id", sub: "s", n: ++issued });
        tokens.push(token);
        return token;
      },
      now: () => clock,
    });
    let served = 0;
    cognito.on(GetIdCommand).resolves({ IdentityId: IDENTITY });
    cognito
      .on(GetCredentialsForIdentityCommand)
      .callsFake(() => credentialsResponse(new Date(clock + HOUR), String(++served)));
    return {
      provider,
      tokens,
      advance: (ms: number) => {
        clock += ms;
      },
    };
  }

  it("serves cached credentials while they are fresh", async () => {
    const { provider, advance } = setup();
    const first = await provider();
    advance(30 * 60 * 1000);
    const second = await provider();
    expect(second).toBe(first);
    expect(cognito.commandCalls(GetCredentialsForIdentityCommand)).toHaveLength(1);
  });

  it("renews them five minutes before they expire, with a fresh ID token and the known identity", async () => {
    const { provider, advance, tokens } = setup();
    const first = await provider();
    advance(HOUR - 5 * 60 * 1000);
    const second = await provider();
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(tokens).toHaveLength(2);
    const calls = cognito.commandCalls(GetCredentialsForIdentityCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.args[0].input).toEqual({ IdentityId: IDENTITY, Logins: { [PROVIDER]: tokens[1] } });
    expect(cognito.commandCalls(GetIdCommand)).toHaveLength(1);
  });

  it("keeps them until just before that margin", async () => {
    const { provider, advance } = setup();
    const first = await provider();
    advance(HOUR - 5 * 60 * 1000 - 1);
    expect(await provider()).toBe(first);
  });

  it("fetches new credentials for the known identity when forced, though the cached ones look fresh", async () => {
    const { provider } = setup();
    const first = await provider();
    const [forced, again] = await Promise.all([
      provider({ forceRefresh: true }),
      provider({ forceRefresh: true }),
    ]);
    expect(forced.accessKeyId).not.toBe(first.accessKeyId);
    expect(again).toBe(forced);
    expect(await provider()).toBe(forced);
    expect(cognito.commandCalls(GetCredentialsForIdentityCommand)).toHaveLength(2);
    expect(cognito.commandCalls(GetIdCommand)).toHaveLength(1);
  });

  it("shares one request between concurrent callers", async () => {
    const { provider } = setup();
    const [a, b, c] = await Promise.all([provider(), provider(), provider()]);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(cognito.commandCalls(GetCredentialsForIdentityCommand)).toHaveLength(1);
  });

  it("does not cache a failure", async () => {
    const { provider } = setup();
    cognito.reset();
    cognito.on(GetIdCommand).resolves({ IdentityId: IDENTITY });
    cognito
      .on(GetCredentialsForIdentityCommand)
      .rejectsOnce(notAuthorized())
      .resolves(credentialsResponse(new Date(T0 + HOUR), "after"));
    await expect(provider()).rejects.toMatchObject({ code: "NOT_AUTHORIZED" });
    expect((await provider()).accessKeyId).toBe("ASIAafter");
  });

  it("looks the identity up again, once, when the remembered one is gone", async () => {
    const { provider, advance } = setup();
    await provider();
    advance(2 * HOUR);
    cognito.reset();
    cognito.on(GetIdCommand).resolves({ IdentityId: IDENTITY });
    cognito
      .on(GetCredentialsForIdentityCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: "Identity not found", $metadata: {} }))
      .resolves(credentialsResponse(new Date(T0 + 4 * HOUR), "again"));
    const credentials = await provider();
    expect(credentials.accessKeyId).toBe("ASIAagain");
    expect(cognito.commandCalls(GetIdCommand)).toHaveLength(1);
    const calls = cognito.commandCalls(GetCredentialsForIdentityCommand);
    expect(calls).toHaveLength(2);
  });

  it("does not retry a missing identity it has just looked up", async () => {
    const { provider } = setup();
    cognito.reset();
    cognito.on(GetIdCommand).resolves({ IdentityId: IDENTITY });
    const gone = new ResourceNotFoundException({ message: "Identity not found", $metadata: {} });
    cognito.on(GetCredentialsForIdentityCommand).rejects(gone);
    await expect(provider()).rejects.toBe(gone);
    expect(cognito.commandCalls(GetCredentialsForIdentityCommand)).toHaveLength(1);
  });

  it("starts over after clear()", async () => {
    const { provider } = setup();
    await provider();
    provider.clear();
    await provider();
    expect(cognito.commandCalls(GetIdCommand)).toHaveLength(2);
    expect(cognito.commandCalls(GetCredentialsForIdentityCommand)).toHaveLength(2);
  });

  it("plugs into an SDK client's credentials option", async () => {
    const { provider } = setup();
    // Any SDK v3 client takes the same credentials type as S3Client.
    const consumer = new CognitoIdentityClient({ region: "eu-west-1", credentials: provider });
    const resolved = await consumer.config.credentials();
    expect(resolved).toMatchObject({
      accessKeyId: "ASIA1",
      secretAccessKey: "secret-1",
      sessionToken: "session-1",
    });
    expect(resolved.expiration).toBeInstanceOf(Date);
  });
});
