import { createHash, randomBytes } from "node:crypto";
import type { S3EventRecord } from "aws-lambda";
import type { S3ObjectEvent } from "./s3-server";

/** Fixed identities for the local "account", shaped like S3's (they are opaque to consumers). */
const OWNER_ID = "A3PHOTOGATELOCAL";
const PRINCIPAL_ID = "AWS:AIDAPHOTOGATELOCAL";

export function toRecord(
  event: S3ObjectEvent,
  context: { region: string; configurationId: string; sequencer: string },
): S3EventRecord {
  const requestId = randomBytes(8).toString("hex").toUpperCase();
  return {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: context.region,
    eventTime: event.eventTime.toISOString(),
    eventName: event.eventName,
    userIdentity: { principalId: PRINCIPAL_ID },
    requestParameters: { sourceIPAddress: event.sourceIp },
    responseElements: {
      "x-amz-request-id": requestId,
      "x-amz-id-2": createHash("sha256").update(requestId).digest("base64"),
    },
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: context.configurationId,
      bucket: {
        name: event.bucket,
        ownerIdentity: { principalId: OWNER_ID },
        arn: `arn:aws:s3:::${event.bucket}`,
      },
      object: {
        key: encodeS3EventKey(event.key),
        size: event.size ?? 0,
        eTag: event.eTag ?? "",
        sequencer: context.sequencer,
      },
    },
  };
}

/**
 * S3 event keys are form-encoded (Java's URLEncoder rules: only `A-Z a-z 0-9 . - * _` stay,
 * a space becomes `+`, everything else is UTF-8 percent-encoded), except that `/` stays as is:
 * `uploads/a b(1).jpg` → `uploads/a+b%281%29.jpg`.
 */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/%20/g, "+")
    .replace(/%2F/g, "/")
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * S3 sequencers grow with every write to a key. These are the clock in microseconds (so they keep
 * growing across restarts of the local stack, where records in DynamoDB outlive the process),
 * bumped by one when two writes fall in the same microsecond: 18 upper-case hex digits, like S3's.
 */
export function sequencerSource(now: () => Date): () => string {
  let last = 0n;
  return () => {
    const clock = BigInt(now().getTime()) * 1000n;
    last = clock > last ? clock : last + 1n;
    return last.toString(16).toUpperCase().padStart(18, "0");
  };
}
