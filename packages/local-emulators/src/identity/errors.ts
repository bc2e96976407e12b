import { AwsJsonError } from "../aws-json-server";

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

export class IdentityError extends AwsJsonError<IdentityErrorType> {
  override readonly name = "IdentityError";
  constructor(
    type: IdentityErrorType,
    message: string,
    status = type === "InternalErrorException" ? 500 : 400,
  ) {
    super(type, message, status);
  }
}
