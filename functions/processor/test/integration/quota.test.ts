import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { createTableInput, usageTable } from "@photogate/core";
import { startDynamoServer } from "@photogate/local-emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countUpload } from "../../src/usage";

/**
 * The quota's conditional updates against a real DynamoDB engine (the local stack's DynamoDB
 * emulator; or AWS_ENDPOINT_URL when set): what a mock cannot show is how they behave when
 * many uploads of one owner race.
 */
const owner = "3f1c9a52-7d4e-4b8a-9c2f-5e6d7a8b9c0d";
const at = new Date("2026-05-20T12:00:00.000Z");
const photoId = (n: number) => `${String(n).padStart(8, "0")}-e5f6-4789-8abc-def012345678`;

let dynamo: DynamoDBDocumentClient;
let stop = async () => {};
const table = `photogate-it-usage-${Date.now()}`;

beforeAll(async () => {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  const region = process.env.AWS_REGION ?? "us-east-1";
  let client: DynamoDBClient;
  if (endpoint) client = new DynamoDBClient({ region });
  else {
    const server = await startDynamoServer({});
    client = new DynamoDBClient({
      region,
      endpoint: server.url,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    stop = () => server.close();
  }
  await client.send(new CreateTableCommand(createTableInput(usageTable, table)));
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: table });
  dynamo = DynamoDBDocumentClient.from(client);
});
afterAll(async () => {
  dynamo?.destroy();
  await stop();
});

const item = async (period: string) =>
  (await dynamo.send(new GetCommand({ TableName: table, Key: { owner, period }, ConsistentRead: true })))
    .Item;

describe("quota counting on DynamoDB", () => {
  it("accepts exactly 10 of 20 concurrent uploads against a quota of 10, and counts exactly those", async () => {
    const settings = {
      usageTable: table,
      limits: { daily: { uploads: 10, bytes: 10_000_000 }, monthly: { uploads: 100, bytes: 100_000_000 } },
    };
    const decisions = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        countUpload(dynamo, settings, { owner, photoId: photoId(i), eTag: `etag-${i}`, size: 1000 }, at),
      ),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    expect(
      decisions.filter((d) => !d.allowed).every((d) => !d.allowed && d.reason.code === "QUOTA_EXCEEDED"),
    ).toBe(true);
    expect(await item("day#2026-05-20")).toMatchObject({ uploads: 10, bytes: 10_000 });
    // Refused by the day, so never counted in the month either.
    expect(await item("month#2026-05")).toMatchObject({ uploads: 10, bytes: 10_000 });

    // The same 20 delivered again: the 10 counted pass without counting, the rest stay refused.
    const again = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        countUpload(dynamo, settings, { owner, photoId: photoId(i), eTag: `etag-${i}`, size: 1000 }, at),
      ),
    );
    expect(again.map((d) => d.allowed)).toEqual(decisions.map((d) => d.allowed));
    expect(again.every((d) => !d.allowed || !d.counted)).toBe(true);
    expect(await item("day#2026-05-20")).toMatchObject({ uploads: 10 });
  });
});
