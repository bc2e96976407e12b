import { afterEach, describe, expect, it, vi } from "vitest";
import { CognitoError, createCognitoClient, signInMessage } from "../src/auth/cognito";
import { fakeJwt, fakeTokens } from "./jwt";

type Answer = Response | Error;

/** The user-pool endpoint on a stubbed fetch: each request gets the next answer, in order. */
function cognitoWith(...answers: Answer[]) {
  const calls: { url: string; target: string | null; body: Record<string, unknown> }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
      calls.push({
        url: String(url),
        target: new Headers(init?.headers).get("x-amz-target"),
        body: JSON.parse(String(init?.body)) as Record<string, unknown>,
      });
      const answer = answers.shift();
      if (!answer) throw new Error("no answer left");
      if (answer instanceof Error) throw answer;
      return answer;
    }),
  );
  const client = createCognitoClient({
    userPoolId: "local_pool",
    clientId: "admin-client",
    endpoint: "http://127.0.0.1:4504",
  });
  return { client, calls };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

const ok = (body: unknown) => new Response(JSON.stringify(body), { status: 200 });
const fail = (type: string, message: string) =>
  new Response(JSON.stringify({ __type: type, message }), { status: 400 });

/** Cognito's first SRP answer: any B and salt will do for the client's side of the exchange. */
const passwordVerifier = () =>
  ok({
    ChallengeName: "PASSWORD_VERIFIER",
    ChallengeParameters: {
      SRP_B: "7d".repeat(192),
      SALT: "3e".repeat(16),
      SECRET_BLOCK: "c2VjcmV0LWJsb2Nr",
      USER_ID_FOR_SRP: "a@b.c",
    },
  });

describe("cognito client", () => {
  it("signs in with USER_SRP_AUTH and answers the verifier with a signature, never the password", async () => {
    const { client, calls } = cognitoWith(
      passwordVerifier(),
      fail("NotAuthorizedException", "Incorrect username or password."),
    );
    await client.signIn("a@b.c", "the-password").catch(() => {});
    expect(calls.map((c) => c.target)).toEqual([
      "AWSCognitoIdentityProviderService.InitiateAuth",
      "AWSCognitoIdentityProviderService.RespondToAuthChallenge",
    ]);
    expect(calls[0]).toMatchObject({
      url: "http://127.0.0.1:4504",
      body: { AuthFlow: "USER_SRP_AUTH", ClientId: "admin-client", AuthParameters: { USERNAME: "a@b.c" } },
    });
    expect(calls[1]!.body).toMatchObject({
      ChallengeName: "PASSWORD_VERIFIER",
      ChallengeResponses: { USERNAME: "a@b.c", PASSWORD_CLAIM_SECRET_BLOCK: "c2VjcmV0LWJsb2Nr" },
    });
    expect((calls[1]!.body.ChallengeResponses as Record<string, string>).PASSWORD_CLAIM_SIGNATURE).toMatch(
      /^[A-Za-z0-9+/]+=*$/,
    );
    expect(JSON.stringify(calls)).not.toContain("the-password");
  });

  it("keeps the refresh token when a refresh returns none", async () => {
    const tokens = fakeTokens({ exp: 1 });
    const fresh = fakeTokens({ exp: 2 });
    const { client, calls } = cognitoWith(
      ok({ AuthenticationResult: { AccessToken: fresh.accessToken, IdToken: fresh.idToken } }),
    );
    await expect(client.refresh(tokens)).resolves.toEqual({ ...fresh, refreshToken: tokens.refreshToken });
    expect(calls[0]).toMatchObject({
      target: "AWSCognitoIdentityProviderService.InitiateAuth",
      body: {
        AuthFlow: "REFRESH_TOKEN_AUTH",
        ClientId: "admin-client",
        AuthParameters: { REFRESH_TOKEN: tokens.refreshToken },
      },
    });
  });

  it("maps Cognito's error types (with or without a namespace) and says what to do", async () => {
    const wrong = await cognitoWith(fail("NotAuthorizedException", "Incorrect username or password."))
      .client.signIn("a", "b")
      .catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: "NotAuthorizedException" });
    expect(signInMessage(wrong)).toBe("Incorrect e-mail or password.");

    const unknown = await cognitoWith(fail("UserNotFoundException", "User does not exist."))
      .client.signIn("a", "b")
      .catch((e: unknown) => e);
    // The same words as a wrong password: the page never tells whether the user exists.
    expect(signInMessage(unknown)).toBe("Incorrect e-mail or password.");

    const disabled = await cognitoWith(
      fail("com.amazonaws.cognito#NotAuthorizedException", "User is disabled."),
    )
      .client.signIn("a", "b")
      .catch((e: unknown) => e);
    expect(disabled).toMatchObject({ code: "NotAuthorizedException" });
    expect(signInMessage(disabled)).toMatch(/disabled/);

    const offline = await cognitoWith(new TypeError("fetch failed"))
      .client.signIn("a", "b")
      .catch((e: unknown) => e);
    expect(offline).toMatchObject({ code: "NETWORK" });
    expect(signInMessage(offline)).toMatch(/Cannot reach the sign-in service/);
  });

  it("refuses a challenge it cannot answer instead of pretending to be signed in", async () => {
    const { client } = cognitoWith(
      passwordVerifier(),
      ok({
        ChallengeName: "NEW_PASSWORD_REQUIRED",
        ChallengeParameters: { userAttributes: "{}", requiredAttributes: "[]" },
        Session: "s",
      }),
    );
    const error = await client.signIn("a@b.c", "pw").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CognitoError);
    expect(signInMessage(error)).toMatch(/set a new password/);
  });

  it("revokes the refresh token on sign-out when the pool's revocation marks the tokens", async () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const tokens = {
      accessToken: fakeJwt({ sub: "s", username: "s", exp, token_use: "access", origin_jti: "o-1" }),
      idToken: fakeJwt({ sub: "s", exp, token_use: "id", origin_jti: "o-1" }),
      refreshToken: "refresh-1",
    };
    const { client, calls } = cognitoWith(ok({}));
    await client.revoke(tokens);
    expect(calls).toEqual([
      {
        url: "http://127.0.0.1:4504",
        target: "AWSCognitoIdentityProviderService.RevokeToken",
        body: { Token: "refresh-1", ClientId: "admin-client" },
      },
    ]);
  });
});
