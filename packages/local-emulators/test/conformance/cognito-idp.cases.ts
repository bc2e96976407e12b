import {
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsError, identityCredentials, MADE_UP_KEYS, srpSignIn } from "./support";
import {
  type ConformanceTarget,
  clientConfig,
  createTestUser,
  type plannedTarget,
  type TestUser,
} from "./target";

/** The Cognito user pool (cognito-idp) as a client sees it. */
export function cognitoIdpCases(target: () => ConformanceTarget, planned: ReturnType<typeof plannedTarget>) {
  describe.skipIf(planned.lacks("cognito-idp") !== undefined)("cognito-idp", () => {
    let user: TestUser & { remove(): Promise<void> };
    let idp: CognitoIdentityProviderClient;
    // The user pool's public operations (sign-in, tokens) are not signed with AWS credentials.
    let publicIdp: CognitoIdentityProviderClient;

    beforeAll(async () => {
      user = await createTestUser(target());
      idp = new CognitoIdentityProviderClient(clientConfig(target(), "cognitoIdp"));
      publicIdp = new CognitoIdentityProviderClient(clientConfig(target(), "cognitoIdp", MADE_UP_KEYS));
    });
    afterAll(async () => {
      await user?.remove();
      idp?.destroy();
      publicIdp?.destroy();
    });

    const refresh = (refreshToken: string) =>
      publicIdp.send(
        new InitiateAuthCommand({
          AuthFlow: "REFRESH_TOKEN_AUTH",
          ClientId: target().uploadClientId,
          AuthParameters: { REFRESH_TOKEN: refreshToken },
        }),
      );

    // USER_SRP_AUTH, then PASSWORD_VERIFIER with PASSWORD_CLAIM_SIGNATURE:
    // https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-authentication-flow-methods.html#amazon-cognito-user-pools-authentication-flow-methods-srp
    it("signs a user in with SRP (amazon-cognito-identity-js) and issues access, ID and refresh tokens", async () => {
      const tokens = await srpSignIn(target(), user.email, user.password);
      const access = JSON.parse(Buffer.from(tokens.accessToken.split(".")[1]!, "base64url").toString());
      expect(access.token_use).toBe("access");
      expect(access.client_id).toBe(target().uploadClientId);
      expect(tokens.refreshToken.length).toBeGreaterThan(20);
    });

    // AuthenticationResultType has ExpiresIn (seconds) and TokenType "Bearer"; a refresh returns
    // no new refresh token: https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AuthenticationResultType.html
    it("refreshes tokens with REFRESH_TOKEN_AUTH: ExpiresIn, TokenType Bearer, no new refresh token", async () => {
      const tokens = await srpSignIn(target(), user.email, user.password);
      const { AuthenticationResult } = await refresh(tokens.refreshToken);
      expect(AuthenticationResult?.TokenType).toBe("Bearer");
      expect(AuthenticationResult?.ExpiresIn).toBeGreaterThan(0);
      expect(AuthenticationResult?.AccessToken).toBeTruthy();
      expect(AuthenticationResult?.IdToken).toBeTruthy();
      expect(AuthenticationResult?.RefreshToken).toBeUndefined();
    });

    // With PreventUserExistenceErrors, a wrong password and an unknown user give the same
    // NotAuthorizedException: https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html
    it("refuses a wrong password and an unknown user with one error that reveals no users", async () => {
      const wrong = await awsError(srpSignIn(target(), user.email, `${user.password}x`));
      const unknown = await awsError(srpSignIn(target(), `nobody-${Date.now()}@example.com`, user.password));
      expect(wrong).toMatchObject({
        name: "NotAuthorizedException",
        message: "Incorrect username or password.",
      });
      expect(unknown).toEqual(wrong);
    });

    // GetUser authorises with the access token; a token that is not one is NotAuthorizedException:
    // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetUser.html
    it("answers GetUser for a valid access token and refuses a garbage one with NotAuthorizedException", async () => {
      const tokens = await srpSignIn(target(), user.email, user.password);
      const me = await publicIdp.send(new GetUserCommand({ AccessToken: tokens.accessToken }));
      expect(me.UserAttributes?.find((a) => a.Name === "email")?.Value).toBe(user.email);
      const garbage = await awsError(publicIdp.send(new GetUserCommand({ AccessToken: "not-a-token" })));
      expect(garbage).toEqual({
        name: "NotAuthorizedException",
        message: "Invalid Access Token",
        status: 400,
      });
    });

    // GlobalSignOut revokes the user's access and refresh tokens:
    // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GlobalSignOut.html
    it("GlobalSignOut revokes the refresh and access tokens; signing in again works", async () => {
      const tokens = await srpSignIn(target(), user.email, user.password);
      await publicIdp.send(new GlobalSignOutCommand({ AccessToken: tokens.accessToken }));
      expect(await awsError(refresh(tokens.refreshToken))).toEqual({
        name: "NotAuthorizedException",
        message: "Refresh Token has been revoked",
        status: 400,
      });
      expect(await awsError(publicIdp.send(new GetUserCommand({ AccessToken: tokens.accessToken })))).toEqual(
        {
          name: "NotAuthorizedException",
          message: "Access Token has been revoked",
          status: 400,
        },
      );
      const again = await srpSignIn(target(), user.email, user.password);
      expect((await refresh(again.refreshToken)).AuthenticationResult?.AccessToken).toBeTruthy();
    });

    // Id and access tokens carry the origin_jti of their authentication, which RevokeToken
    // revokes with the refresh token; other sessions of the user stay signed in:
    // https://docs.aws.amazon.com/cognito/latest/developerguide/token-revocation.html
    it("RevokeToken revokes the refresh token and the tokens of its authentication only", async () => {
      const claims = (jwt: string) =>
        JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<
          string,
          unknown
        >;
      const tokens = await srpSignIn(target(), user.email, user.password);
      const other = await srpSignIn(target(), user.email, user.password);
      const origin = claims(tokens.accessToken).origin_jti;
      expect(origin).toEqual(expect.any(String));
      expect(claims(tokens.idToken).origin_jti).toBe(origin);
      expect(claims(other.accessToken).origin_jti).not.toBe(origin);
      const refreshed = (await refresh(tokens.refreshToken)).AuthenticationResult?.AccessToken ?? "";
      expect(claims(refreshed).origin_jti).toBe(origin);

      await publicIdp.send(
        new RevokeTokenCommand({ Token: tokens.refreshToken, ClientId: target().uploadClientId }),
      );
      expect(await awsError(refresh(tokens.refreshToken))).toMatchObject({
        name: "NotAuthorizedException",
        message: "Refresh Token has been revoked",
      });
      for (const accessToken of [tokens.accessToken, refreshed]) {
        expect(
          await awsError(publicIdp.send(new GetUserCommand({ AccessToken: accessToken }))),
        ).toMatchObject({
          name: "NotAuthorizedException",
          message: "Access Token has been revoked",
        });
      }
      expect(
        (await publicIdp.send(new GetUserCommand({ AccessToken: other.accessToken }))).Username,
      ).toBeTruthy();
      expect((await refresh(other.refreshToken)).AuthenticationResult?.AccessToken).toBeTruthy();
    });

    // RevokeToken takes refresh tokens only:
    // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RevokeToken.html
    it("RevokeToken refuses an ID or access token with UnsupportedTokenTypeException", async () => {
      const tokens = await srpSignIn(target(), user.email, user.password);
      for (const token of [tokens.idToken, tokens.accessToken]) {
        const error = await awsError(
          publicIdp.send(new RevokeTokenCommand({ Token: token, ClientId: target().uploadClientId })),
        );
        expect(error).toMatchObject({ name: "UnsupportedTokenTypeException", status: 400 });
      }
      expect((await refresh(tokens.refreshToken)).AuthenticationResult?.AccessToken).toBeTruthy();
    });

    it("amazon-cognito-identity-js's signOut (the admin app's) revokes its refresh token", async () => {
      const tokens = await srpSignIn(target(), user.email, user.password);
      await tokens.signOut();
      expect(await awsError(refresh(tokens.refreshToken))).toMatchObject({
        name: "NotAuthorizedException",
        message: "Refresh Token has been revoked",
      });
    });

    // AdminUserGlobalSignOut (IAM-authorised) signs a user out of every device:
    // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminUserGlobalSignOut.html
    it("AdminUserGlobalSignOut revokes the user's refresh tokens", async () => {
      const tokens = await srpSignIn(target(), user.email, user.password);
      await idp.send(
        new AdminUserGlobalSignOutCommand({ UserPoolId: target().userPoolId, Username: user.email }),
      );
      expect(await awsError(refresh(tokens.refreshToken))).toMatchObject({
        name: "NotAuthorizedException",
        message: "Refresh Token has been revoked",
      });
    });

    // IAM-authorised operations need a valid SigV4 signature from a known key:
    // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/CommonErrors.html
    it("refuses an admin operation signed with made-up keys: UnrecognizedClientException", async () => {
      const error = await awsError(
        publicIdp.send(new AdminGetUserCommand({ UserPoolId: target().userPoolId, Username: user.email })),
      );
      expect(error).toMatchObject({ name: "UnrecognizedClientException", status: 400 });
    });

    // A user's identity-pool role has no cognito-idp permission:
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
    it.skipIf(
      planned.lacks("cognito-identity") !== undefined || planned.lacks("iam-enforcement") !== undefined,
    )(
      "refuses an admin operation signed with a user's identity-pool credentials: AccessDeniedException",
      async () => {
        const tokens = await srpSignIn(target(), user.email, user.password);
        const session = await identityCredentials(target(), tokens.idToken);
        const asUser = new CognitoIdentityProviderClient(clientConfig(target(), "cognitoIdp", session));
        const error = await awsError(
          asUser.send(new AdminGetUserCommand({ UserPoolId: target().userPoolId, Username: user.email })),
        );
        asUser.destroy();
        expect(error.name).toBe("AccessDeniedException");
        expect(error.message).toMatch(
          /^User: arn:aws:sts::\d{12}:assumed-role\/[\w+=,.@-]+\/CognitoIdentityCredentials is not authorized to perform: cognito-idp:AdminGetUser on resource: arn:aws:cognito-idp:[\w-]+:\d{12}:userpool\/[\w-]+_\w+/,
        );
      },
    );

    // A disabled user cannot sign in or refresh: NotAuthorizedException "User is disabled."
    // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminDisableUser.html
    it("refuses a disabled user's sign-in and refresh with NotAuthorizedException: User is disabled.", async () => {
      const disabled = await createTestUser(target());
      try {
        const tokens = await srpSignIn(target(), disabled.email, disabled.password);
        await idp.send(
          new AdminDisableUserCommand({ UserPoolId: target().userPoolId, Username: disabled.email }),
        );
        const signIn = await awsError(srpSignIn(target(), disabled.email, disabled.password));
        expect(signIn).toMatchObject({ name: "NotAuthorizedException", message: "User is disabled." });
        expect(await awsError(refresh(tokens.refreshToken))).toMatchObject({
          name: "NotAuthorizedException",
          message: "User is disabled.",
        });
      } finally {
        await disabled.remove();
      }
    });
  });
}
