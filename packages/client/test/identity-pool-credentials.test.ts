import { CognitoIdentityClient } from "@aws-sdk/client-cognito-identity";
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

/** An unsigned JWT with the given claims; Cognito's check is faked, only the shape matters. */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "RS256", kid: "k1" })}.${part(claims)}.signature`;
}

const ID_TOKEN = jwt({ token_use: "id", sub: "8f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f", aud: "client" });

type Operation = "GetId" | "GetCredentialsForIdentity";
type Input = Record<string, unknown>;
/** A JSON body for 200, or an AWS JSON error (`__type`) with its status. */
type Answer = Input | { status: number; body: Input };

/**
 * Cognito Identity behind the SDK's own client, on a fake transport: the SDK serialises each
 * request and parses each answer as it would on the wire, so the test sees what AWS would.
 */
function fakeCognito() {
  const sent: { operation: Operation; input: Input }[] = [];
  const answers: Record<Operation, ((input: Input) => Answer)[]> = {
    GetId: [],
    GetCredentialsForIdentity: [],
  };
  const requestHandler = {
    async handle(request: { headers: Record<string, string>; body: Uint8Array }) {
      const operation = request.headers["x-amz-target"]!.split(".")[1] as Operation;
      const input = JSON.parse(new TextDecoder().decode(request.body)) as Input;
      sent.push({ operation, input });
      const queue = answers[operation];
      const answer = (queue.length > 1 ? queue.shift()! : queue[0])?.(input);
      if (!answer) throw new Error(`no answer set for ${operation}`);
      const [status, body] =
        "status" in answer ? [answer.status as number, answer.body as Input] : [200, answer];
      return {
        response: {
          statusCode: status,
          headers: { "content-type": "application/x-amz-json-1.1" },
          body: new TextEncoder().encode(JSON.stringify(body)),
        },
      };
    },
  };
  return {
    clientConfig: { requestHandler, maxAttempts: 1 },
    /** Answers every later call of `operation` with `answer`. */
    on(operation: Operation, answer: Answer | ((input: Input) => Answer)) {
      answers[operation] = [typeof answer === "function" ? answer : () => answer];
    },
    /** Answers the next call of `operation` with `answer`, then goes back to the standing answer. */
    once(operation: Operation, answer: Answer) {
      answers[operation].unshift(() => answer);
    },
    sent: (operation: Operation) => sent.filter((s) => s.operation === operation).map((s) => s.input),
    reset() {
      sent.length = 0;
      answers.GetId = [];
      answers.GetCredentialsForIdentity = [];
    },
  };
}

function credentialsResponse(expiration: Date, suffix = "1"): Input {
  return {
    IdentityId: IDENTITY,
    Credentials: {
      AccessKeyId: `ASIA${suffix}`,
      SecretKey: `secret-${suffix}`,
      SessionToken: `session-${suffix}`,
      // AWS JSON sends timestamps as epoch seconds.
      Expiration: expiration.getTime() / 1000,
    },
  };
}

const cognito = fakeCognito();
const login = { identityPoolId: POOL, userPoolProvider: PROVIDER, clientConfig: cognito.clientConfig };

beforeEach(() => {
  cognito.reset();
});

function refusal(type: string, message: string) {
  return { status: 400, body: { __type: type, message } };
}
const notAuthorized = (message = "Invalid login token. Token expired") =>
  refusal("NotAuthorizedException", message);

describe("identityPoolCredentials", () => {
  it("sends the ID token under the user-pool provider name to GetId and GetCredentialsForIdentity", async () => {
    cognito.on("GetId", { IdentityId: IDENTITY });
    cognito.on("GetCredentialsForIdentity", credentialsResponse(new Date(T0 + HOUR)));

    await identityPoolCredentials({ ...login, idToken: ID_TOKEN });

    expect(cognito.sent("GetId")).toEqual([{ IdentityPoolId: POOL, Logins: { [PROVIDER]: ID_TOKEN } }]);
    expect(cognito.sent("GetCredentialsForIdentity")).toEqual([
      { IdentityId: IDENTITY, Logins: { [PROVIDER]: ID_TOKEN } },
    ]);
  });

  it("returns SDK-shaped credentials with the expiration and the identity id", async () => {
    const expiration = new Date(T0 + HOUR);
    cognito.on("GetId", { IdentityId: IDENTITY });
    cognito.on("GetCredentialsForIdentity", credentialsResponse(expiration, "XYZ"));

    const credentials = await identityPoolCredentials({ ...login, idToken: ID_TOKEN });

    expect(credentials).toEqual({
      accessKeyId: "ASIAXYZ",
      secretAccessKey: "secret-XYZ",
      sessionToken: "session-XYZ",
      expiration,
      identityId: IDENTITY,
    });
  });

  it("asks the identity pool's own region unless the client config names an endpoint", async () => {
    const hosts: string[] = [];
    const answer = { IdentityId: IDENTITY, ...credentialsResponse(new Date(T0 + HOUR)) };
    const requestHandler = {
      async handle(request: { hostname: string; port?: number }) {
        hosts.push(`${request.hostname}${request.port ? `:${request.port}` : ""}`);
        const body = new TextEncoder().encode(JSON.stringify(answer));
        return { response: { statusCode: 200, headers: {}, body } };
      },
    };
    await identityPoolCredentials({ ...login, clientConfig: { requestHandler }, idToken: ID_TOKEN });
    await identityPoolCredentials({
      ...login,
      clientConfig: { requestHandler, endpoint: "http://127.0.0.1:4566" },
      idToken: ID_TOKEN,
    });
    expect(hosts).toEqual([
      "cognito-identity.eu-west-1.amazonaws.com",
      "cognito-identity.eu-west-1.amazonaws.com",
      "127.0.0.1:4566",
      "127.0.0.1:4566",
    ]);
  });

  it("skips GetId when the identity id is already known", async () => {
    cognito.on("GetCredentialsForIdentity", credentialsResponse(new Date(T0 + HOUR)));
    await identityPoolCredentials({ ...login, idToken: ID_TOKEN, identityId: IDENTITY });
    expect(cognito.sent("GetId")).toHaveLength(0);
    expect(cognito.sent("GetCredentialsForIdentity")[0]!.IdentityId).toBe(IDENTITY);
  });

  it("maps NotAuthorizedException to NOT_AUTHORIZED, keeping the cause", async () => {
    cognito.on("GetId", notAuthorized());
    const error = await identityPoolCredentials({ ...login, idToken: ID_TOKEN }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentityPoolCredentialsError);
    expect(error).toMatchObject({ code: "NOT_AUTHORIZED", cause: { name: "NotAuthorizedException" } });
    expect((error as Error).message).toMatch(/Token expired.*sign in again/);
  });

  it("passes other service errors through unchanged", async () => {
    cognito.on("GetId", { IdentityId: IDENTITY });
    cognito.on("GetCredentialsForIdentity", refusal("InvalidParameterException", "Logins too long"));
    const error = await identityPoolCredentials({ ...login, idToken: ID_TOKEN }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(IdentityPoolCredentialsError);
    expect(error).toMatchObject({ name: "InvalidParameterException", message: "Logins too long" });
  });

  it("refuses an access token before calling Cognito", async () => {
    const accessToken = jwt({ token_use: "access", sub: "x", client_id: "client" });
    await expect(identityPoolCredentials({ ...login, idToken: accessToken })).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringMatching(/ID token/),
    });
    expect(cognito.sent("GetId")).toHaveLength(0);
  });

  it("refuses to ask without a login, which would get guest credentials", async () => {
    await expect(identityPoolCredentials({ ...login, idToken: " " })).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringMatching(/No user-pool ID token.*sign in first/),
    });
    expect(cognito.sent("GetId")).toHaveLength(0);
  });

  it.each([
    "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123",
    "cognito-idp.amazonaws.com/eu-west-1_AbCdEf123",
    "eu-west-1_AbCdEf123",
  ])("refuses the provider name %s", async (userPoolProvider) => {
    await expect(
      identityPoolCredentials({ ...login, userPoolProvider, idToken: ID_TOKEN }),
    ).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringContaining("cognito-idp.{region}.amazonaws.com/{userPoolId}"),
    });
    expect(cognito.sent("GetId")).toHaveLength(0);
  });

  it.each(["11111111-2222-4333-8444-555555555555", "eu-west-1_AbCdEf123", "eu-west-1:not-a-uuid"])(
    "refuses the identity pool id %s",
    async (identityPoolId) => {
      await expect(
        identityPoolCredentials({ ...login, identityPoolId, idToken: ID_TOKEN }),
      ).rejects.toMatchObject({
        code: "INVALID_INPUT",
        message: expect.stringContaining("{region}:{uuid}"),
      });
      expect(cognito.sent("GetId")).toHaveLength(0);
    },
  );

  it("says when GetId returns no identity id", async () => {
    cognito.on("GetId", {});
    await expect(identityPoolCredentials({ ...login, idToken: ID_TOKEN })).rejects.toMatchObject({
      code: "MISSING_IDENTITY_ID",
      message: expect.stringMatching(/GetId returned no IdentityId/),
    });
  });

  it.each([
    ["AccessKeyId", /access key/],
    ["SecretKey", /secret key/],
    ["SessionToken", /SessionToken/],
    ["Expiration", /Expiration/],
  ] as const)("names %s when the credentials response lacks it", async (field, named) => {
    const response = credentialsResponse(new Date(T0 + HOUR)) as { Credentials: Record<string, unknown> };
    delete response.Credentials[field];
    cognito.on("GetId", { IdentityId: IDENTITY });
    cognito.on("GetCredentialsForIdentity", response);
    const error = await identityPoolCredentials({ ...login, idToken: ID_TOKEN }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "MISSING_CREDENTIALS" });
    expect((error as Error).message).toMatch(named);
    expect((error as Error).message).toMatch(/authenticated role/);
  });

  it("says when the response has no credentials at all", async () => {
    cognito.on("GetId", { IdentityId: IDENTITY });
    cognito.on("GetCredentialsForIdentity", { IdentityId: IDENTITY });
    await expect(identityPoolCredentials({ ...login, idToken: ID_TOKEN })).rejects.toMatchObject({
      code: "MISSING_CREDENTIALS",
      message: expect.stringMatching(/no credentials/),
    });
  });
});

describe("identityPoolCredentialProvider", () => {
  function setup() {
    let clock = T0;
    const tokens: string[] = [];
    let issued = 0;
    const provider = identityPoolCredentialProvider({
      ...login,
      idToken: () => {
        const token = jwt({ token_use: "id", sub: "s", n: ++issued });
        tokens.push(token);
        return token;
      },
      now: () => clock,
    });
    let served = 0;
    cognito.on("GetId", { IdentityId: IDENTITY });
    cognito.on("GetCredentialsForIdentity", () =>
      credentialsResponse(new Date(clock + HOUR), String(++served)),
    );
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
    expect(cognito.sent("GetCredentialsForIdentity")).toHaveLength(1);
  });

  it("renews them five minutes before they expire, with a fresh ID token and the known identity", async () => {
    const { provider, advance, tokens } = setup();
    const first = await provider();
    advance(HOUR - 5 * 60 * 1000);
    const second = await provider();
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(tokens).toHaveLength(2);
    const calls = cognito.sent("GetCredentialsForIdentity");
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual({ IdentityId: IDENTITY, Logins: { [PROVIDER]: tokens[1] } });
    expect(cognito.sent("GetId")).toHaveLength(1);
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
    expect(cognito.sent("GetCredentialsForIdentity")).toHaveLength(2);
    expect(cognito.sent("GetId")).toHaveLength(1);
  });

  it("shares one request between concurrent callers", async () => {
    const { provider } = setup();
    const [a, b, c] = await Promise.all([provider(), provider(), provider()]);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(cognito.sent("GetCredentialsForIdentity")).toHaveLength(1);
  });

  it("does not cache a failure", async () => {
    const { provider } = setup();
    cognito.on("GetCredentialsForIdentity", credentialsResponse(new Date(T0 + HOUR), "after"));
    cognito.once("GetCredentialsForIdentity", notAuthorized());
    await expect(provider()).rejects.toMatchObject({ code: "NOT_AUTHORIZED" });
    expect((await provider()).accessKeyId).toBe("ASIAafter");
  });

  it("refuses an access token from the getter at renewal, before calling Cognito", async () => {
    const provider = identityPoolCredentialProvider({
      ...login,
      idToken: () => jwt({ token_use: "access", sub: "s" }),
    });
    await expect(provider()).rejects.toMatchObject({ code: "INVALID_INPUT" });
    expect(cognito.sent("GetId")).toHaveLength(0);
  });

  it("looks the identity up again, once, when the remembered one is gone", async () => {
    const { provider, advance } = setup();
    await provider();
    advance(2 * HOUR);
    cognito.reset();
    cognito.on("GetId", { IdentityId: IDENTITY });
    cognito.on("GetCredentialsForIdentity", credentialsResponse(new Date(T0 + 4 * HOUR), "again"));
    cognito.once("GetCredentialsForIdentity", refusal("ResourceNotFoundException", "Identity not found"));
    const credentials = await provider();
    expect(credentials.accessKeyId).toBe("ASIAagain");
    expect(cognito.sent("GetId")).toHaveLength(1);
    expect(cognito.sent("GetCredentialsForIdentity")).toHaveLength(2);
  });

  it("does not retry a missing identity it has just looked up", async () => {
    const { provider } = setup();
    cognito.on("GetCredentialsForIdentity", refusal("ResourceNotFoundException", "Identity not found"));
    await expect(provider()).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    expect(cognito.sent("GetCredentialsForIdentity")).toHaveLength(1);
  });

  it("starts over after clear()", async () => {
    const { provider } = setup();
    await provider();
    provider.clear();
    await provider();
    expect(cognito.sent("GetId")).toHaveLength(2);
    expect(cognito.sent("GetCredentialsForIdentity")).toHaveLength(2);
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
