import { PhotogateError } from "@photogate/core";

/** status.json or a shared/ copy could not be written or removed. */
export class PublishError extends PhotogateError {
  constructor(key: string, options?: { cause?: unknown }) {
    super("PUBLISH_FAILED", `Could not publish ${key}: ${causeMessage(options?.cause)}`, options);
  }
}

function causeMessage(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return String(cause);
}
