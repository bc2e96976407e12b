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
  tags?: Record<string, string>;
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
  const objects = new Map<string, StoredObject>();
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
  s3.on(GetObjectCommand).callsFake((input: GetObjectCommandInput) => {
    const object = objects.get(input.Key!);
    if (!object) throw new NoSuchKey({ message: "The specified key does not exist.", $metadata: {} });
    return {
      ETag: `"${object.eTag}"`,
      Body: { transformToByteArray: async () => new Uint8Array(object.body) },
    } as never;
  });
  s3.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => {
    const body =
      typeof input.Body === "string" ? Buffer.from(input.Body) : Buffer.from(input.Body as Uint8Array);
    objects.set(input.Key!, { body, eTag: "derived" });
    return { ETag: '"derived"' };
  });
  s3.on(CopyObjectCommand).callsFake((input: CopyObjectCommandInput) => {
    const source = objects.get(input.CopySource!.slice(`${input.Bucket}/`.length));
    if (!source) throw new NoSuchKey({ message: "no copy source", $metadata: {} });
    objects.set(input.Key!, { ...source });
    return {};
  });
  s3.on(ListObjectsV2Command).callsFake((input: ListObjectsV2CommandInput) => ({
    Contents: [...objects.keys()].filter((k) => k.startsWith(input.Prefix ?? "")).map((Key) => ({ Key })),
  }));
  s3.on(DeleteObjectCommand).callsFake((input: DeleteObjectCommandInput) => {
    objects.delete(input.Key!);
    return {};
  });
  s3.on(PutObjectTaggingCommand).callsFake((input: PutObjectTaggingCommandInput) => {
    const object = objects.get(input.Key!);
    if (!object) throw new NoSuchKey({ message: "The specified key does not exist.", $metadata: {} });
    object.tags = Object.fromEntries((input.Tagging?.TagSet ?? []).map((t) => [t.Key!, t.Value!]));
    return {};
  });
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
    objects,
    logs,
    deps,
    /** Rekognition calls so far (DetectFaces and DetectModerationLabels). */
    rekognitionCalls: () => rekognition.calls().length,
    /** Puts an upload in the bucket and returns its S3 event (each with a newer sequencer). */
    upload(body: Buffer, photoId: string, eTag = `etag-${photoId.slice(0, 8)}`) {
      const key = `uploads/${OWNER}/${photoId}.jpg`;
      objects.set(key, { body, eTag });
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
