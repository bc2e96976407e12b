import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import type { RekognitionClient } from "@aws-sdk/client-rekognition";
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Logger, OperationsConfig } from "@photogate/core";
import {
  ConfigError,
  type DerivedImage,
  displayKey,
  type Failure,
  FINAL_STATUSES,
  leaseState,
  type PhotoRecord,
  PROFILE_PICTURE_INTENT,
  type ProfilePictureOutcome,
  parseUploadKey,
  profilePictureValue,
  type Reason,
  type ReprocessRequest,
  thumbnailKey,
  type UploadIntent,
  type VerdictDocument,
} from "@photogate/core";
import { publishVerdict } from "@photogate/publishing";
import {
  clearPictureOfPhoto,
  decideProfilePicture,
  setPictureAttribute,
  uploadIntentOf,
} from "@photogate/publishing/profile-picture";
import { DEFAULT_LEASE_SECONDS, DEFAULT_MAX_ATTEMPTS, type ProcessorConfig } from "./config";
import {
  DerivedWriteError,
  ImageRejectedError,
  ReprocessRefusedError,
  toFailure,
  UploadNotFoundError,
  UploadReadError,
  UploadReplacedError,
} from "./errors";
import { analyseFaces, type RekognitionRetry } from "./faces";
import { type DerivedImages, deriveImages, inspectImage, type SourceImage } from "./image";
import { noMetrics, type ProcessorMetrics } from "./metrics";
import { originalExpiry, tagUploadOutcome } from "./outcome-tag";
import {
  type ClaimSource,
  claimRecord,
  completeRecord,
  type FinalVerdict,
  failRecord,
  readRecord,
} from "./records";
import { normaliseETag, parseS3Event, type UploadEvent } from "./s3-event";
import { countUpload } from "./usage";
import { judgeFaces } from "./validate";

export interface ProcessorDeps {
  s3: S3Client;
  dynamo: DynamoDBDocumentClient;
  rekognition: RekognitionClient;
  /** Sets `picture` for approved profile-picture uploads; without it they say NOT_CONFIGURED. */
  cognito?: CognitoIdentityProviderClient;
  config: ProcessorConfig;
  log: Logger;
  now?: () => Date;
  /** Tests pass a sleep that does not wait. */
  rekognitionRetry?: RekognitionRetry;
  /** Catalogue metrics (EMF); the handler flushes them once per invocation. */
  metrics?: ProcessorMetrics;
  /** Quota and storage lifecycle; without them no quota is counted and no expiry recorded. */
  operations?: Omit<OperationsConfig, "environment">;
}

export type UploadOutcome =
  | { outcome: "approved" | "rejected"; record: PhotoRecord; verdict: VerdictDocument }
  | { outcome: "skipped"; why: string }
  | { outcome: "superseded" }
  | { outcome: "failed"; failure: Failure; verdict?: VerdictDocument };

/**
 * Processes every upload in one S3 notification. Each record is tried even if an earlier one
 * fails; then the first failure is rethrown so Lambda retries the event (finished records are
 * skipped on the retry) and finally sends it to the dead-letter queue.
 */
