import { PhotogateError } from "@photogate/core/edge";

/**
 * Every way the edge refuses a request. Each refusal carries its HTTP status and a stable
 * code; `refusalResponse` (response.ts) is the one place that turns them into responses.
 */
export type RefusalCode =
  | "MISSING_TOKEN"
  | "INVALID_TOKEN"
  | "TOKEN_EXPIRED"
  | "INVALID_PATH"
  | "QUERY_NOT_ALLOWED"
  | "HEADER_NOT_ALLOWED"
  | "INVALID_CONTENT_LENGTH"
  | "INVALID_UPLOAD_INTENT"
  | "FORBIDDEN"
  | "METHOD_NOT_ALLOWED"
  | "LENGTH_REQUIRED"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "INTERNAL";

export class EdgeRefusal extends PhotogateError {
  declare readonly code: RefusalCode;

  constructor(
    readonly status: number,
    code: RefusalCode,
    message: string,
    /** Why, for the log line only (e.g. the verifier's error); never sent to the client. */
    readonly detail?: string,
  ) {
    super(code, message);
  }
}

/** 401: no usable access token. The message stays generic so it cannot be used as an oracle. */
export class UnauthorizedError extends EdgeRefusal {
  constructor(code: "MISSING_TOKEN" | "INVALID_TOKEN" | "TOKEN_EXPIRED", message: string, detail?: string) {
    super(401, code, message, detail);
  }
}

/** 400: a request the edge will not interpret (encoded or traversing paths, query strings, S3 headers). */
export class BadRequestError extends EdgeRefusal {
  constructor(
    code:
      | "INVALID_PATH"
      | "QUERY_NOT_ALLOWED"
      | "HEADER_NOT_ALLOWED"
      | "INVALID_CONTENT_LENGTH"
      | "INVALID_UPLOAD_INTENT",
    message: string,
  ) {
    super(400, code, message);
  }
}

/** 403: a valid user asking for a key that is not theirs (or not in the layout at all). */
export class ForbiddenError extends EdgeRefusal {
  constructor(message: string, detail?: string) {
    super(403, "FORBIDDEN", message, detail);
  }
}

export class MethodNotAllowedError extends EdgeRefusal {
  constructor(
    method: string,
    readonly allow: readonly string[],
  ) {
    super(405, "METHOD_NOT_ALLOWED", `Method ${method} is not allowed; use one of ${allow.join(", ")}`);
  }
}

export class LengthRequiredError extends EdgeRefusal {
  constructor() {
    super(411, "LENGTH_REQUIRED", "PUT needs a Content-Length header (chunked uploads are not accepted)");
  }
}

export class PayloadTooLargeError extends EdgeRefusal {
  constructor(length: number, limit: number) {
    super(413, "PAYLOAD_TOO_LARGE", `Content-Length ${length} is over the limit of ${limit} bytes`);
  }
}

export class UnsupportedMediaTypeError extends EdgeRefusal {
  constructor(message: string) {
    super(415, "UNSUPPORTED_MEDIA_TYPE", message);
  }
}

/** A bug, not a bad request: the edge fails closed and logs the cause. */
export class InternalRefusal extends EdgeRefusal {
  constructor(detail: string) {
    super(403, "INTERNAL", "The request could not be authorised", detail);
  }
}
