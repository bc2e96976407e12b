import { CognitoError } from "./cognito";
import type { Tokens } from "./tokens";

/**
 * SRP sign-in (what the admin client allows on AWS) through amazon-cognito-identity-js, AWS's
 * own implementation of Cognito's SRP variant. Loaded on demand: local runs never need it, and
 * on AWS it is fetched while the person types, not with the first page.
 */
export async function signInWithSrp(
  pool: { userPoolId: string; clientId: string; endpoint?: string | undefined },
  username: string,
  password: string,
): Promise<Tokens> {
  const { AuthenticationDetails, CognitoUser, CognitoUserPool } = await import("amazon-cognito-identity-js");
  // The library would also keep the tokens in localStorage; session.ts is their only keeper.
  const scratch = new Map<string, string>();
  const storage = {
    getItem: (key: string) => scratch.get(key) ?? null,
    setItem: (key: string, value: string) => void scratch.set(key, value),
    removeItem: (key: string) => void scratch.delete(key),
    clear: () => scratch.clear(),
  };
  const userPool = new CognitoUserPool({
    UserPoolId: pool.userPoolId,
    ClientId: pool.clientId,
    Storage: storage,
    ...(pool.endpoint ? { endpoint: pool.endpoint } : {}),
  });
  const user = new CognitoUser({ Username: username, Pool: userPool, Storage: storage });
  const details = new AuthenticationDetails({ Username: username, Password: password });
  return new Promise<Tokens>((resolve, reject) => {
    const unsupported = (step: string) => () =>
      reject(new CognitoError("CHALLENGE", `Sign-in needs a step this app does not support (${step}).`));
    user.authenticateUser(details, {
      onSuccess: (session) =>
        resolve({
          accessToken: session.getAccessToken().getJwtToken(),
          idToken: session.getIdToken().getJwtToken(),
          refreshToken: session.getRefreshToken().getToken(),
        }),
      onFailure: (error: { code?: string; name?: string; message?: string }) =>
        reject(new CognitoError(error.code ?? error.name ?? "Unknown", error.message ?? "sign-in failed")),
      newPasswordRequired: () =>
        reject(
          new CognitoError(
            "CHALLENGE",
            "This account must set a new password first (sign in to the photogate app once).",
          ),
        ),
      mfaRequired: unsupported("SMS MFA"),
      totpRequired: unsupported("TOTP MFA"),
      customChallenge: unsupported("custom challenge"),
      mfaSetup: unsupported("MFA setup"),
      selectMFAType: unsupported("MFA type"),
    });
  });
}
