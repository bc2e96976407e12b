import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { type AdminApiEvent, handleAdminRequest } from "@photogate/admin-api";
import { environments, type PhotoRecord, type PhotoStatus, resourceNames } from "@photogate/core";
import { ensureTables, provisionUserPool, startDynamoServer, startUserPoolEmulator } from "@photogate/local";
// @photogate/local exports no admin-api entry yet; by path, as the edge bench imports its handler.
import { createLocalAdminDeps } from "../../packages/local/src/admin-api/index";
import { type Measurement, printTable, timeMedian } from "./lib/measure";

/**
 * `pnpm bench admin-api`: the admin API's list pages over 10,000 photos and 2,000 users on the
 * local emulators (dynalite, cognito-local), through the real handler (validation, queries,
 * presigned thumbnails, response schema). Baseline: one raw DynamoDB Query page of the same size
 * on the same index in the same run. Target: < 200 ms per page.
 */
const PHOTOS = 10_000;
const USERS = 2_000;
const PAGE = 25;
const API_SEEDED_USERS = 100;
const RUNS = 15;
const TARGET_MS = 200;
const SUPPORT = "11111111-2222-4333-8444-555555555555";
const STATUSES: PhotoStatus[] = ["rejected", "approved", "approved", "failed", "rejected"];

const env = environments.local;
const names = resourceNames(env);
const region = env.region;
const credentials = { accessKeyId: "bench", secretAccessKey: "bench" };

