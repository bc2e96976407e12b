import { describe, expect, it, vi } from "vitest";
import { CognitoError, createCognitoClient, signInMessage } from "../src/auth/cognito";
import { fakeTokens } from "./jwt";

function cognitoWith(response: Response | Error) {
  const calls: { url: string; target: string | null; body: unknown }[] = [];
  const fetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({
      url: String(url),
      target: new Headers(init?.headers).get("x-amz-target"),
      body: JSON.parse(String(init?.body)),
    });
    if (response instanceof Error) throw response;
    return response;
  });
  const client = createCognitoClient({
    endpoint: "http://127.0.0.1:4504",
    clientId: "admin-client",
    fetch: fetch as unknown as typeof globalThis.fetch,
  });
  return { client, calls };
}

const ok = (body: unknown) => new Response(JSON.stringify(body), { status: 200 });
const fail = (type: string, message: string) =>
  new Response(JSON.stringify({ __type: type, message }), { status: 400 });

describe("cognito client", () => {
  it("signs in with USER_PASSWORD_AUTH on the admin client", async () => {
    const tokens = fakeTokens({ exp: 1 });
    const { client, calls } = cognitoWith(
      ok({
        AuthenticationResult: {
          AccessToken: tokens.accessToken,
          IdToken: tokens.idToken,
          RefreshToken: tokens.refreshToken,
        },
      }),
    );
    await expect(client.signInWithPassword("a@b.c", "pw")).resolves.toEqual(tokens);
    expect(calls[0]).toEqual({
      url: "http://127.0.0.1:4504",
      target: "AWSCognitoIdentityProviderService.InitiateAuth",
      body: {
        AuthFlow: "USER_PASSWORD_AUTH",
        ClientId: "admin-client",
        AuthParameters: { USERNAME: "a@b.c", PASSWORD: "pw" },
      },
    });
  });

  it("keeps the refresh token when a refresh returns none", async () => {
    const tokens = fakeTokens({ exp: 1 });
    const { client, calls } = cognitoWith(
      ok({ AuthenticationResult: { AccessToken: tokens.accessToken, IdToken: tokens.idToken } }),
    );
    await expect(client.refresh("old-refresh")).resolves.toMatchObject({ refreshToken: "old-refresh" });
    expect(calls[0]!.body).toMatchObject({
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: "old-refresh" },
    });
  });

  it("maps Cognito's error types (with or without a namespace) and says what to do", async () => {
    const wrong = await cognitoWith(fail("NotAuthorizedException", "Incorrect username or password."))
      .client.signInWithPassword("a", "b")
      .catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: "NotAuthorizedException" });
    expect(signInMessage(wrong)).toBe("Incorrect e-mail or password.");

    const disabled = await cognitoWith(
      fail("com.amazonaws.cognito#NotAuthorizedException", "User is disabled."),
    )
      .client.signInWithPassword("a", "b")
      .catch((e: unknown) => e);
    expect(disabled).toMatchObject({ code: "NotAuthorizedException" });
    expect(signInMessage(disabled)).toMatch(/disabled/);

    const offline = await cognitoWith(new TypeError("fetch failed"))
      .client.signInWithPassword("a", "b")
      .catch((e: unknown) => e);
    expect(signInMessage(offline)).toMatch(/Cannot reach the sign-in service/);
  });

  it("refuses a challenge it cannot answer instead of pretending to be signed in", async () => {
    const { client } = cognitoWith(ok({ ChallengeName: "NEW_PASSWORD_REQUIRED", Session: "s" }));
    const error = await client.signInWithPassword("a", "b").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CognitoError);
    expect(signInMessage(error)).toMatch(/set a new password/);
  });
});
