import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import {
  type AdminApiEvent,
  forgetDirectory,
  forgetEmails,
  handleAdminRequest,
  syncDirectory,
} from "@photogate/admin-api";
import { createLocalAdminDeps } from "@photogate/admin-api/local";
import {
  embeddedEnvironment,
  type PhotoRecord,
  type PhotoStatus,
  REVIEW_QUEUE_OPEN,
  resourceNames,
} from "@photogate/core";
import {
  ensureTables,
  provisionUserPool,
  startDynamoServer,
  startUserPoolEmulator,
} from "@photogate/local-emulators";
import { type Measurement, printTable, timeMedian } from "./lib/measure";

/**
 * `pnpm bench admin-api`: the admin API's list pages over 10,000 photos, 10,000 more in the
 * review queue, 2,000 users and 100,000 audit entries on the local emulators (dynalite,
 * cognito-local), through the real handler (validation, queries, presigned thumbnails, e-mails,
 * response schema). Baselines: the raw query each page needs (a DynamoDB Query page of the same
 * size on the same index; for the users contains-search, the Query of the user directory's
 * partition it makes), in the same run. Target: < 200 ms per page.
 */
const PHOTOS = 10_000;
const QUEUED = 10_000;
const AUDIT_ENTRIES = 100_000;
/** Audit entries per UTC day (today is the newest of AUDIT_ENTRIES / AUDIT_PER_DAY days). */
const AUDIT_PER_DAY = 2_000;
/** Audit actors: pool users with e-mails, so the log can be filtered by e-mail. */
const ACTORS = 10;
const USERS = 2_000;
const PAGE = 25;
const API_SEEDED_USERS = 100;
const RUNS = 15;
/** Runs of the cold cases (caches forgotten first): each walks the whole user pool. */
const COLD_RUNS = 3;
const TARGET_MS = 200;
const CONTAINS_COLD = `users contains-search over ${USERS.toLocaleString("en")} users, cold`;
const SUPPORT = "11111111-2222-4333-8444-555555555555";
const STATUSES: PhotoStatus[] = ["rejected", "approved", "approved", "failed", "rejected"];

