import {
  CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
} from "@aws-sdk/client-cognito-identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsError, loginsFor, srpSignIn } from "./support";
import {
  type ConformanceTarget,
  clientConfig,
  createTestUser,
  type plannedTarget,
  type TestUser,
} from "./target";

/** The identity pool (cognito-identity): credentials for signed-in users. */
export function cognitoIdentityCases(
  target: () => ConformanceTarget,
  planned: ReturnType<typeof plannedTarget>,
) {
  describe.skipIf(
    planned.lacks("cognito-identity") !== undefined || planned.lacks("cognito-idp") !== undefined,
  )("cognito-identity", () => {
    let user: TestUser & { remove(): Promise<void> };
    // GetId and GetCredentialsForIdentity are public: the client sends no AWS credentials.
    let identity: CognitoIdentityClient;

    beforeAll(async () => {
      user = await createTestUser(target());
      identity = new CognitoIdentityClient(clientConfig(target(), "cognitoIdentity", undefined));
    });
    afterAll(async () => {
      await user?.remove();
      identity?.destroy();
    });

    // GetId returns "{region}:{uuid}"; GetCredentialsForIdentity temporary keys with a session
    // token and an expiry (https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_GetId.html,
    // https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_GetCredentialsForIdentity.html).
    it("gives a signed-in user an identity id and temporary credentials, without AWS credentials", async () => {
      const tokens = await srpSignIn(target(), user.email, user.password);
      const Logins = loginsFor(target(), tokens.idToken);
      const { IdentityId } = await identity.send(
        new GetIdCommand({ IdentityPoolId: target().identityPoolId, Logins }),
      );
      expect(IdentityId).toMatch(new RegExp(`^${target().region}:[0-9a-f-]{36}$`));
      const again = await identity.send(
        new GetIdCommand({ IdentityPoolId: target().identityPoolId, Logins }),
      );
      expect(again.IdentityId).toBe(IdentityId);
      const { Credentials, IdentityId: same } = await identity.send(
        new GetCredentialsForIdentityCommand({ IdentityId, Logins }),
      );
      expect(same).toBe(IdentityId);
      expect(Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{12,}$/);
      expect(Credentials?.SecretKey).toBeTruthy();
      expect(Credentials?.SessionToken).toBeTruthy();
      expect(Credentials?.Expiration?.getTime()).toBeGreaterThan(Date.now());
    });

    // A login that is not a valid ID token of the pool is NotAuthorizedException:
    // https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_GetId.html#API_GetId_Errors
    it("refuses a token that is not the pool's ID token with NotAuthorizedException", async () => {
      const tokens = await srpSignIn(target(), user.email, user.password);
      for (const token of ["garbage", tokens.accessToken]) {
        const error = await awsError(
          identity.send(
            new GetIdCommand({ IdentityPoolId: target().identityPoolId, Logins: loginsFor(target(), token) }),
          ),
        );
        expect(error).toMatchObject({ name: "NotAuthorizedException", status: 400 });
      }
    });
  });
}
