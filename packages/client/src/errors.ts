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

/** The edge or S3 refused the upload; `status` and `detail` say why (the edge's JSON body, or S3's error). */
export class PhotoUploadError extends Error {
  readonly code = "UPLOAD_REFUSED";

  constructor(
    readonly status: number,
    readonly key: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Upload of ${key} refused (${status || "no response"}): ${detail}`, options);
    this.name = "PhotoUploadError";
  }
}

/** Reading status.json failed in a way waiting cannot fix (token expired, not your photo, not a verdict). */
export class VerdictReadError extends Error {
  readonly code = "VERDICT_UNREADABLE";

  constructor(
    readonly status: number,
    readonly key: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot read the verdict ${key} (${status || "no response"}): ${detail}`, options);
    this.name = "VerdictReadError";
  }
}

/** No final verdict within the time allowed. `last` is the newest verdict seen, if any. */
export class VerdictTimeoutError extends Error {
  readonly code = "VERDICT_TIMEOUT";

  constructor(
    readonly key: string,
    readonly timeoutMs: number,
    readonly last: { status: string; version: number; final: boolean } | undefined,
    lastMiss: string,
  ) {
    super(
      `No final verdict at ${key} after ${Math.round(timeoutMs / 100) / 10} s (${
        last ? `last seen: ${last.status}, version ${last.version}, not final` : lastMiss
      }). The processor may be behind or down; try again later.`,
    );
    this.name = "VerdictTimeoutError";
  }
}
