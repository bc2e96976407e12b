import { AwsJsonError } from "../aws-json-server";

/**
 * Errors the local Rekognition endpoint answers with, named and shaped as Rekognition's own
 * (`{"__type": ..., "message": ...}`), so the AWS SDK raises the same exception classes it
 * would raise against AWS.
 */
export type RekognitionErrorType =
  | "InvalidImageFormatException"
  | "ImageTooLargeException"
  | "InvalidParameterException"
  | "ValidationException"
  | "SerializationException"
  | "UnknownOperationException"
  | "InternalServerError";

export class RekognitionError extends AwsJsonError<RekognitionErrorType> {
  override readonly name = "RekognitionError";
  constructor(
    type: RekognitionErrorType,
    message: string,
    status = type === "InternalServerError" ? 500 : 400,
  ) {
    super(type, message, status);
  }
}

/** Thrown at start-up when a model file is missing or did not load: the endpoint must not run half-blind. */
export class ModelLoadError extends Error {
  override readonly name = "ModelLoadError";
}
