import type { Logger } from "@photogate/core";
import {
  decodeS3Key,
  InvalidKeyError,
  parseUploadKey,
  UPLOADS_PREFIX,
  type UploadExtension,
} from "@photogate/core";

/** One upload to process, taken from an S3 notification record. */
export interface UploadEvent {
  bucket: string;
  /** Decoded object key. */
  key: string;
  owner: string;
  photoId: string;
  extension: UploadExtension;
  size: number;
  /** ETag without quotes, as S3 events carry it. */
  eTag: string;
  /** S3 sequencer, upper-case hex, left-padded with zeros to SEQUENCER_WIDTH. */
  sequencer: string;
  versionId?: string;
  eventTime: string;
}

/**
 * Sequencers of one key are ordered by left-padding the shorter with zeros and comparing as
 * strings (S3 docs). A fixed width lets DynamoDB compare stored values with `<` directly.
 */
export const SEQUENCER_WIDTH = 32;

export function padSequencer(sequencer: string): string | undefined {
  const upper = sequencer.toUpperCase();
  if (!/^[0-9A-F]+$/.test(upper) || upper.length > SEQUENCER_WIDTH) return undefined;
  return upper.padStart(SEQUENCER_WIDTH, "0");
}

export function normaliseETag(eTag: string): string {
  return eTag.replace(/^(W\/)?"|"$/g, "");
}

interface RawRecord {
  eventName?: unknown;
  eventTime?: unknown;
  s3?: {
    bucket?: { name?: unknown };
    object?: { key?: unknown; size?: unknown; eTag?: unknown; sequencer?: unknown; versionId?: unknown };
  };
}

/**
 * Turns an S3 notification into uploads to process. Everything else is logged and dropped
 * here, before any read or write: the s3:TestEvent, non-create events, keys outside uploads/
 * (the processor's own writes must never trigger it) and keys that break the layout.
 */
export function parseS3Event(event: unknown, log: Logger): UploadEvent[] {
  if (typeof event !== "object" || event === null) {
    log.error("event.malformed", { message: "S3 event is not an object" });
    return [];
  }
  const e = event as { Event?: unknown; Records?: unknown };
  if (e.Event === "s3:TestEvent") {
    log.info("event.test", { message: "s3:TestEvent received when the notification was configured" });
    return [];
  }
  if (!Array.isArray(e.Records) || e.Records.length === 0) {
    log.info("event.empty", { message: "S3 event has no records" });
    return [];
  }
  const uploads: UploadEvent[] = [];
  for (const record of e.Records as RawRecord[]) {
    const upload = parseRecord(record, log);
    if (upload) uploads.push(upload);
  }
  return uploads;
}

function parseRecord(record: RawRecord, log: Logger): UploadEvent | undefined {
  const object = record.s3?.object;
  const bucket = record.s3?.bucket?.name;
  const eventName = typeof record.eventName === "string" ? record.eventName : "";
  if (!eventName.startsWith("ObjectCreated:")) {
    log.info("record.ignored", { eventName, message: "only ObjectCreated events are processed" });
    return undefined;
  }
  if (typeof bucket !== "string" || typeof object?.key !== "string") {
    log.error("record.malformed", { eventName, message: "record has no bucket name or object key" });
    return undefined;
  }
  let key: string;
  try {
    key = decodeS3Key(object.key);
  } catch {
    log.warn("record.refused", { rawKey: object.key, message: "object key is not valid percent-encoding" });
    return undefined;
  }
  if (!key.startsWith(UPLOADS_PREFIX)) {
    log.warn("record.outside-uploads", {
      bucket,
      key,
      message: `key is outside ${UPLOADS_PREFIX}: ignored (the notification should only fire for uploads)`,
    });
    return undefined;
  }
  let parts: ReturnType<typeof parseUploadKey>;
  try {
    parts = parseUploadKey(key);
  } catch (error) {
    if (!(error instanceof InvalidKeyError)) throw error;
    log.warn("record.refused", { bucket, key, message: error.message });
    return undefined;
  }
  const sequencer = typeof object.sequencer === "string" ? padSequencer(object.sequencer) : undefined;
  const size = object.size;
  if (
    !sequencer ||
    typeof size !== "number" ||
    !Number.isInteger(size) ||
    size < 0 ||
    typeof object.eTag !== "string"
  ) {
    log.error("record.malformed", {
      bucket,
      key,
      message: "record lacks a hex sequencer, an integer size or an eTag; cannot process it idempotently",
    });
    return undefined;
  }
  return {
    bucket,
    key,
    ...parts,
    size,
    eTag: normaliseETag(object.eTag),
    sequencer,
    ...(typeof object.versionId === "string" && object.versionId ? { versionId: object.versionId } : {}),
    eventTime: typeof record.eventTime === "string" ? record.eventTime : new Date().toISOString(),
  };
}