export async function processS3Event(event: unknown, deps: ProcessorDeps): Promise<UploadOutcome[]> {
  const outcomes: UploadOutcome[] = [];
  const errors: unknown[] = [];
  for (const upload of parseS3Event(event, deps.log)) {
    try {
      outcomes.push(await processUpload(upload, deps));
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} uploads in this event failed`);
  return outcomes;
}

export async function processUpload(
  upload: UploadEvent,
  deps: ProcessorDeps,
  options: { force?: boolean; claimedBy?: ClaimSource } = {},
): Promise<UploadOutcome> {
  const clock = deps.now ?? (() => new Date());
  const now = () => clock().toISOString();
  const table = deps.config.photoTable;
  const log = deps.log.child({ owner: upload.owner, photoId: upload.photoId, sequencer: upload.sequencer });
  const metrics = deps.metrics ?? noMetrics;
  const publishDeps = { s3: deps.s3, bucket: upload.bucket, log };

  const claim = await claimRecord(deps.dynamo, table, upload, clock(), {
    claimedBy: options.claimedBy ?? (options.force ? "reprocess" : "s3-event"),
    leaseSeconds: deps.config.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
    ...(options.force ? { force: true } : {}),
  });
  if (!claim.claimed) {
    log.info("upload.skipped", {
      why: claim.why,
      stored: claim.stored,
      ...(claim.lease ? { lease: claim.lease } : {}),
      message:
        claim.why === "duplicate"
          ? "this event was already processed"
          : claim.why === "superseded"
            ? "a newer upload to this key owns the record"
            : claim.why === "leased"
              ? "another run holds this upload; after its lease ends a redelivery or the reconciler takes over"
              : "the record changed while claiming it",
    });
    // A crash between the final record write and status.json would leave the verdict unpublished
    // forever (the retry is a duplicate). Re-publishing from the stored record is idempotent: same
    // version, same document, so a duplicate neither adds nor lowers a version.
    if (claim.why === "duplicate" && claim.record && FINAL_STATUSES.includes(claim.record.status)) {
      await publishVerdict(publishDeps, claim.record);
    }
    if (options.force) {
      throw new ReprocessRefusedError(upload.owner, upload.photoId, "IN_PROGRESS", claim.lease?.secondsLeft);
    }
    return { outcome: "skipped", why: claim.why };
  }
  log.info("upload.claimed", {
    attempts: claim.attempts,
    bytes: upload.size,
    claimedBy: claim.claim.claimedBy,
    leaseExpiresAt: claim.claim.leaseExpiresAt,
  });

  let record: Awaited<ReturnType<typeof completeRecord>>;
  try {
    const overQuota = await checkQuota(upload, deps, clock(), log);
    const { verdict, intent, uploadedAt } = overQuota
      ? { verdict: rejected(overQuota), intent: undefined, uploadedAt: undefined }
      : await judgeUpload(upload, deps);
    const expiresAt = originalExpiry(
      verdict.status,
      uploadedAt ?? upload.eventTime,
      deps.operations?.storageLifecycle,
    );
    // A reprocess re-judges an old upload: its intent was acted on when it arrived, and setting
    // `picture` again would undo a choice the user made since.
    const profilePicture =
      intent === PROFILE_PICTURE_INTENT && !options.force
        ? await makeProfilePicture(upload, verdict, deps, log)
        : undefined;
    // A photo can be the profile picture only while approved: when a new upload to its key or a
    // reprocess turns it rejected, `picture` must not keep naming it.
    if (verdict.status === "rejected" && claim.previousStatus === "approved") {
      await clearReplacedPicture(upload, deps, log);
    }
    record = await completeRecord(
      deps.dynamo,
      table,
      upload,
      claim.claim,
      {
        ...verdict,
        ...(profilePicture ? { profilePicture } : {}),
        ...(expiresAt ? { originalExpiresAt: expiresAt } : {}),
      },
      now(),
    );
  } catch (error) {
    const failure = toFailure(error);
    // Nothing to retry when the upload is gone or replaced: record it and finish.
    const gone = error instanceof UploadNotFoundError || error instanceof UploadReplacedError;
    // Only a final failure is tagged, so only it gets an expiry; a retry may still succeed.
    const lastAttempt = gone || claim.attempts >= (deps.config.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    const expiresAt = lastAttempt
      ? originalExpiry("failed", upload.eventTime, deps.operations?.storageLifecycle)
      : undefined;
    const failed = await failRecord(deps.dynamo, table, upload, claim.claim, failure, now(), expiresAt).catch(
      (writeError: unknown) => {
        log.error("record.fail-write-failed", { error: writeError, failure });
        return undefined;
      },
    );
    let verdict: VerdictDocument | undefined;
    if (failed) {
      const final = gone || failed.attempts >= (deps.config.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
      verdict = await publishVerdict(publishDeps, failed, { final }).catch((publishError: unknown) => {
        log.error("verdict.publish-failed", { error: publishError, failure });
        return undefined;
      });
      if (verdict) metrics.add("verdicts", { status: "failed" });
      if (verdict && final) await tagUploadOutcome(deps.s3, upload, "failed", log);
    }
    if (gone) {
      log.warn("upload.gone", { failure });
      return { outcome: "failed", failure, ...(verdict ? { verdict } : {}) };
    }
    log.error("upload.failed", { failure, error });
    throw error;
  }
  if (!record) {
    log.info("upload.superseded", {
      message:
        "a newer upload, support or a takeover after this run's lease ended changed the record meanwhile",
    });
    return { outcome: "superseded" };
  }
  // Last: every image the document names exists by now. A failure here is thrown so the event
  // is retried; the retry is a duplicate of a final record and re-publishes it.
  const published = await metrics.time("publish", () => publishVerdict(publishDeps, record));
  metrics.add("verdicts", { status: record.status });
  await tagUploadOutcome(deps.s3, upload, record.status as "approved" | "rejected", log);
  if (record.status === "rejected") {
    for (const reason of record.reasons) metrics.add("rejectionReasons", { reason: reason.code });
  }
  log.info("upload.processed", {
    status: record.status,
    reasons: record.reasons.map((r) => r.code),
    version: published.version,
  });
  return { outcome: record.status as "approved" | "rejected", record, verdict: published };
}

/**
 * Runs processing again on a photo's current upload, although it already has a verdict (new
 * thresholds, a support request). Claims the record for the same upload with `force`, so a
 * newer upload still wins, and the new verdict gets the next version. Refuses a photo with no
 * record, or one that a run is processing now.
 */
export async function reprocessPhoto(
  deps: ProcessorDeps,
  owner: string,
  photoId: string,
): Promise<UploadOutcome> {
  const bucket = deps.config.bucket;
  if (!bucket) throw new ConfigError("Reprocessing needs the bucket name (PHOTOGATE_BUCKET)");
  const stored = await readRecord(deps.dynamo, deps.config.photoTable, owner, photoId);
  if (!stored) throw new ReprocessRefusedError(owner, photoId, "NO_RECORD");
  const lease = leaseState(stored, (deps.now ?? (() => new Date()))());
  if (lease.held) throw new ReprocessRefusedError(owner, photoId, "IN_PROGRESS", lease.secondsLeft);
  const parts = parseUploadKey(stored.uploadKey);
  const upload: UploadEvent = {
    bucket,
    key: stored.uploadKey,
    ...parts,
    size: stored.bytes,
    eTag: stored.sourceETag,
    sequencer: stored.sourceSequencer,
    eventTime: (deps.now ?? (() => new Date()))().toISOString(),
  };
  deps.log.info("reprocess.requested", { owner, photoId, previous: stored.status });
  return processUpload(upload, deps, { force: true });
}

/** The direct-invoke entry (admin API, asynchronous): a validated reprocess request. */
export async function handleReprocessRequest(
  request: ReprocessRequest,
  deps: ProcessorDeps,
): Promise<UploadOutcome> {
  return reprocessPhoto(deps, request.owner, request.photoId);
}

/**
 * A profile-picture upload: approved → `picture` is set now, before the record is final, so the
 * verdict says what happened; rejected → `picture` is left alone and the verdict says why.
 * `picture` names the shared/ display image, which only ever holds approved content.
 */
async function makeProfilePicture(
  upload: UploadEvent,
  verdict: FinalVerdict,
  deps: ProcessorDeps,
  log: Logger,
): Promise<ProfilePictureOutcome> {
  const decision = decideProfilePicture(verdict);
  if (decision.action === "keep") return decision.outcome;
  const { userPoolId, pictureBaseUrl } = deps.config;
  if (!deps.cognito || !userPoolId) {
    log.warn("profile-picture.not-configured", { message: "no user pool configured: picture not set" });
    return {
      requested: true,
      set: false,
      code: "NOT_CONFIGURED",
      message: "This deployment has no user pool to set the profile picture in",
    };
  }
  const picture = profilePictureValue(pictureBaseUrl, upload.owner, upload.photoId);
  const set = await setPictureAttribute({ cognito: deps.cognito, userPoolId }, upload.owner, picture);
  log.info(set ? "profile-picture.set" : "profile-picture.user-gone", { picture });
  return set
    ? { requested: true, set: true, picture }
    : { requested: true, set: false, code: "USER_NOT_FOUND", message: "The user no longer exists" };
}

/** Clears `picture` when it names this photo, which is no longer approved. */
async function clearReplacedPicture(upload: UploadEvent, deps: ProcessorDeps, log: Logger): Promise<void> {
  const { userPoolId } = deps.config;
  if (!deps.cognito || !userPoolId) return;
  const cleared = await clearPictureOfPhoto(
    { cognito: deps.cognito, userPoolId },
    upload.owner,
    upload.photoId,
  );
  if (cleared) log.info("profile-picture.cleared", { picture: cleared, why: "the photo is now rejected" });
}

/**
 * Counts the upload against its owner's quota (usage.ts) before anything costs money: the
 * reason it is refused for, or undefined when it may go on (or no quota is configured).
 */
async function checkQuota(
  upload: UploadEvent,
  deps: ProcessorDeps,
  at: Date,
  log: Logger,
): Promise<Reason | undefined> {
  const quota = deps.operations?.quota;
  if (!quota) return undefined;
  const decision = await countUpload(deps.dynamo, quota, upload, at);
  if (decision.allowed) {
    if (!decision.counted) log.info("quota.already-counted", { eTag: upload.eTag });
    return undefined;
  }
  (deps.metrics ?? noMetrics).add("quotaRefusals", {});
  log.info("quota.exceeded", { reason: decision.reason });
  return decision.reason;
}

async function judgeUpload(
  upload: UploadEvent,
  deps: ProcessorDeps,
): Promise<{ verdict: FinalVerdict; intent: UploadIntent | undefined; uploadedAt?: string }> {
  const p = deps.config.processing;
  if (upload.size > p.maxUploadBytes) {
    return {
      intent: await headIntent(deps, upload),
      verdict: rejected({
        code: "TOO_LARGE",
        message: `The file is ${upload.size} bytes; at most ${p.maxUploadBytes} are accepted`,
        measured: upload.size,
        threshold: p.maxUploadBytes,
      }),
    };
  }
  const {
    data: input,
    metadata,
    lastModified,
  } = await (deps.metrics ?? noMetrics).time("read", () => readUpload(deps.s3, upload));
  return {
    verdict: await judgeImage(input, upload, deps),
    intent: uploadIntentOf(metadata, deps.log),
    // S3's lifecycle counts from the object's creation: its Last-Modified, not the event's time.
    ...(lastModified ? { uploadedAt: lastModified.toISOString() } : {}),
  };
}

/** The intent of an upload too large to read; none when the object is gone. */
async function headIntent(deps: ProcessorDeps, upload: UploadEvent): Promise<UploadIntent | undefined> {
  try {
    const head = await deps.s3.send(new HeadObjectCommand({ Bucket: upload.bucket, Key: upload.key }));
    return uploadIntentOf(head?.Metadata, deps.log);
  } catch {
    return undefined;
  }
}

async function judgeImage(input: Buffer, upload: UploadEvent, deps: ProcessorDeps): Promise<FinalVerdict> {
  const metrics = deps.metrics ?? noMetrics;
  const decoded = await metrics.time("derive", () => decodeAndDerive(input, deps.config.processing));
  if ("verdict" in decoded) return decoded.verdict;
  const { source, derived } = decoded;
  const p = deps.config.processing;
  const described = { width: source.width, height: source.height, format: source.format };

  const [stored, analysis] = await settleAll([
    writeDerived(deps.s3, upload, derived),
    derived.rekognition
      ? metrics.time("rekognition", () =>
          analyseFaces(deps.rekognition, derived.rekognition!.data, deps.rekognitionRetry, {
            retried: () => metrics.add("rekognitionRetries", {}),
            throttled: () => metrics.add("rekognitionThrottles", {}),
          }),
        )
      : Promise.resolve(undefined),
  ]);
  const images = { ...described, thumbnails: stored.thumbnails, display: stored.display };
  if (!analysis) {
    const reason = derived.tooSmall ?? { code: "TOO_SMALL", message: "The image is too small to check" };
    return { ...rejected(reason), ...images };
  }
  const faces = judgeFaces(analysis, p.validation);
  return {
    status: faces.reasons.length === 0 ? "approved" : "rejected",
    reasons: faces.reasons,
    moderationLabels: faces.moderationLabels,
    ...(faces.face ? { face: faces.face } : {}),
    ...images,
  };
}

/** Decodes once and derives every size; a content problem is a rejection, not an error. */
async function decodeAndDerive(
  input: Buffer,
  p: ProcessorConfig["processing"],
): Promise<{ source: SourceImage; derived: DerivedImages } | { verdict: FinalVerdict }> {
  let source: SourceImage;
  try {
    source = await inspectImage(input, p);
  } catch (error) {
    if (error instanceof ImageRejectedError) return { verdict: rejected(error.reason) };
    throw error;
  }
  try {
    return { source, derived: await deriveImages(input, source, p) };
  } catch (error) {
    if (error instanceof ImageRejectedError) {
      const described = { width: source.width, height: source.height, format: source.format };
      return { verdict: { ...rejected(error.reason), ...described } };
    }
    throw error;
  }
}

function rejected(reason: Reason): FinalVerdict {
  return { status: "rejected", reasons: [reason], thumbnails: [], moderationLabels: [] };
}

/** Like Promise.all, but waits for every branch so no write is still running when we record the outcome. */
async function settleAll<T extends readonly unknown[]>(
  promises: { [K in keyof T]: Promise<T[K]> },
): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/**
 * Reads the upload once. IfMatch pins the read to the object the event describes; the ETag is
 * compared again because not every S3-compatible server honours IfMatch.
 */
async function readUpload(
  s3: S3Client,
  upload: UploadEvent,
): Promise<{ data: Buffer; metadata: Record<string, string> | undefined; lastModified?: Date }> {
  let body: Uint8Array;
  let metadata: Record<string, string> | undefined;
  let lastModified: Date | undefined;
  let eTag: string | undefined;
  try {
    const response = await s3.send(
      new GetObjectCommand({
        Bucket: upload.bucket,
        Key: upload.key,
        IfMatch: `"${upload.eTag}"`,
        ...(upload.versionId ? { VersionId: upload.versionId } : {}),
      }),
    );
    eTag = response.ETag ? normaliseETag(response.ETag) : undefined;
    if (eTag !== undefined && eTag !== upload.eTag) {
      await response.Body?.transformToByteArray().catch(() => undefined);
      throw new UploadReplacedError(upload.key, upload.eTag, eTag);
    }
    if (!response.Body) throw new UploadReadError(upload.key, { cause: new Error("response has no body") });
    body = await response.Body.transformToByteArray();
    metadata = response.Metadata;
    lastModified = response.LastModified;
  } catch (error) {
    if (error instanceof UploadReplacedError || error instanceof UploadReadError) throw error;
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === "NoSuchKey" || e.name === "NotFound")
      throw new UploadNotFoundError(upload.key, { cause: error });
    if (e.name === "PreconditionFailed" || e.$metadata?.httpStatusCode === 412) {
      throw new UploadReplacedError(upload.key, upload.eTag, undefined);
    }
    // S3 answers 403, not 404, for a missing key to a caller without an unconditioned
    // s3:ListBucket (the processor may list only uploads/): a listing of the key tells them apart.
    if (e.$metadata?.httpStatusCode === 403 && !(await uploadIsListed(s3, upload))) {
      throw new UploadNotFoundError(upload.key, { cause: error });
    }
    throw new UploadReadError(upload.key, { cause: error });
  }
  return {
    data: Buffer.from(body.buffer, body.byteOffset, body.byteLength),
    metadata,
    ...(lastModified ? { lastModified } : {}),
  };
}

/** Whether the upload's key exists, by listing it (true when the listing itself fails: not proof of absence). */
async function uploadIsListed(s3: S3Client, upload: UploadEvent): Promise<boolean> {
  try {
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: upload.bucket, Prefix: upload.key, MaxKeys: 1 }),
    );
    return (listed.Contents ?? []).some((o) => o.Key === upload.key);
  } catch {
    return true;
  }
}

/** Writes display.webp and the thumbnails under photos/{owner}/{photoId}/ (fixed keys: a rerun overwrites). */
async function writeDerived(
  s3: S3Client,
  upload: UploadEvent,
  derived: DerivedImages,
): Promise<{ display: DerivedImage; thumbnails: (DerivedImage & { size: number })[] }> {
  const put = async (key: string, data: Buffer) => {
    try {
      await s3.send(
        new PutObjectCommand({ Bucket: upload.bucket, Key: key, Body: data, ContentType: "image/webp" }),
      );
    } catch (error) {
      throw new DerivedWriteError(key, { cause: error });
    }
  };
  const displayImage = {
    key: displayKey(upload.owner, upload.photoId),
    width: derived.display.width,
    height: derived.display.height,
    bytes: derived.display.data.length,
  };
  const thumbnails = derived.thumbnails.map((t) => ({
    key: thumbnailKey(upload.owner, upload.photoId, t.size),
    size: t.size,
    width: t.width,
    height: t.height,
    bytes: t.data.length,
  }));
  await settleAll([
    put(displayImage.key, derived.display.data),
    ...derived.thumbnails.map((t, i) => put(thumbnails[i]!.key, t.data)),
  ]);
  return { display: displayImage, thumbnails };
}
