import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { environments, resourceNames } from "@photogate/core";
import { afterAll, describe, expect, it } from "vitest";
import { ensureTables, startDynamoServer } from "../../src/dynamodb";

const env = environments.local;
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
    expect((await ensureTables(db, env)).sort()).toEqual([names.auditTable, names.photoTable].sort());
    expect(await ensureTables(db, env)).toEqual([]);
    const photos = await db.send(new DescribeTableCommand({ TableName: names.photoTable }));
    expect(photos.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual([
      "byOwner",
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
});
