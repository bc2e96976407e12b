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

/** A read that failed in a way that may pass: a 5xx, a 429, or no answer at all (reset, refused, timed out). */
export interface TransientFailure {
  /** The HTTP status; absent when no response came. */
  status?: number;
  /** S3's or the edge's error code, the socket error code (`ECONNRESET`), or `HTTP_{status}`. */
  code: string;
  message: string;
}

/** What a wait for the verdict had seen when its time ran out. */
export interface VerdictWaitState {
  /** The newest verdict seen, if any. */
  last: { status: string; version: number; final: boolean } | undefined;
  /** Why the document was not there yet (`HTTP 404`, `S3 AccessDenied: ...`). */
  lastMiss: string;
  /** The last transient failure met on the way, if any. */
  lastError: TransientFailure | undefined;
}

/** No final verdict within the time allowed. `last` is the newest verdict seen, `lastError` the last failure. */
export class VerdictTimeoutError extends Error {
  readonly code = "VERDICT_TIMEOUT";
  readonly last: VerdictWaitState["last"];
  readonly lastError: TransientFailure | undefined;

  constructor(
    readonly key: string,
    readonly timeoutMs: number,
    seen: VerdictWaitState,
  ) {
    const lastSeen = seen.last
      ? `last seen: ${seen.last.status}, version ${seen.last.version}, not final`
      : seen.lastMiss;
    const lastError = seen.lastError ? `; last error: ${describeFailure(seen.lastError)}` : "";
    super(
      `No final verdict at ${key} after ${Math.round(timeoutMs / 100) / 10} s (${lastSeen}${lastError}). ` +
        "The processor may be behind or down; try again later.",
    );
    this.name = "VerdictTimeoutError";
    this.last = seen.last;
    this.lastError = seen.lastError;
  }
}

function describeFailure(failure: TransientFailure): string {
  return `${failure.status === undefined ? "no response" : `HTTP ${failure.status}`} ${failure.code}: ${failure.message}`;
}

/** `PUT /me/profile-picture` refused; `code` is the API's (PHOTO_NOT_FOUND, PHOTO_NOT_APPROVED, ...). */
export class ProfilePictureError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`Profile picture not set (${status} ${code}): ${detail}`);
    this.name = "ProfilePictureError";
  }
}

/** Why `POST /reports` refused a report: the API's stable code, or the client's own. */
export type ReportRefusalCode =
  /** No such photo (wrong owner or id, or it was deleted). */
  | "PHOTO_NOT_FOUND"
  /** The photo is not approved (pending, rejected, removed by support): nobody else can see it. */
  | "PHOTO_NOT_APPROVED"
  /** The caller owns the photo: delete it instead. */
  | "CANNOT_TARGET_SELF"
  /** A field was wrong (an unknown reason, a comment over 500 characters, not a UUID). */
  | "INVALID_REQUEST"
  /** No valid upload-app token. */
  | "UNAUTHORIZED"
  /** Anything else the API answered (429, 5xx); `status` says which. */
  | "REQUEST_FAILED"
  /** A 2xx that was not a report result. */
  | "INVALID_RESPONSE";

/** `reportPhoto` was refused; `code` says why, one subclass per refusal a caller may act on. */
export class ReportPhotoError extends Error {
  constructor(
    readonly status: number,
    readonly code: ReportRefusalCode,
    readonly detail: string,
  ) {
    super(`Report not accepted (${status} ${code}): ${detail}`);
    this.name = "ReportPhotoError";
  }
}

/** A ReportPhotoError subclass for one refusal a caller may act on (`instanceof` tells them apart). */
function reportRefusal<C extends ReportRefusalCode>(code: C, name: string) {
  const refusal = class extends ReportPhotoError {
    declare readonly code: C;
    constructor(status: number, detail: string) {
      super(status, code, detail);
      this.name = name;
    }
  };
  // The class's own name too, so stack traces and `error.constructor.name` say which refusal.
  return Object.defineProperty(refusal, "name", { value: name });
}

/** 404: no such photo (wrong owner or id, or deleted). */
export const ReportedPhotoNotFoundError = reportRefusal("PHOTO_NOT_FOUND", "ReportedPhotoNotFoundError");
export type ReportedPhotoNotFoundError = InstanceType<typeof ReportedPhotoNotFoundError>;
/** 409: the photo is not approved, so nobody else can see it. */
export const ReportedPhotoNotApprovedError = reportRefusal(
  "PHOTO_NOT_APPROVED",
  "ReportedPhotoNotApprovedError",
);
export type ReportedPhotoNotApprovedError = InstanceType<typeof ReportedPhotoNotApprovedError>;
/** 409: the caller owns the photo. */
export const OwnPhotoReportError = reportRefusal("CANNOT_TARGET_SELF", "OwnPhotoReportError");
export type OwnPhotoReportError = InstanceType<typeof OwnPhotoReportError>;
/** 400: a field was wrong. */
export const InvalidReportError = reportRefusal("INVALID_REQUEST", "InvalidReportError");
export type InvalidReportError = InstanceType<typeof InvalidReportError>;

/** The API's refusal code → the error `reportPhoto` throws for it. */
export const REPORT_REFUSALS: Readonly<
  Record<string, new (status: number, detail: string) => ReportPhotoError>
> = {
  PHOTO_NOT_FOUND: ReportedPhotoNotFoundError,
  PHOTO_NOT_APPROVED: ReportedPhotoNotApprovedError,
  CANNOT_TARGET_SELF: OwnPhotoReportError,
  INVALID_REQUEST: InvalidReportError,
};
