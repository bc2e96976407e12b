import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  DetectFacesCommand,
  DetectModerationLabelsCommand,
  RekognitionClient,
} from "@aws-sdk/client-rekognition";
import {
  CopyObjectCommand,
  type CopyObjectCommandInput,
  DeleteObjectCommand,
  type DeleteObjectCommandInput,
  GetObjectCommand,
  type GetObjectCommandInput,
  ListObjectsV2Command,
  type ListObjectsV2CommandInput,
  NoSuchKey,
  PutObjectCommand,
  type PutObjectCommandInput,
  PutObjectTaggingCommand,
  type PutObjectTaggingCommandInput,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import {
  DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  PutCommand,
  type PutCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { createClients } from "../src/clients";
import type { ProcessorDeps } from "../src/process-upload";
import {
  captureLogs,
  FakePhotoTable,
  moderation,
  noSleep,
  OWNER,
  oneFace,
  putEvent,
  testConfig,
} from "./helpers";

export const USAGE_TABLE = "photogate-test-usage";

/**
 * The usage table as DynamoDB would apply the processor's two conditional updates (count:
 * ADD with "not counted yet and within the limit"; release: ADD negative, DELETE the id, "only
 * if counted"). The same expressions run against dynalite in test/integration/quota.test.ts.
 */
export class FakeUsageTable {
  readonly items = new Map<string, Record<string, unknown>>();

  private static id(key: Record<string, unknown>): string {
    return `${key.owner}/${key.period}`;
  }

  async get(input: GetCommandInput) {
    const item = this.items.get(FakeUsageTable.id(input.Key!));
    return { Item: item ? structuredClone(item) : undefined, $metadata: {} };
  }

  async put(input: PutCommandInput) {
    this.items.set(FakeUsageTable.id(input.Item!), structuredClone(input.Item!));
    return { $metadata: {} };
  }

  async update(input: UpdateCommandInput) {
    const key = FakeUsageTable.id(input.Key!);
    const item = this.items.get(key) ?? { ...input.Key };
    const v = input.ExpressionAttributeValues!;
    const counted = (item.counted as Set<string> | undefined) ?? new Set<string>();
    const id = v[":id"] as string;
    const release = input.UpdateExpression!.includes("DELETE");
    const ok = release
      ? counted.has(id)
      : !counted.has(id) &&
        (item.uploads === undefined ||
          ((item.uploads as number) <= (v[":maxUploads"] as number) &&
            (item.bytes as number) <= (v[":maxBytes"] as number)));
    if (!ok) {
      throw new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: {} });
    }
    const sign = release ? -1 : 1;
    item.uploads = Number(item.uploads ?? 0) + sign;
    item.bytes = Number(item.bytes ?? 0) + (release ? (v[":minusBytes"] as number) : (v[":bytes"] as number));
    if (release) counted.delete(id);
    else counted.add(id);
    item.counted = counted;
    if (v[":expiresAt"] !== undefined) item.expiresAt = v[":expiresAt"];
    this.items.set(key, item);
    return { $metadata: {} };
  }
}

export interface StoredObject {
  body: Buffer;
  eTag: string;
  contentType?: string;
  cacheControl?: string;
  metadata?: Record<string, string>;
  tags?: Record<string, string>;
}

const noSuchKey = (message = "The specified key does not exist.") =>
  new NoSuchKey({ message, $metadata: { httpStatusCode: 404 } });

/**
 * A small bucket answering as S3 does: GetObject fails 404 NoSuchKey for a missing key and 412
 * when IfMatch no longer holds; what is put can be copied, listed, tagged and deleted.
 */
export class FakeBucket {
  readonly objects = new Map<string, StoredObject>();
  /** Every object put, copied or deleted, in the order it happened: [operation, key]. */
  readonly writes: [string, string][] = [];

  getObject(input: GetObjectCommandInput) {
    const object = this.objects.get(input.Key!);
    if (!object) throw noSuchKey();
    if (input.IfMatch && input.IfMatch !== `"${object.eTag}"`) {
      throw new S3ServiceException({
        name: "PreconditionFailed",
        $fault: "client",
        message: "At least one of the pre-conditions you specified did not hold",
        $metadata: { httpStatusCode: 412 },
      });
    }
    return {
      ETag: `"${object.eTag}"`,
      ContentLength: object.body.length,
      ...(object.metadata ? { Metadata: object.metadata } : {}),
      Body: { transformToByteArray: async () => new Uint8Array(object.body) },
    } as never;
  }

