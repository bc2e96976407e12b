import { type Failure, PhotogateError, type Reason } from "@photogate/core";

/**
 * Why one upload could not be processed. Content problems are not errors here: they become
 * `rejected` records with a Reason. These classes are infrastructure (or input we refuse to
 * touch), each with a stable code that lands in the record's `failure.code` and in logs.
 */
export class ProcessorError extends PhotogateError {}

/** The upload was deleted between the event and our read. Retrying cannot help. */
export class UploadNotFoundError extends ProcessorError {
  constructor(key: string, options?: { cause?: unknown }) {
    super(
      "UPLOAD_NOT_FOUND",
      `Upload ${key} no longer exists; it was deleted before it could be processed`,
      options,
    );
  }
}

/** The object under the key is no longer the one the event describes (overwritten since). */
export class UploadReplacedError extends ProcessorError {
  constructor(key: string, eventETag: string, currentETag: string | undefined) {
    super(
      "UPLOAD_REPLACED",
      `Upload ${key} was overwritten (event ETag ${eventETag}, now ${currentETag ?? "unknown"}); the newer upload's event will process it`,
    );
  }
}

export class UploadReadError extends ProcessorError {
  constructor(key: string, options?: { cause?: unknown }) {
    super("UPLOAD_READ_FAILED", `Could not read upload ${key}: ${causeMessage(options?.cause)}`, options);
  }
}

export class DerivedWriteError extends ProcessorError {
  constructor(key: string, options?: { cause?: unknown }) {
    super(
      "DERIVED_WRITE_FAILED",
      `Could not write derived image ${key}: ${causeMessage(options?.cause)}`,
      options,
    );
  }
}

export class RekognitionError extends ProcessorError {
  constructor(operation: string, options?: { cause?: unknown }) {
    super(
      "REKOGNITION_FAILED",
      `Rekognition ${operation} failed after retries: ${causeMessage(options?.cause)}`,
      options,
    );
  }
}

export class RecordWriteError extends ProcessorError {
  constructor(owner: string, photoId: string, options?: { cause?: unknown }) {
    super(
      "RECORD_WRITE_FAILED",
      `Could not write the photo record ${owner}/${photoId}: ${causeMessage(options?.cause)}`,
      options,
    );
  }
}

/** A direct invocation whose payload is neither an S3 notification nor a valid reprocess request. */
export class InvalidInvocationError extends ProcessorError {
  constructor(detail: string) {
    super(
      "INVALID_INVOCATION",
      `The processor accepts an S3 notification or {"action":"reprocess","owner":<uuid>,"photoId":<uuid>}: ${detail}`,
    );
  }
}

/** A reprocess request for a photo that cannot be reprocessed now (no record, no upload, or running). */
export class ReprocessRefusedError extends ProcessorError {
  constructor(
    owner: string,
    photoId: string,
    readonly why: "NO_RECORD" | "IN_PROGRESS",
    /** With IN_PROGRESS: when the current run's lease ends, after which a reprocess takes over. */
    readonly secondsLeft?: number,
  ) {
    super(
      why === "NO_RECORD" ? "REPROCESS_NO_RECORD" : "REPROCESS_IN_PROGRESS",
      why === "NO_RECORD"
        ? `Photo ${owner}/${photoId} has no record to reprocess`
        : `Photo ${owner}/${photoId} is being processed right now${secondsLeft === undefined ? "" : ` (its lease ends in ${secondsLeft} s)`}; reprocess it once it has a verdict or its lease has ended`,
    );
  }
}

/** sharp ran past `sharpTimeoutSeconds`; treated as a failure (retried, then the DLQ) for a human to look at. */
export class ImageTimeoutError extends ProcessorError {
  constructor(seconds: number, options?: { cause?: unknown }) {
    super("IMAGE_TIMEOUT", `Image processing took longer than ${seconds} s`, options);
  }
}

/** A photo the processor refuses on content grounds, carried out of the image code as a Reason. */
export class ImageRejectedError extends ProcessorError {
  constructor(readonly reason: Reason) {
    super(reason.code, reason.message);
  }
}

function causeMessage(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return String(cause);
}

/** The one place errors become a record's `failure`: named errors keep their code, the rest are UNEXPECTED. */
export function toFailure(error: unknown): Failure {
  if (error instanceof PhotogateError) return { code: error.code, message: error.message };
  return { code: "UNEXPECTED", message: causeMessage(error) };
}
