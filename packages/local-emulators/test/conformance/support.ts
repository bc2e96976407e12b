import {
  CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
} from "@aws-sdk/client-cognito-identity";
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from "amazon-cognito-identity-js";
import { expect } from "vitest";
import { type ConformanceTarget, clientConfig } from "./target";

export interface SignedIn {
  accessToken: string;
  idToken: string;
  refreshToken: string;
  /** The library's own sign-out, as the admin app calls it (RevokeToken when tokens carry origin_jti). */
  signOut(): Promise<void>;
}

/**
 * Signs in with USER_SRP_AUTH through amazon-cognito-identity-js (the library the admin app
 * uses, and a client nobody on the project wrote): InitiateAuth, then the PASSWORD_VERIFIER
 * challenge answered with the SRP proof. Rejects with the library's error (`code`, `message`).
 */
export function srpSignIn(target: ConformanceTarget, email: string, password: string): Promise<SignedIn> {
  const pool = new CognitoUserPool({
    UserPoolId: target.userPoolId,
    ClientId: target.uploadClientId,
    ...(target.endpoints.cognitoIdp ? { endpoint: target.endpoints.cognitoIdp } : {}),
  });
  const user = new CognitoUser({ Username: email, Pool: pool });
  user.setAuthenticationFlowType("USER_SRP_AUTH");
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: email, Password: password }), {
      onSuccess: (session) =>
        resolve({
          accessToken: session.getAccessToken().getJwtToken(),
          idToken: session.getIdToken().getJwtToken(),
          refreshToken: session.getRefreshToken().getToken(),
          signOut: () =>
            new Promise<void>((done, fail) =>
              user.signOut((error?: unknown) => (error ? fail(error) : done())),
            ),
        }),
      onFailure: reject,
      newPasswordRequired: () => reject(new Error("the test user still has a temporary password")),
    });
  });
}

/** The user-pool login the identity pool takes: `cognito-idp.{region}.amazonaws.com/{poolId}`. */
export function loginsFor(target: ConformanceTarget, idToken: string): Record<string, string> {
  return { [`cognito-idp.${target.region}.amazonaws.com/${target.userPoolId}`]: idToken };
}

/** Identity-pool credentials for a signed-in user (GetId, then GetCredentialsForIdentity). */
export async function identityCredentials(target: ConformanceTarget, idToken: string) {
  const client = new CognitoIdentityClient(clientConfig(target, "cognitoIdentity", undefined));
  try {
    const Logins = loginsFor(target, idToken);
    const { IdentityId } = await client.send(
      new GetIdCommand({ IdentityPoolId: target.identityPoolId, Logins }),
    );
    const { Credentials } = await client.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins }));
    return {
      accessKeyId: Credentials?.AccessKeyId ?? "",
      secretAccessKey: Credentials?.SecretKey ?? "",
      sessionToken: Credentials?.SessionToken ?? "",
      expiration: Credentials?.Expiration,
    };
  } finally {
    client.destroy();
  }
}

/** Keys nobody issued, shaped like real ones. */
export const MADE_UP_KEYS = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};

/**
 * The error an SDK call (or amazon-cognito-identity-js) rejects with, for asserting its AWS shape:
 * name (the `__type`), message and HTTP status.
 */
export async function awsError(
  call: Promise<unknown>,
): Promise<{ name: string; message: string; status?: number }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) =>
      e as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } },
  );
  expect(error, "the call succeeded, but AWS refuses it").toBeDefined();
  return {
    name: String(error?.code ?? error?.name),
    message: String(error?.message),
    status: error?.$metadata?.httpStatusCode,
  };
}
