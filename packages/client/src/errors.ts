/** Why identity-pool credentials could not be obtained; `code` is stable, the message says what to do. */
export type IdentityPoolErrorCode =
  /** The identity pool refused the token: expired, revoked, signed out, or from a client the pool does not trust. */
  | "NOT_AUTHORIZED"
  /** The caller passed something unusable (an access token instead of the ID token, a malformed provider name). */
  | "INVALID_INPUT"
  /** GetId answered without an IdentityId. */
  | "MISSING_IDENTITY_ID"
  /** GetCredentialsForIdentity answered without one of the credential fields. */
  | "MISSING_CREDENTIALS";

export class IdentityPoolCredentialsError extends Error {
  readonly code: IdentityPoolErrorCode;

  constructor(code: IdentityPoolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "IdentityPoolCredentialsError";
    this.code = code;
  }
}