const uuid = (n: number, salt: number) =>
  `${salt.toString(16).padStart(8, "0")}-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

function photo(i: number, owners: string[]): PhotoRecord {
  const owner = owners[i % owners.length]!;
  const photoId = uuid(i, 0xb0);
  const p = `photos/${owner}/${photoId}`;
  return {
    owner,
    photoId,
    uploadKey: `uploads/${owner}/${photoId}.jpg`,
    status: STATUSES[i % STATUSES.length]!,
    reasons: i % 5 === 0 ? [{ code: "NO_FACE", message: "No face found", measured: 0, threshold: 1 }] : [],
    bytes: 200_000,
    thumbnails: [128, 256, 512].map((size) => ({
      key: `${p}/thumb-${size}.webp`,
      size,
      width: size,
      height: size,
      bytes: size * 20,
    })),
    display: { key: `${p}/display.webp`, width: 1200, height: 1600, bytes: 150_000 },
    moderationLabels: [],
    createdAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    attempts: 1,
    sourceETag: "etag",
    sourceSequencer: i.toString(16).toUpperCase().padStart(32, "0"),
  };
}

async function batchWrite(doc: DynamoDBDocumentClient, table: string, items: object[]) {
  const batches: object[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  const parallel = 8;
  for (let i = 0; i < batches.length; i += parallel) {
    await Promise.all(
      batches.slice(i, i + parallel).map(async (batch) => {
        let request: Record<string, object[]> | undefined = {
          [table]: batch.map((Item) => ({ PutRequest: { Item } })),
        };
        while (request && Object.keys(request).length) {
          const result = await doc.send(new BatchWriteCommand({ RequestItems: request as never }));
          request = result.UnprocessedItems as typeof request;
        }
      }),
    );
  }
}

function event(path: string, query: Record<string, string>): AdminApiEvent {
  return {
    version: "2.0",
    routeKey: "ANY /{proxy+}",
    rawPath: path,
    rawQueryString: new URLSearchParams(query).toString(),
    headers: {},
    queryStringParameters: query,
    isBase64Encoded: false,
    requestContext: {
      accountId: "000000000000",
      apiId: "bench",
      authorizer: {
        principalId: "",
        integrationLatency: 0,
        jwt: { claims: { sub: SUPPORT, "cognito:groups": "[support]" }, scopes: [] },
      },
      domainName: "bench",
      domainPrefix: "bench",
      http: { method: "GET", path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "bench" },
      requestId: randomUUID(),
      routeKey: "ANY /{proxy+}",
      stage: "$default",
      time: "",
      timeEpoch: Date.now(),
    },
  };
}

const dataDir = await mkdtemp(join(tmpdir(), "photogate-bench-admin-"));
const dynamo = await startDynamoServer({ dataDir: join(dataDir, "dynamodb"), port: 0, host: "127.0.0.1" });
const raw = new DynamoDBClient({ endpoint: dynamo.url, region, credentials });
const doc = DynamoDBDocumentClient.from(raw);
let emulator = await startUserPoolEmulator({ dataDir: join(dataDir, "cognito"), port: 0, host: "127.0.0.1" });
let idp = new CognitoIdentityProviderClient({ endpoint: emulator.url, region, credentials });
const notes: string[] = [];
try {
  await ensureTables(raw, env);
  const pool = await provisionUserPool(idp, env);

  // Users: the first ones through AdminCreateUser (the honest way, timed), the rest written
  // into cognito-local's store while it is stopped, in the shape it keeps itself.
  let started = performance.now();
  const subs: string[] = [];
  for (let i = 0; i < API_SEEDED_USERS; i++) {
    const created = await idp.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.userPoolId,
        Username: `user-${String(i).padStart(4, "0")}@bench.local`,
        MessageAction: "SUPPRESS",
        UserAttributes: [{ Name: "email", Value: `user-${String(i).padStart(4, "0")}@bench.local` }],
      }),
    );
    subs.push(created.User!.Attributes!.find((a) => a.Name === "sub")!.Value!);
  }
  const apiMsPerUser = (performance.now() - started) / API_SEEDED_USERS;
  idp.destroy();
  await emulator.close();
  started = performance.now();
  const dbFile = join(dataDir, "cognito", ".cognito", "db", `${pool.userPoolId}.json`);
  const db = JSON.parse(await readFile(dbFile, "utf8")) as { Users: Record<string, unknown> };
  const now = new Date().toISOString();
  for (let i = API_SEEDED_USERS; i < USERS; i++) {
    const sub = uuid(i, 0xa0);
    const email = `user-${String(i).padStart(4, "0")}@bench.local`;
    subs.push(sub);
    db.Users[sub] = {
      Username: sub,
      Password: "Bench-password-1",
      Attributes: [
        { Name: "email", Value: email },
        { Name: "email_verified", Value: "true" },
        { Name: "sub", Value: sub },
      ],
      Enabled: true,
      UserStatus: "CONFIRMED",
      UserCreateDate: now,
      UserLastModifiedDate: now,
      RefreshTokens: [],
    };
  }
  await writeFile(dbFile, JSON.stringify(db));
  emulator = await startUserPoolEmulator({ dataDir: join(dataDir, "cognito"), port: 0, host: "127.0.0.1" });
  idp = new CognitoIdentityProviderClient({ endpoint: emulator.url, region, credentials });
  const fileMs = performance.now() - started;
  notes.push(
    `seeding users: AdminCreateUser ${apiMsPerUser.toFixed(1)} ms/user (${((apiMsPerUser * USERS) / 1000).toFixed(0)} s for ${USERS}); ` +
      `writing cognito-local's store + restart ${(fileMs / 1000).toFixed(1)} s for ${USERS - API_SEEDED_USERS}`,
  );

  started = performance.now();
  const owners = subs;
  await batchWrite(
    doc,
    names.photoTable,
    Array.from({ length: PHOTOS }, (_, i) => photo(i, owners)),
  );
  const today = new Date().toISOString().slice(0, 10);
  await batchWrite(
    doc,
    names.auditTable,
    Array.from({ length: 2_000 }, (_, i) => {
      const at = `${today}T00:00:00.000Z`.replace("00:00:00", new Date(i * 1000).toISOString().slice(11, 19));
      const auditId = randomUUID();
      return {
        target: `user/${owners[i % owners.length]}`,
        sortKey: `${at}#${auditId}`,
        auditId,
        day: today,
        at,
        actor: SUPPORT,
        action: "user.disable",
        before: { enabled: true },
        after: { enabled: false },
        requestId: "r",
      };
    }),
  );
  notes.push(
    `seeding ${PHOTOS} photos + 2,000 audit entries (BatchWrite): ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const deps = createLocalAdminDeps({
    region,
    // Presigning never contacts S3; nothing listens on this port.
    urls: { cognitoIdp: emulator.url, dynamodb: dynamo.url, s3: "http://127.0.0.1:9" },
    credentials,
    names: {
      photoTable: names.photoTable,
      auditTable: names.auditTable,
      bucket: names.bucket,
      userPoolId: pool.userPoolId,
    },
    reprocess: async () => {},
    // No dead letters in this bench: an empty file in the bench's own folder.
    deadLetterFile: join(dataDir, "dlq.jsonl"),
    replayDeadLetter: async () => {},
  });
  const page = async (path: string, query: Record<string, string>) => {
    const result = await handleAdminRequest(event(path, query), deps);
    if (result.statusCode !== 200)
      throw new Error(`${path} ${JSON.stringify(query)} → ${result.statusCode} ${result.body}`);
    return JSON.parse(result.body) as { items: unknown[]; nextToken?: string };
  };
  const tokenAt = async (path: string, query: Record<string, string>, pages: number) => {
    let token: string | undefined;
    for (let i = 0; i < pages; i++)
      token = (await page(path, { ...query, ...(token ? { nextToken: token } : {}) })).nextToken;
    return token!;
  };
  const limit = String(PAGE);
  const deepQueue = await tokenAt("/photos", { status: "rejected", limit }, 100);
  const deepUsers = await tokenAt("/users", { limit }, 60);
  const firstUsers = await page("/users", { limit });
  if (firstUsers.items.length !== PAGE) throw new Error(`users page has ${firstUsers.items.length} items`);

  const rows: Measurement[] = [
    {
      label: `raw DynamoDB Query, byStatus, ${PAGE} items`,
      ms: await timeMedian(
        () =>
          doc.send(
            new QueryCommand({
              TableName: names.photoTable,
              IndexName: "byStatus",
              KeyConditionExpression: "#s = :s",
              ExpressionAttributeNames: { "#s": "status" },
              ExpressionAttributeValues: { ":s": "rejected" },
              ScanIndexForward: false,
              Limit: PAGE,
            }),
          ),
        RUNS,
      ),
    },
    {
      label: "GET /photos?status=rejected (first page)",
      ms: await timeMedian(() => page("/photos", { status: "rejected", limit }), RUNS),
    },
    {
      label: "GET /photos?status=rejected (page 101)",
      ms: await timeMedian(() => page("/photos", { status: "rejected", limit, nextToken: deepQueue }), RUNS),
    },
    {
      label: "GET /photos?owner=… (5 photos)",
      ms: await timeMedian(() => page("/photos", { owner: owners[7]!, limit }), RUNS),
    },
    {
      label: "GET /users (first page of 2,000)",
      ms: await timeMedian(() => page("/users", { limit }), RUNS),
    },
    {
      label: "GET /users (page 61)",
      ms: await timeMedian(() => page("/users", { limit, nextToken: deepUsers }), RUNS),
    },
    {
      label: "GET /users?q=user-19 (email prefix)",
      ms: await timeMedian(() => page("/users", { q: "user-19", limit }), RUNS),
    },
    {
      label: "GET /audit (today, 2,000 entries)",
      ms: await timeMedian(() => page("/audit", { limit }), RUNS),
    },
  ];
  const slow = rows.slice(1).filter((r) => r.ms >= TARGET_MS);
  notes.push(
    slow.length === 0
      ? `every page under the ${TARGET_MS} ms target (median of ${RUNS})`
      : `OVER the ${TARGET_MS} ms target: ${slow.map((r) => r.label).join(", ")}`,
  );
  printTable(
    `admin API list pages, ${PAGE} items, ${PHOTOS} photos / ${USERS} users (median of ${RUNS})`,
    rows,
    notes,
  );
  deps.destroy();
  if (slow.length) process.exitCode = 1;
} finally {
  idp.destroy();
  raw.destroy();
  await emulator.close();
  await dynamo.close();
  await rm(dataDir, { recursive: true, force: true });
}
