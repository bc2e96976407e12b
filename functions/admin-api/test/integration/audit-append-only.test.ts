import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { embeddedEnvironment, resourceNames } from "@photogate/core";
import { type DynamoServer, ensureTables, startDynamoServer } from "@photogate/local-emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeAudit } from "../../src/audit";
import { type AdminApiDeps, createLogger, type RequestContext } from "../../src/index";

const env = embeddedEnvironment;
const table = resourceNames(env).auditTable;
let server: DynamoServer;
let dynamo: DynamoDBDocumentClient;

beforeAll(async () => {
  server = await startDynamoServer({});
  const client = new DynamoDBClient({
    endpoint: server.url,
    region: env.region,
    credentials: { accessKeyId: "x", secretAccessKey: "y" },
  });
  await ensureTables(client, env);
  dynamo = DynamoDBDocumentClient.from(client);
});

afterAll(async () => {
  dynamo?.destroy();
  await server?.close();
});

describe("the audit log", () => {
  it("never replaces an entry, even when a write reuses its key", async () => {
    // The same id at the same instant gives the same key: the second write must fail, not overwrite.
    const deps = { dynamo, config: { auditTable: table }, newId: () => "same-id" } as unknown as AdminApiDeps;
    const ctx = {
      caller: { sub: "support-sub" },
      requestId: "r1",
      at: new Date("2026-11-23T10:00:00.000Z"),
      log: createLogger(() => {}),
    } as unknown as RequestContext;
    await writeAudit(deps, ctx, {
      action: "user.disable",
      target: "user/a",
      before: { enabled: true },
    } as never);
    await expect(
      writeAudit(deps, { ...ctx, requestId: "r2" }, { action: "user.enable", target: "user/a" } as never),
    ).rejects.toMatchObject({ name: "ConditionalCheckFailedException" });

    const { Items = [] } = await dynamo.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: "#t = :t",
        ExpressionAttributeNames: { "#t": "target" },
        ExpressionAttributeValues: { ":t": "user/a" },
      }),
    );
    expect(Items).toHaveLength(1);
    expect(Items[0]).toMatchObject({ action: "user.disable", requestId: "r1" });
  });
});
