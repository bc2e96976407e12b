/**
 * Errors the local identity endpoint answers with, named and shaped as Cognito Identity's own
 * (`{"__type": ..., "message": ...}`, status 400), so the AWS SDK raises the same exception
 * classes (NotAuthorizedException, ...) it would raise against AWS.
 */
export type IdentityErrorType =
  | "NotAuthorizedException"
  | "ResourceNotFoundException"
  | "InvalidParameterException"
  | "SerializationException"
  | "UnknownOperationException"
  | "InternalErrorException";

export class IdentityError extends Error {
  override readonly name = "IdentityError";
  constructor(
    readonly type: IdentityErrorType,
    message: string,
    readonly status = type === "InternalErrorException" ? 500 : 400,
  ) {
    super(message);
  }
}
