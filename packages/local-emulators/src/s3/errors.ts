import { randomBytes } from "node:crypto";

/**
 * Errors the local S3 gateway answers with, named, coded and shaped as S3's own
 * (`<Error><Code>…</Code><Message>…</Message><RequestId>…</RequestId></Error>`), so the AWS SDK
 * throws the same exception names (`AccessDenied`, `SignatureDoesNotMatch`, …) as against AWS.
 */
export type S3ErrorCode =
  | "AccessDenied"
  | "AuthorizationHeaderMalformed"
  | "AuthorizationQueryParametersError"
  | "BadDigest"
  | "ExpiredToken"
  | "IncompleteBody"
  | "InvalidAccessKeyId"
  | "InvalidArgument"
  | "InvalidDigest"
  | "InvalidPartNumber"
  | "InvalidRequest"
  | "InvalidToken"
  | "RequestTimeTooSkewed"
  | "NoSuchKey"
  | "NotImplemented"
  | "PreconditionFailed"
  | "SignatureDoesNotMatch"
  | "InternalError";

/** HTTP status S3 answers each code with. */
const STATUS: Record<S3ErrorCode, number> = {
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  ExpiredToken: 400,
  IncompleteBody: 400,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidDigest: 400,
  InvalidPartNumber: 416,
  InvalidRequest: 400,
  InvalidToken: 400,
  NoSuchKey: 404,
  NotImplemented: 501,
  PreconditionFailed: 412,
  RequestTimeTooSkewed: 403,
  SignatureDoesNotMatch: 403,
  InternalError: 500,
};

export class S3Error extends Error {
  override readonly name = "S3Error";
  readonly status: number;

  /**
   * @param details extra elements of the error body, after Message (`Region`, `Condition`…)
   * @param headers extra response headers (`x-amz-bucket-region`…)
   */
  constructor(
    readonly code: S3ErrorCode,
    message: string,
    readonly details: Readonly<Record<string, string>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

/** S3 request ids are 16 upper-case hex characters. */
export function newRequestId(): string {
  return randomBytes(8).toString("hex").toUpperCase();
}

/** The XML body S3 sends with an error status. */
export function errorXml(error: S3Error, requestId: string, resource?: string): string {
  const resourceXml = resource === undefined ? "" : `<Resource>${escapeXml(resource)}</Resource>`;
  const detailsXml = Object.entries(error.details)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join("");
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message>${detailsXml}${resourceXml}` +
    `<RequestId>${requestId}</RequestId></Error>`
  );
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
