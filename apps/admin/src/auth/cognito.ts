import type { CognitoUser } from "amazon-cognito-identity-js";
import { accessClaims, type Tokens } from "./tokens";

/**
 * The app's Cognito user-pool calls (SRP sign-in, refresh, sign-out) through
 * amazon-cognito-identity-js, AWS's own implementation of Cognito's SRP variant. Loaded on
 * demand: it is not part of the first page; the sign-in page fetches it while the person types.
 */

export type CognitoErrorCode =
  | "NotAuthorizedException"
  | "UserNotFoundException"
  | "UserNotConfirmedException"
  | "PasswordResetRequiredException"
  | "TooManyRequestsException"
  | "InvalidParameterException"
  | "NETWORK"
  | "CHALLENGE"
  | (string & {});

export class CognitoError extends Error {
  override name = "CognitoError";
  constructor(
    readonly code: CognitoErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What a person should read for a failed sign-in; never the raw service text for unknown cases. */
export function signInMessage(error: unknown): string {
  if (!(error instanceof CognitoError)) return "Sign-in failed. Try again in a moment.";
  switch (error.code) {
    case "NotAuthorizedException":
    case "UserNotFoundException":
      // Cognito's own text tells apart a disabled user; show it, it is not a secret to them.
      return /disabled/i.test(error.message)
        ? "This account is disabled. Ask an administrator to enable it."
        : "Incorrect e-mail or password.";
    case "UserNotConfirmedException":
      return "This account is not confirmed yet.";
    case "PasswordResetRequiredException":
      return "A password reset is required for this account. Use the code sent to your e-mail.";
    case "TooManyRequestsException":
      return "Too many attempts. Wait a minute and try again.";
    case "NETWORK":
      return "Cannot reach the sign-in service. Check your connection and try again.";
    case "CHALLENGE":
      return error.message;
    default:
      return `Sign-in failed: ${error.message}`;
  }
}

export interface CognitoClientOptions {
  userPoolId: string;
  clientId: string;
  /** Cognito's endpoint; the library's default is the pool region's. */
  endpoint?: string;
}

/** The library's errors carry Cognito's error type as `code`; a failed fetch is `NetworkError`. */
function cognitoError(error: { code?: string; name?: string; message?: string }): CognitoError {
  const code = error.code ?? error.name ?? "Unknown";
  return new CognitoError(code === "NetworkError" ? "NETWORK" : code, error.message ?? "sign-in failed");
}

export function createCognitoClient(options: CognitoClientOptions) {
  async function user(
    username: string,
  ): Promise<{ user: CognitoUser; lib: typeof import("amazon-cognito-identity-js") }> {
    const lib = await import("amazon-cognito-identity-js");
    // The library would also keep the tokens in localStorage; session.ts is their only keeper.
    const scratch = new Map<string, string>();
    const storage = {
      getItem: (key: string) => scratch.get(key) ?? null,
      setItem: (key: string, value: string) => void scratch.set(key, value),
      removeItem: (key: string) => void scratch.delete(key),
      clear: () => scratch.clear(),
    };
    const pool = new lib.CognitoUserPool({
      UserPoolId: options.userPoolId,
      ClientId: options.clientId,
      Storage: storage,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    });
    return { user: new lib.CognitoUser({ Username: username, Pool: pool, Storage: storage }), lib };
  }

  return {
    /** USER_SRP_AUTH: the password never leaves the browser. */
    async signIn(username: string, password: string): Promise<Tokens> {
      const { user: cognitoUser, lib } = await user(username);
      const details = new lib.AuthenticationDetails({ Username: username, Password: password });
      return new Promise<Tokens>((resolve, reject) => {
        const unsupported = (step: string) => () =>
          reject(new CognitoError("CHALLENGE", `Sign-in needs a step this app does not support (${step}).`));
        cognitoUser.authenticateUser(details, {
          onSuccess: (session) =>
            resolve({
              accessToken: session.getAccessToken().getJwtToken(),
              idToken: session.getIdToken().getJwtToken(),
              refreshToken: session.getRefreshToken().getToken(),
            }),
          onFailure: (error) => reject(cognitoError(error)),
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
    },

    /** New access and ID tokens; Cognito keeps the refresh token unless rotation gives a new one. */
    async refresh(tokens: Tokens): Promise<Tokens> {
      const { user: cognitoUser, lib } = await user(accessClaims(tokens.accessToken).username);
      const refreshToken = new lib.CognitoRefreshToken({ RefreshToken: tokens.refreshToken });
      return new Promise<Tokens>((resolve, reject) => {
        cognitoUser.refreshSession(refreshToken, (error, session) => {
          if (error) return reject(cognitoError(error));
          resolve({
            accessToken: session.getAccessToken().getJwtToken(),
            idToken: session.getIdToken().getJwtToken(),
            refreshToken: session.getRefreshToken().getToken(),
          });
        });
      });
    },

    /**
     * Ends the refresh token and the tokens it issued (RevokeToken), where the pool's revocation
     * is on: Cognito then marks the tokens with `origin_jti`, which the library checks.
     */
    async revoke(tokens: Tokens): Promise<void> {
      const { user: cognitoUser, lib } = await user(accessClaims(tokens.accessToken).username);
      cognitoUser.setSignInUserSession(
        new lib.CognitoUserSession({
          AccessToken: new lib.CognitoAccessToken({ AccessToken: tokens.accessToken }),
          IdToken: new lib.CognitoIdToken({ IdToken: tokens.idToken }),
          RefreshToken: new lib.CognitoRefreshToken({ RefreshToken: tokens.refreshToken }),
        }),
      );
      await new Promise<void>((resolve, reject) => {
        cognitoUser.signOut((error?: unknown) =>
          error ? reject(cognitoError(error as { code?: string; message?: string })) : resolve(),
        );
      });
    },
  };
}

export type CognitoClient = ReturnType<typeof createCognitoClient>;
