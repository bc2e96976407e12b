import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { createTableInput, embeddedEnvironment, photoTable, resourceNames } from "@photogate/core";
import { afterAll, describe, expect, it } from "vitest";
import { ensureTables, startDynamoServer } from "../../src/dynamodb";

const env = embeddedEnvironment;
const names = resourceNames(env);
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function client(url: string) {
  return new DynamoDBClient({
    region: env.region,
    endpoint: url,
    credentials: { accessKeyId: "x", secretAccessKey: "y" },
  });
}

describe("local DynamoDB", () => {
  it("creates the stacks' tables once and keeps them across a restart", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "photogate-dynamo-"));
    dirs.push(dataDir);

    const first = await startDynamoServer({ dataDir });
    const db = client(first.url);
    expect((await ensureTables(db, env)).sort()).toEqual(
      [names.auditTable, names.photoTable, names.usageTable, names.userTable].sort(),
    );
    expect(await ensureTables(db, env)).toEqual([]);
    const photos = await db.send(new DescribeTableCommand({ TableName: names.photoTable }));
    expect(photos.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual([
      "byOwner",
      "byPhotoId",
      "byReview",
      "byStatus",
    ]);
    db.destroy();
    await first.close();

    const second = await startDynamoServer({ dataDir });
    const again = client(second.url);
    expect(await ensureTables(again, env)).toEqual([]);
    again.destroy();
    await second.close();
  });

  it("upgrades a photo table made before the review index: every item kept, unreviewed rejections queued", async () => {
    const server = await startDynamoServer({});
    const db = client(server.url);
    try {
      // The photo table as it was made before byReview existed.
      const old = createTableInput(photoTable, names.photoTable);
      await db.send(
        new CreateTableCommand({
          ...old,
          AttributeDefinitions: old.AttributeDefinitions.filter((a) => a.AttributeName !== "reviewQueue"),
          GlobalSecondaryIndexes: (old.GlobalSecondaryIndexes ?? []).filter(
            (i) => i.IndexName !== "byReview",
          ),
        }),
      );
      const item = (photoId: string, status: string, reviewedBy?: string) => ({
        owner: { S: "o" },
        photoId: { S: photoId },
        status: { S: status },
        createdAt: { S: `2026-01-0${photoId}` },
        ...(reviewedBy ? { reviewedBy: { S: reviewedBy } } : {}),
      });
      for (const i of [item("1", "rejected"), item("2", "rejected", "s"), item("3", "approved")])
        await db.send(new PutItemCommand({ TableName: names.photoTable, Item: i }));

      expect(await ensureTables(db, env)).toContain(names.photoTable);
      const photos = await db.send(new DescribeTableCommand({ TableName: names.photoTable }));
      expect(photos.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toContain("byReview");
      const all = await db.send(new ScanCommand({ TableName: names.photoTable }));
      expect(all.Items?.map((i) => i.photoId?.S).sort()).toEqual(["1", "2", "3"]);
      const queue = await db.send(
        new QueryCommand({
          TableName: names.photoTable,
          IndexName: "byReview",
          KeyConditionExpression: "reviewQueue = :open",
          ExpressionAttributeValues: { ":open": { S: "open" } },
        }),
      );
      expect(queue.Items?.map((i) => i.photoId?.S)).toEqual(["1"]);
      expect((await db.send(new ListTablesCommand({}))).TableNames).not.toContain(
        `${names.photoTable}-upgrade`,
      );
      expect(await ensureTables(db, env)).toEqual([]);
    } finally {
      db.destroy();
      await server.close();
    }
  });

  it("upgrades a photo table made before the photo-id index: a photo's owner is found by its id", async () => {
    const server = await startDynamoServer({});
    const db = client(server.url);
    try {
      const old = createTableInput(photoTable, names.photoTable);
      await db.send(
        new CreateTableCommand({
          ...old,
          GlobalSecondaryIndexes: (old.GlobalSecondaryIndexes ?? []).filter(
            (i) => i.IndexName !== "byPhotoId",
          ),
        }),
      );
      await db.send(
        new PutItemCommand({
          TableName: names.photoTable,
          Item: { owner: { S: "o" }, photoId: { S: "p" }, status: { S: "approved" }, createdAt: { S: "t" } },
        }),
      );
      expect(await ensureTables(db, env)).toContain(names.photoTable);
      const found = await db.send(
        new QueryCommand({
          TableName: names.photoTable,
          IndexName: "byPhotoId",
          KeyConditionExpression: "photoId = :id",
          ExpressionAttributeValues: { ":id": { S: "p" } },
        }),
      );
      // Keys only: the owner is what the index answers, nothing of the record.
      expect(found.Items).toEqual([{ owner: { S: "o" }, photoId: { S: "p" } }]);
    } finally {
      db.destroy();
      await server.close();
    }
  });
});