const env = embeddedEnvironment;
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
  // The review queue: rejected photos waiting for a person, oldest first on the sparse byReview index.
  await batchWrite(
    doc,
    names.photoTable,
    Array.from({ length: QUEUED }, (_, i) => ({
      ...photo(i, owners),
      photoId: uuid(i, 0xc0),
      status: "rejected",
      reasons: [{ code: "NO_FACE", message: "No face found", measured: 0, threshold: 1 }],
      reviewQueue: REVIEW_QUEUE_OPEN,
    })),
  );
  const todayMs = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`);
  const actors = owners.slice(0, ACTORS);
  const actions = ["user.disable", "user.enable", "photo.approve", "photo.reject"] as const;
  await batchWrite(
    doc,
    names.auditTable,
    Array.from({ length: AUDIT_ENTRIES }, (_, i) => {
      // AUDIT_PER_DAY a day, a second apart, today first and then back day by day.
      const at = new Date(todayMs - Math.floor(i / AUDIT_PER_DAY) * 86_400_000 + (i % AUDIT_PER_DAY) * 1000);
      const iso = at.toISOString();
      const auditId = randomUUID();
      return {
        target: `user/${owners[i % owners.length]}`,
        sortKey: `${iso}#${auditId}`,
        auditId,
        day: iso.slice(0, 10),
        at: iso,
        actor: actors[i % ACTORS]!,
        action: actions[i % actions.length]!,
        before: { enabled: true },
        after: { enabled: false },
        requestId: "r",
      };
    }),
  );
  notes.push(
    `seeding ${PHOTOS + QUEUED} photos + ${AUDIT_ENTRIES} audit entries (BatchWrite): ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  /** The admin API's deps, as a new instance makes them at cold start (new clients, no connections). */
  const newInstance = () =>
    createLocalAdminDeps({
      region,
      // Presigning never contacts S3; nothing listens on this port.
      urls: { cognitoIdp: emulator.url, dynamodb: dynamo.url, s3: "http://127.0.0.1:9" },
      credentials,
      names,
      userPoolId: pool.userPoolId,
      reprocess: async () => {},
      // This bench redrives no dead letters.
      deadLetterSource: () => {
        throw new Error("the admin-api bench redrives no dead letters");
      },
      replayDeadLetter: async () => {},
    });
  const deps = newInstance();
  started = performance.now();
  const synced = await syncDirectory(deps);
  if (synced.added !== USERS) throw new Error(`the directory sync added ${synced.added} users`);
  const syncMs = performance.now() - started;
  started = performance.now();
  const resynced = await syncDirectory(deps);
  if (resynced.added + resynced.updated + resynced.removed !== 0) throw new Error("a second sync wrote");
  notes.push(
    `user directory re-sync from ListUsers: ${(syncMs / 1000).toFixed(1)} s filling ${USERS} entries, ` +
      `${(performance.now() - started).toFixed(0)} ms when nothing changed (no writes)`,
  );
  const page = async (path: string, query: Record<string, string>, on = deps) => {
    const result = await handleAdminRequest(event(path, query), on);
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
  // The support desk's pages, each against the raw query it needs.
  const actorEmail = "user-0003@bench.local";
  const actorSub = actors[3]!;
  const listAllUsers = async () => {
    let token: string | undefined;
    let count = 0;
    do {
      // The API's own client: on cognito-local its shim pages by offset, as Cognito pages by token.
      const result = await deps.cognito.send(
        new ListUsersCommand({
          UserPoolId: pool.userPoolId,
          Limit: 60,
          ...(token ? { PaginationToken: token } : {}),
        }),
      );
      count += result.Users?.length ?? 0;
      token = result.PaginationToken;
    } while (token);
    if (count !== USERS) throw new Error(`ListUsers found ${count} users`);
  };
  const contains = { q: "r-19", limit };
  const found = await page("/users", contains);
  // "r-19" is inside user-0190…user-1999's e-mails only: 110 users, the first page full.
  if (found.items.length !== PAGE) throw new Error(`contains-search found ${found.items.length} on page 1`);
  const byEmail = await page("/audit", { actor: actorEmail, limit });
  if (byEmail.items.length !== PAGE) throw new Error(`audit by e-mail found ${byEmail.items.length}`);
  const queuePage = await page("/photos", { queue: "review", limit });
  if (queuePage.items.length !== PAGE) throw new Error(`queue page has ${queuePage.items.length} items`);
  const listUsers: Measurement = {
    label: `raw ListUsers walk, 60 a call (${USERS} users)`,
    ms: await timeMedian(listAllUsers, COLD_RUNS, 0),
  };
  // What the contains-search needs from DynamoDB: the directory partition, filtered on the
  // lower-cased search text, every page (one for 2,000 users).
  const directoryQuery: Measurement = {
    label: `raw Query, user directory, contains(search) (${USERS} users)`,
    ms: await timeMedian(async () => {
      let start: Record<string, unknown> | undefined;
      do {
        const result = await doc.send(
          new QueryCommand({
            TableName: names.userTable,
            KeyConditionExpression: "#pool = :pool",
            FilterExpression: "contains(#search, :q)",
            ExpressionAttributeNames: { "#pool": "pool", "#search": "search" },
            ExpressionAttributeValues: { ":pool": pool.userPoolId, ":q": contains.q },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        start = result.LastEvaluatedKey;
      } while (start);
    }, RUNS),
  };
  const actorQuery: Measurement = {
    label: `raw Query, byActor, ${PAGE} of ${AUDIT_ENTRIES / ACTORS} entries`,
    ms: await timeMedian(
      () =>
        doc.send(
          new QueryCommand({
            TableName: names.auditTable,
            IndexName: "byActor",
            KeyConditionExpression: "#a = :a",
            ExpressionAttributeNames: { "#a": "actor" },
            ExpressionAttributeValues: { ":a": actorSub },
            ScanIndexForward: false,
            Limit: PAGE,
          }),
        ),
      RUNS,
    ),
  };
  const deskPairs: [Measurement, Measurement][] = [
    [
      {
        label: `raw Query, byReview, oldest first, ${PAGE} items`,
        ms: await timeMedian(
          () =>
            doc.send(
              new QueryCommand({
                TableName: names.photoTable,
                IndexName: "byReview",
                KeyConditionExpression: "#q = :q",
                ExpressionAttributeNames: { "#q": "reviewQueue" },
                ExpressionAttributeValues: { ":q": REVIEW_QUEUE_OPEN },
                ScanIndexForward: true,
                Limit: PAGE,
              }),
            ),
          RUNS,
        ),
      },
      {
        label: `GET /photos?queue=review (${QUEUED} waiting)`,
        ms: await timeMedian(() => page("/photos", { queue: "review", limit }), RUNS),
      },
    ],
    [
      directoryQuery,
      {
        label: CONTAINS_COLD,
        ms: await timeMedian(
          async () => {
            // A new instance: new SDK clients (no open connections), nothing remembered.
            forgetDirectory();
            forgetEmails();
            const cold = newInstance();
            try {
              return await page("/users", contains, cold);
            } finally {
              cold.destroy();
            }
          },
          RUNS,
          0,
        ),
      },
    ],
    [
      directoryQuery,
      {
        label: `users contains-search over ${USERS.toLocaleString("en")} users, warm instance`,
        ms: await timeMedian(() => page("/users", contains), RUNS),
      },
    ],
    [
      actorQuery,
      {
        label: `GET /audit?actor=<e-mail> (${AUDIT_ENTRIES} entries), cold`,
        ms: await timeMedian(
          () => {
            forgetEmails();
            return page("/audit", { actor: actorEmail, limit });
          },
          COLD_RUNS,
          0,
        ),
      },
    ],
    [
      actorQuery,
      {
        label: `GET /audit?actor=<e-mail> (${AUDIT_ENTRIES} entries), e-mails cached`,
        ms: await timeMedian(() => page("/audit", { actor: actorEmail, limit }), RUNS),
      },
    ],
  ];
  const containsCold = deskPairs.find(([, api]) => api.label === CONTAINS_COLD)![1];
  notes.push(
    `${CONTAINS_COLD}: ${containsCold.ms.toFixed(1)} ms, ${containsCold.ms < TARGET_MS ? "under" : "OVER"} the ${TARGET_MS} ms target ` +
      `(before the directory, the Cognito walk alone took ${listUsers.ms.toFixed(0)} ms)`,
  );
  const slow = [...rows.slice(1), ...deskPairs.map(([, api]) => api)].filter((r) => r.ms >= TARGET_MS);
  notes.push(
    slow.length === 0
      ? `every page under the ${TARGET_MS} ms target (median of ${RUNS})`
      : `OVER the ${TARGET_MS} ms target: ${slow.map((r) => r.label).join(", ")}`,
  );
  printTable(
    `admin API list pages, ${PAGE} items, ${PHOTOS} photos / ${USERS} users (median of ${RUNS})`,
    rows,
  );
  console.log(
    `\nsupport desk pages against the raw query each needs (median of ${RUNS}; cold e-mail lookups: of ${COLD_RUNS})`,
  );
  for (const [raw, api] of deskPairs) {
    console.log(
      `  ${api.label.padEnd(52)} ${api.ms.toFixed(1).padStart(8)} ms  ×${(api.ms / raw.ms).toFixed(2).padStart(6)} of ${raw.label} (${raw.ms.toFixed(1)} ms)`,
    );
  }
  for (const note of notes) console.log(`  ${note}`);
  deps.destroy();
  if (slow.length) process.exitCode = 1;
} finally {
  idp.destroy();
  raw.destroy();
  await emulator.close();
  await dynamo.close();
  await rm(dataDir, { recursive: true, force: true });
}