  putObject(input: PutObjectCommandInput) {
    this.writes.push(["put", input.Key!]);
    const body =
      typeof input.Body === "string" ? Buffer.from(input.Body) : Buffer.from(input.Body as Uint8Array);
    this.objects.set(input.Key!, {
      body,
      eTag: "derived",
      ...(input.ContentType ? { contentType: input.ContentType } : {}),
      ...(input.CacheControl ? { cacheControl: input.CacheControl } : {}),
    });
    return { ETag: '"derived"' };
  }

  copyObject(input: CopyObjectCommandInput) {
    const source = this.objects.get(input.CopySource!.slice(`${input.Bucket}/`.length));
    if (!source) throw noSuchKey("no copy source");
    this.writes.push(["copy", input.Key!]);
    this.objects.set(input.Key!, {
      ...source,
      ...(input.ContentType ? { contentType: input.ContentType } : {}),
      ...(input.CacheControl ? { cacheControl: input.CacheControl } : {}),
    });
    return {};
  }

  listObjects(input: ListObjectsV2CommandInput) {
    return {
      Contents: [...this.objects.keys()]
        .filter((k) => k.startsWith(input.Prefix ?? ""))
        .map((Key) => ({ Key })),
      IsTruncated: false,
    };
  }

  deleteObject(input: DeleteObjectCommandInput) {
    this.writes.push(["delete", input.Key!]);
    this.objects.delete(input.Key!);
    return {};
  }

  putObjectTagging(input: PutObjectTaggingCommandInput) {
    const object = this.objects.get(input.Key!);
    if (!object) throw noSuchKey();
    object.tags = Object.fromEntries((input.Tagging?.TagSet ?? []).map((t) => [t.Key!, t.Value!]));
    return {};
  }
}

/**
 * A processor run against mocked AWS: a small bucket (get, put, copy, list, delete, tagging),
 * the photo and usage tables (routed by table name) and Rekognition answering one face.
 */
export function processorHarness() {
  const s3 = mockClient(S3Client);
  const dynamo = mockClient(DynamoDBDocumentClient);
  const rekognition = mockClient(RekognitionClient);
  const photos = new FakePhotoTable();
  const usage = new FakeUsageTable();
  const bucket = new FakeBucket();
  const logs = captureLogs();
  const byTable =
    <I extends { TableName?: string | undefined }, R>(onUsage: (input: I) => R, onPhotos: (input: I) => R) =>
    (input: I) =>
      input.TableName === USAGE_TABLE ? onUsage(input) : onPhotos(input);

  dynamo.on(UpdateCommand).callsFake(
    byTable(
      (i: UpdateCommandInput) => usage.update(i),
      (i) => photos.update(i),
    ),
  );
  dynamo.on(GetCommand).callsFake(
    byTable(
      (i: GetCommandInput) => usage.get(i),
      (i) => photos.get(i),
    ),
  );
  dynamo.on(PutCommand).callsFake((i: PutCommandInput) => usage.put(i));
  s3.on(GetObjectCommand).callsFake((input) => bucket.getObject(input));
  s3.on(PutObjectCommand).callsFake((input) => bucket.putObject(input));
  s3.on(CopyObjectCommand).callsFake((input) => bucket.copyObject(input));
  s3.on(ListObjectsV2Command).callsFake((input) => bucket.listObjects(input));
  s3.on(DeleteObjectCommand).callsFake((input) => bucket.deleteObject(input));
  s3.on(PutObjectTaggingCommand).callsFake((input) => bucket.putObjectTagging(input));
  rekognition
    .on(DetectFacesCommand)
    .resolves(oneFace())
    .on(DetectModerationLabelsCommand)
    .resolves(moderation());

  const deps: ProcessorDeps = {
    ...createClients(),
    config: testConfig(),
    log: logs.log,
    rekognitionRetry: noSleep,
  };
  let sequence = 0;
  return {
    s3,
    dynamo,
    rekognition,
    photos,
    usage,
    bucket,
    logs,
    deps,
    /** Rekognition calls so far (DetectFaces and DetectModerationLabels). */
    rekognitionCalls: () => rekognition.calls().length,
    /** Puts an upload in the bucket and returns its S3 event (each with a newer sequencer). */
    upload(body: Buffer, photoId: string, eTag = `etag-${photoId.slice(0, 8)}`) {
      const key = `uploads/${OWNER}/${photoId}.jpg`;
      bucket.objects.set(key, { body, eTag });
      sequence++;
      return putEvent({ key, size: body.length, eTag, sequencer: `00A${String(sequence).padStart(8, "0")}` });
    },
    restore() {
      s3.restore();
      dynamo.restore();
      rekognition.restore();
    },
  };
}

export type ProcessorHarness = ReturnType<typeof processorHarness>;
