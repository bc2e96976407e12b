import { UPLOAD_INTENT_HEADER, UPLOAD_INTENTS } from "@photogate/core/edge";
import type { CloudFrontHeaders } from "aws-lambda";
import { BadRequestError } from "./errors";

/**
 * The upload intent (`x-amz-meta-photogate-intent`), the one S3 header a PUT may carry: user
 * metadata the processor reads back (docs/identity.md). Exactly one value photogate knows.
 */
export function checkUploadIntent(headers: CloudFrontHeaders): void {
  const values = (headers[UPLOAD_INTENT_HEADER] ?? []).map((entry) => String(entry?.value ?? ""));
  const value = values.length === 1 ? values[0]!.trim() : "";
  if (!(UPLOAD_INTENTS as readonly string[]).includes(value)) {
    throw new BadRequestError(
      "INVALID_UPLOAD_INTENT",
      `${UPLOAD_INTENT_HEADER} must be exactly one of: ${UPLOAD_INTENTS.join(", ")}`,
    );
  }
}
