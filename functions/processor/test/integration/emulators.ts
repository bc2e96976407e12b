import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import {
  DetectFacesCommand,
  DetectModerationLabelsCommand,
  type RekognitionClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from "@aws-sdk/client-rekognition";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from "@aws-sdk/client-s3";
import { createTableInput, photoTable } from "@photogate/core";
import { startDynamoServer, startS3Server } from "@photogate/local-emulators";
import type { AwsStub } from "aws-sdk-client-mock";
import { createClients, type ProcessorClients } from "../../src/clients";
import type { ProcessorDeps } from "../../src/process-upload";
import { captureLogs, moderation, noSleep, oneFace, testConfig } from "../helpers";

export interface Backend {
  clients: ProcessorClients;
  bucket: string;
  table: string;
  stop(): Promise<void>;
}

const credentials = { accessKeyId: "PHOTOGATEIT", secretAccessKey: "photogate-integration-secret" };

/**
 * S3 and DynamoDB for the integration tests: when AWS_ENDPOINT_URL is set (LocalStack, or a
 * real account through a proxy) the tests use it with the ambient credentials; otherwise they
 * start photogate's S3 and DynamoDB emulators in this process, on free ports, and stop them
 * afterwards.
 */
export async function startBackend(): Promise<Backend> {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1";
  const suffix = randomUUID().slice(0, 8);
  const bucket = `photogate-it-${suffix}`;
  const table = `photogate-it-${suffix}-photos`;

  let stopEmulators = async () => {};
  let clients: ProcessorClients;
  let dynamoConfig: DynamoDBClientConfig = { region };
  if (endpoint) {
    clients = createClients({
      forcePathStyle: true,
      s3: { region },
      dynamo: dynamoConfig,
      rekognition: { region },
    });
  } else {
    const directory = await mkdtemp(join(tmpdir(), "photogate-it-"));
    const s3Server = await startS3Server({
      dataDir: join(directory, "s3"),
      buckets: [],
      accessKeys: [credentials],
      region,
    });
    const dynamoServer = await startDynamoServer({});
    dynamoConfig = { region, endpoint: dynamoServer.url, credentials };
    clients = createClients({
      forcePathStyle: true,
      s3: { region, endpoint: s3Server.url, credentials },
      dynamo: dynamoConfig,
      rekognition: { region, credentials },
    });
    stopEmulators = async () => {
      await s3Server.close();
      await dynamoServer.close();
      await rm(directory, { recursive: true, force: true });
    };
  }

  await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const dynamo = new DynamoDBClient(dynamoConfig);
  await dynamo.send(new CreateTableCommand(createTableInput(photoTable, table)));
  await waitUntilTableExists({ client: dynamo, maxWaitTime: 60, minDelay: 1 }, { TableName: table });

  return {
    clients,
    bucket,
    table,
    async stop() {
      await emptyBucket(clients.s3, bucket).catch(() => {});
      await clients.s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => {});
      await dynamo.send(new DeleteTableCommand({ TableName: table })).catch(() => {});
      clients.s3.destroy();
      clients.dynamo.destroy();
      dynamo.destroy();
      await stopEmulators();
    },
  };
}

async function emptyBucket(s3: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    if (keys.length === 0) return;
    // One by one: DeleteObjects needs a Content-MD5 that not every emulator accepts.
    for (const key of keys) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }
}

/**
 * The processor's dependencies on this backend, with Rekognition's answers reset to one
 * approvable face (nothing emulates Rekognition here: the captured real-shaped responses).
 */
export function integrationDeps(
  backend: Backend,
  rekognition: AwsStub<ServiceInputTypes, ServiceOutputTypes, RekognitionClientResolvedConfig>,
): ProcessorDeps {
  rekognition.reset();
  rekognition
    .on(DetectFacesCommand)
    .resolves(oneFace())
    .on(DetectModerationLabelsCommand)
    .resolves(moderation());
  return {
    ...backend.clients,
    config: { ...testConfig(), photoTable: backend.table },
    log: captureLogs().log,
    rekognitionRetry: noSleep,
  };
}
