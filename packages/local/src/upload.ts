import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutObjectCommand, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import {
  FINAL_STATUSES,
  PhotogateError,
  type PhotoRecord,
  PhotoRecord as PhotoRecordSchema,
  type PhotoStatus,
  parseConfig,
  type UploadExtension,
  uploadKey,
} from "@photogate/core";

/** Static credentials or a provider (e.g. identity-pool credentials that refresh). */
export type Credentials = NonNullable<S3ClientConfig["credentials"]>;

/** A refusal from the edge or S3, with the status and the body that explains it. */
export class UploadRefusedError extends PhotogateError {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super("UPLOAD_REFUSED", `Upload refused with ${status}: ${body}`);
  }
}

export class VerdictTimeoutError extends PhotogateError {
  constructor(key: string, seconds: number, lastStatus: PhotoStatus | undefined) {
    super(
      "VERDICT_TIMEOUT",
      `No verdict for ${key} after ${seconds} s (last status: ${lastStatus ?? "no record yet"}). ` +
        "Is the local stack still running? Its log shows the processor's progress.",
    );
  }
}

const CONTENT_TYPES: Record<UploadExtension, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  gif: "image/gif",
  avif: "image/avif",
  heic: "image/heic",
  heif: "image/heif",
};

export function contentTypeFor(extension: UploadExtension): string {
  return CONTENT_TYPES[extension];
}

export interface PhotoUpload {
  owner: string;
  photoId: string;
  extension: UploadExtension;
  body: Uint8Array;
}

/** PUT through the edge (CloudFront locally: the real edge handler) with a user's access token. */
export async function uploadThroughEdge(
  edgeUrl: string,
  accessToken: string,
  photo: PhotoUpload,
): Promise<string> {
  const key = uploadKey(photo.owner, photo.photoId, photo.extension);
  const response = await fetch(`${edgeUrl}/${key}`, {
    method: "PUT",
    headers: {
      authorization: `Bearer ${accessToken}`,
      "content-type": contentTypeFor(photo.extension),
      "content-length": String(photo.body.byteLength),
    },
    body: photo.body,
  });
  if (!response.ok) throw new UploadRefusedError(response.status, await response.text());
  return key;
}

/** PutObject straight to S3 with identity-pool credentials (confined to the owner's prefix by IAM). */
export async function uploadDirect(
  s3: { url: string; region: string; bucket: string },
  credentials: Credentials,
  photo: PhotoUpload,
): Promise<string> {
  const key = uploadKey(photo.owner, photo.photoId, photo.extension);
  const client = localS3Client(s3.url, s3.region, credentials);
  try {
    await client.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: key,
        Body: photo.body,
        ContentType: contentTypeFor(photo.extension),
      }),
    );
    return key;
  } finally {
    client.destroy();
  }
}

/** An S3 client for the local gateway (path-style; checksums only when S3 requires them). */
export function localS3Client(url: string, region: string, credentials: Credentials): S3Client {
  return new S3Client({
    endpoint: url,
    region,
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

export interface WaitOptions {
  dynamodbUrl: string;
  region: string;
  table: string;
  credentials: Credentials;
  timeoutMs?: number;
  /** Called whenever the status changes, for progress output. */
  onStatus?: (status: PhotoStatus) => void;
}

/** Polls the photo record until it is final (approved, rejected) or failed, with backoff. */
export async function waitForVerdict(
  owner: string,
  photoId: string,
  options: WaitOptions,
): Promise<PhotoRecord> {
  const dynamo = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: options.dynamodbUrl,
      region: options.region,
      credentials: options.credentials,
    }),
  );
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let delay = 50;
  let last: PhotoStatus | undefined;
  try {
    while (Date.now() < deadline) {
      const { Item } = await dynamo.send(
        new GetCommand({ TableName: options.table, Key: { owner, photoId } }),
      );
      if (Item) {
        const record = parseConfig(PhotoRecordSchema, Item, `photo record ${owner}/${photoId}`);
        if (record.status !== last) options.onStatus?.(record.status);
        last = record.status;
        if (FINAL_STATUSES.includes(record.status) || record.status === "failed") return record;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 500);
    }
    throw new VerdictTimeoutError(`${owner}/${photoId}`, Math.round(timeoutMs / 1000), last);
  } finally {
    dynamo.destroy();
  }
}
