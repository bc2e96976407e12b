import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { embeddedEnvironment, resourceNames } from "@photogate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CredentialStore } from "../../src/credentials";
import { ensureTables, startDynamoServer } from "../../src/dynamodb";
import { startDynamoGateway } from "../../src/dynamodb-gateway";
import { createJsonAuthorizer, LOCAL_ACCOUNT_ID } from "../../src/iam/json-authorizer";
import { identityPoolRoles, localFunctionRoles } from "../../src/iam/local-roles";

// The local functions' role keys are held to the statements the stacks synthesize for them
// (processorStatements, adminApiStatements), as Lambda's execution roles are on AWS.
const env = embeddedEnvironment;
const names = resourceNames(env);
const service = { accessKeyId: "SERVICEKEY", secretAccessKey: "service-secret" };
let clock = Date.now();
const credentials = new CredentialStore(service, () => new Date(clock));
const roles = localFunctionRoles(env, "us-east-1_TestPool");
credentials.addRole(roles.processor);
credentials.addRole(roles.adminApi);

let dir: string;
let closers: (() => Promise<void>)[] = [];
let url: string;
const client = (keys: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
  new DynamoDBClient({ endpoint: url, region: env.region, credentials: keys, maxAttempts: 1 });
const keysOf = (role: { accessKeyId: string; secretAccessKey: string }) => ({
  accessKeyId: role.accessKeyId,
  secretAccessKey: role.secretAccessKey,
});

beforeAll(async () => {
  // As in the stack: dynalite on a Unix socket only the gateway opens.
  dir = await mkdtemp(join(tmpdir(), "photogate-roles-"));
  const dynalite = await startDynamoServer({ socketPath: join(dir, "dynamodb.sock") });
  const gateway = await startDynamoGateway({
    upstreamUrl: dynalite.url,
    upstreamSocket: dynalite.socketPath,
    credentials,
    authorizer: createJsonAuthorizer({ sessionRoles: identityPoolRoles(env) }),
    region: env.region,
    accountId: LOCAL_ACCOUNT_ID,
    now: () => new Date(clock),
  });
  closers = [() => gateway.close(), () => dynalite.close()];
  url = gateway.url;
  const admin = client(service);
  await ensureTables(admin, env);
  admin.destroy();
});
afterAll(async () => {
  for (const close of closers) await close();
  await rm(dir, { recursive: true, force: true });
});

const key = { owner: { S: "owner-1" }, photoId: { S: "photo-1" } };
const denied = async (call: Promise<unknown>, action: string) => {
  const error = (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  expect(error?.name).toBe("AccessDeniedException");
  expect(error?.$metadata?.httpStatusCode).toBe(400);
  expect(error?.message).toContain(`is not authorized to perform: dynamodb:${action} on resource:`);
};

describe("the processor's role", () => {
  it("writes and reads photo records and queries the status index", async () => {
    const db = client(keysOf(roles.processor));
    await db.send(
      new PutItemCommand({ TableName: names.photoTable, Item: { ...key, status: { S: "pending" } } }),
    );
    const { Item } = await db.send(new GetItemCommand({ TableName: names.photoTable, Key: key }));
    expect(Item?.status?.S).toBe("pending");
    await db.send(
      new QueryCommand({
        TableName: names.photoTable,
        IndexName: "byStatus",
        KeyConditionExpression: "#s = :s",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":s": { S: "processing" } },
      }),
    );
    db.destroy();
  });

  it("may not delete records, scan, or touch the audit table", async () => {
    const db = client(keysOf(roles.processor));
    await denied(db.send(new DeleteItemCommand({ TableName: names.photoTable, Key: key })), "DeleteItem");
    await denied(db.send(new ScanCommand({ TableName: names.photoTable })), "Scan");
    await denied(
      db.send(
        new GetItemCommand({ TableName: names.auditTable, Key: { target: { S: "x" }, sortKey: { S: "y" } } }),
      ),
      "GetItem",
    );
    db.destroy();
  });
});

describe("the quota's usage table", () => {
  const usageKey = { owner: { S: "owner-1" }, period: { S: "day#2026-05-20" } };

  it("the processor counts (UpdateItem) and reads, but may not put, delete or query", async () => {
    const db = client(keysOf(roles.processor));
    await db.send(
      new UpdateItemCommand({
        TableName: names.usageTable,
        Key: usageKey,
        UpdateExpression: "ADD uploads :one",
        ExpressionAttributeValues: { ":one": { N: "1" } },
      }),
    );
    const { Item } = await db.send(new GetItemCommand({ TableName: names.usageTable, Key: usageKey }));
    expect(Item?.uploads?.N).toBe("1");
    await denied(db.send(new PutItemCommand({ TableName: names.usageTable, Item: usageKey })), "PutItem");
    await denied(
      db.send(new DeleteItemCommand({ TableName: names.usageTable, Key: usageKey })),
      "DeleteItem",
    );
    await denied(db.send(new ScanCommand({ TableName: names.usageTable })), "Scan");
    db.destroy();
  });

  it("the admin API reads usage and writes the override, but may not change a count", async () => {
    const db = client(keysOf(roles.adminApi));
    await db.send(new GetItemCommand({ TableName: names.usageTable, Key: usageKey }));
    await db.send(
      new PutItemCommand({
        TableName: names.usageTable,
        Item: { owner: { S: "owner-1" }, period: { S: "limits" } },
      }),
    );
    await denied(
      db.send(
        new UpdateItemCommand({
          TableName: names.usageTable,
          Key: usageKey,
          UpdateExpression: "ADD uploads :minus",
          ExpressionAttributeValues: { ":minus": { N: "-1" } },
        }),
      ),
      "UpdateItem",
    );
    db.destroy();
  });
});

describe("the admin API's role", () => {
  it("appends to the audit table but can neither update nor delete an entry", async () => {
    const db = client(keysOf(roles.adminApi));
    await denied(
      db.send(
        new UpdateItemCommand({
          TableName: names.auditTable,
          Key: { target: { S: "x" }, sortKey: { S: "y" } },
          UpdateExpression: "SET a = :a",
          ExpressionAttributeValues: { ":a": { S: "b" } },
        }),
      ),
      "UpdateItem",
    );
    await denied(
      db.send(
        new DeleteItemCommand({
          TableName: names.auditTable,
          Key: { target: { S: "x" }, sortKey: { S: "y" } },
        }),
      ),
      "DeleteItem",
    );
    db.destroy();
  });

  it("deletes photo records (moderation) but may not put one", async () => {
    const db = client(keysOf(roles.adminApi));
    await db.send(new DeleteItemCommand({ TableName: names.photoTable, Key: key }));
    await denied(db.send(new PutItemCommand({ TableName: names.photoTable, Item: key })), "PutItem");
    db.destroy();
  });
});

describe("identity-pool sessions", () => {
  it("answer ExpiredTokenException once the session has expired", async () => {
    const session = credentials.issue("us-east-1:identity", { owner: "owner-1" }, 60);
    clock += 61_000;
    const db = client({
      accessKeyId: session.accessKeyId,
      secretAccessKey: session.secretAccessKey,
      sessionToken: session.sessionToken,
    });
    const error = (await db.send(new GetItemCommand({ TableName: names.photoTable, Key: key })).then(
      () => undefined,
      (e: unknown) => e,
    )) as { name?: string; message?: string } | undefined;
    db.destroy();
    expect(error).toMatchObject({
      name: "ExpiredTokenException",
      message: "The security token included in the request is expired",
    });
  });
});
