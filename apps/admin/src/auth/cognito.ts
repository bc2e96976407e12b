import type { Tokens } from "./tokens";

/**
 * The few Cognito user-pool calls the app makes, as plain JSON-1.1 requests (no AWS SDK in the
 * bundle): these operations are unauthenticated, so nothing needs SigV4. SRP's maths lives in
 * srp.ts; this file does the password flow (local runs), refresh and revocation.
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
    // The local user-pool emulator's answer to a wrong password (AWS answers NotAuthorized).
    case "InvalidPasswordException":
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
  endpoint: string;
  clientId: string;
  fetch?: typeof fetch;
}

interface AuthenticationResult {
  AccessToken?: string;
  IdToken?: string;
  RefreshToken?: string;
}

export function createCognitoClient(options: CognitoClientOptions) {
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));

  async function call<T>(operation: string, body: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetchImpl(options.endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": `AWSCognitoIdentityProviderService.${operation}`,
        },
        body: JSON.stringify(body),
      });
    } catch (error) {
      throw new CognitoError("NETWORK", (error as Error).message);
    }
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // Not JSON (a proxy's error page): reported below by status.
    }
    if (!response.ok) {
      // Cognito's error type comes as `__type` (sometimes prefixed with a namespace and `#`).
      const type = String(json.__type ?? json.code ?? `HTTP ${response.status}`)
        .split("#")
        .pop()!;
      const message = String(json.message ?? json.Message ?? (text.slice(0, 200) || response.statusText));
      throw new CognitoError(type, message);
    }
    return json as T;
  }

  function tokensFrom(result: { AuthenticationResult?: AuthenticationResult; ChallengeName?: string }) {
    const auth = result.AuthenticationResult;
    if (!auth?.AccessToken || !auth.IdToken) {
      throw new CognitoError(
        "CHALLENGE",
        result.ChallengeName === "NEW_PASSWORD_REQUIRED"
          ? "This account must set a new password first (sign in to the photogate app once)."
          : `Sign-in needs a step this app does not support (${result.ChallengeName ?? "no tokens"}).`,
      );
    }
    return auth;
  }

  return {
    /** USER_PASSWORD_AUTH: the local user-pool emulator's flow (it has no SRP). */
    async signInWithPassword(username: string, password: string): Promise<Tokens> {
      const result = await call<{ AuthenticationResult?: AuthenticationResult; ChallengeName?: string }>(
        "InitiateAuth",
        {
          AuthFlow: "USER_PASSWORD_AUTH",
          ClientId: options.clientId,
          AuthParameters: { USERNAME: username, PASSWORD: password },
        },
      );
      const auth = tokensFrom(result);
      if (!auth.RefreshToken) throw new CognitoError("CHALLENGE", "Sign-in returned no refresh token.");
      return { accessToken: auth.AccessToken!, idToken: auth.IdToken!, refreshToken: auth.RefreshToken };
    },

    /** New access and ID tokens; Cognito keeps the refresh token unless rotation gives a new one. */
    async refresh(refreshToken: string): Promise<Tokens> {
      const result = await call<{ AuthenticationResult?: AuthenticationResult; ChallengeName?: string }>(
        "InitiateAuth",
        {
          AuthFlow: "REFRESH_TOKEN_AUTH",
          ClientId: options.clientId,
          AuthParameters: { REFRESH_TOKEN: refreshToken },
        },
      );
      const auth = tokensFrom(result);
      return {
        accessToken: auth.AccessToken!,
        idToken: auth.IdToken!,
        refreshToken: auth.RefreshToken ?? refreshToken,
      };
    },

    /** Ends the refresh token (and the tokens it issued, where revocation is on). */
    async revoke(refreshToken: string): Promise<void> {
      await call("RevokeToken", { ClientId: options.clientId, Token: refreshToken });
    },
  };
}

export type CognitoClient = ReturnType<typeof createCognitoClient>;
