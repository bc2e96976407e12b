import { type AdminErrorCode, type ErrorBody, PhotogateError } from "@photogate/core";
import type { z } from "zod";

/**
 * Errors the admin API answers with on purpose: each has a stable code (core's ADMIN_ERROR_CODES)
 * and an HTTP status. `toErrorBody` is the one place any error becomes a response.
 */
export class AdminApiError extends PhotogateError {
  declare readonly code: AdminErrorCode;

  constructor(
    code: AdminErrorCode,
    readonly status: number,
    message: string,
    options?: { cause?: unknown; fields?: FieldProblem[] },
  ) {
    super(code, message, options);
    this.fields = options?.fields;
  }

  readonly fields: FieldProblem[] | undefined;
}

export interface FieldProblem {
  path: string;
  message: string;
}

/** A ZodError as the response's `fields`, each path prefixed with the part it came from (`body.reason`). */
export function fieldProblems(error: z.ZodError, part: string): FieldProblem[] {
  return error.issues.map((issue) => ({
    path: [part, ...issue.path.map(String)].join("."),
    message: issue.message,
  }));
}

export class UnauthenticatedError extends AdminApiError {
  constructor(message = "Sign in: the request carries no verified token") {
    super("UNAUTHENTICATED", 401, message);
  }
}

export class ForbiddenError extends AdminApiError {
  constructor(message: string) {
    super("FORBIDDEN", 403, message);
  }
}

export class InvalidRequestError extends AdminApiError {
  constructor(fields: FieldProblem[]) {
    super(
      "INVALID_REQUEST",
      400,
      `Invalid request: ${fields.map((f) => `${f.path}: ${f.message}`).join("; ")}`,
      { fields },
    );
  }
}

export class InvalidNextTokenError extends AdminApiError {
  constructor(why: string) {
    super(
      "INVALID_NEXT_TOKEN",
      400,
      `nextToken is not one this API issued for this query (${why}); start again from the first page`,
    );
  }
}

export class PhotoNotFoundError extends AdminApiError {
  constructor(owner: string, photoId: string) {
    super("PHOTO_NOT_FOUND", 404, `No photo ${photoId} of owner ${owner}`);
  }
}

export class UserNotFoundError extends AdminApiError {
  constructor(sub: string, options?: { cause?: unknown }) {
    super("USER_NOT_FOUND", 404, `No user ${sub} in the user pool`, options);
  }
}

export class PhotoInProgressError extends AdminApiError {
  /** Seconds until the processing run's lease ends; after that, reprocess or reject takes over. */
  constructor(readonly secondsLeft: number) {
    super(
      "PHOTO_IN_PROGRESS",
      409,
      `The photo is being processed; its lease ends in ${secondsLeft} s. Wait for the verdict, or try again after that to take it over.`,
    );
  }
}

export class PhotoNotApprovedError extends AdminApiError {
  /** `purpose`: what only an approved photo can be or have done to it. */
  constructor(status: string, purpose = "be a profile picture") {
    super("PHOTO_NOT_APPROVED", 409, `Only approved photos can ${purpose}; this one is ${status}`);
  }
}

export class ConflictError extends AdminApiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CONFLICT", 409, message, options);
  }
}

export class CannotTargetSelfError extends AdminApiError {
  constructor(action: string) {
    super("CANNOT_TARGET_SELF", 409, `You cannot ${action} your own account; ask another admin`);
  }
}

export class CannotReportOwnPhotoError extends AdminApiError {
  constructor() {
    super("CANNOT_TARGET_SELF", 409, "You cannot report your own photo; delete it instead if it should go");
  }
}

type AwsErrorLike = { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };

const THROTTLED = new Set([
  "TooManyRequestsException",
  "LimitExceededException",
  "ThrottlingException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
]);
const BAD_USER_STATE = new Set([
  "NotAuthorizedException",
  "UnsupportedUserStateException",
  "InvalidUserPoolConfigurationException",
]);

/**
 * Cognito, DynamoDB, S3 and Lambda errors that mean something to the caller, as API errors.
 * Anything else stays as it is and becomes a 500 whose body says nothing about the internals.
 */
export function fromAwsError(error: unknown, context: { sub?: string } = {}): unknown {
  if (error instanceof AdminApiError || typeof error !== "object" || error === null) return error;
  const e = error as AwsErrorLike;
  const name = e.name ?? "";
  if (name === "UserNotFoundException")
    return new UserNotFoundError(context.sub ?? "(unknown)", { cause: error });
  if (BAD_USER_STATE.has(name)) {
    return new AdminApiError("INVALID_USER_STATE", 409, `The user pool refused: ${e.message ?? name}`, {
      cause: error,
    });
  }
  if (THROTTLED.has(name)) {
    return new AdminApiError(
      "TOO_MANY_REQUESTS",
      429,
      "Too many requests to AWS right now; try again shortly",
      {
        cause: error,
      },
    );
  }
  if (name === "ConditionalCheckFailedException" || name === "TransactionCanceledException") {
    return new ConflictError("The item changed while you were looking at it; reload and try again", {
      cause: error,
    });
  }
  if (name === "InvalidParameterException") {
    return new AdminApiError(
      "INVALID_REQUEST",
      400,
      `The user pool refused the request: ${e.message ?? name}`,
      {
        cause: error,
      },
    );
  }
  // Cognito's answer to an operation the pool or app client does not enable.
  if (name === "UnsupportedOperationException") {
    return new AdminApiError("NOT_SUPPORTED", 501, `Not supported by this user pool: ${e.message ?? name}`, {
      cause: error,
    });
  }
  return error;
}

/** The one mapping from any error to a status and a body. Unknown errors never show their message. */
export function toErrorBody(error: unknown, requestId?: string): { status: number; body: ErrorBody } {
  const mapped = fromAwsError(error);
  if (mapped instanceof AdminApiError) {
    return {
      status: mapped.status,
      body: {
        error: {
          code: mapped.code,
          message: mapped.message,
          ...(mapped.fields ? { fields: mapped.fields } : {}),
          ...(requestId ? { requestId } : {}),
        },
      },
    };
  }
  return {
    status: 500,
    body: {
      error: {
        code: "INTERNAL",
        message: "Something went wrong on our side; it has been logged. Try again, or quote the request id",
        ...(requestId ? { requestId } : {}),
      },
    },
  };
}
