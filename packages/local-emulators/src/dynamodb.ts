/// <reference path="./types/dynalite.d.ts" />
import { rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import {
  type AttributeValue,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ListTablesCommand,
  PutItemCommand,
  ScanCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import {
  auditTable,
  createTableInput,
  type EnvironmentConfig,
  photoTable,
  resourceNames,
  usageTable,
  userTable,
} from "@photogate/core";
import dynalite from "dynalite";

export interface DynamoServer {
  /** `http://host:port`, or `http://localhost` when it listens on `socketPath`. */
  url: string;
  /** The Unix socket it listens on instead of a TCP port, when asked to. */
  socketPath?: string;
  close(): Promise<void>;
}

/**
 * dynalite on loopback; with `dataDir` its tables survive restarts. With `socketPath` it listens
 * on that Unix socket and no TCP port at all, so only what can open the file (the DynamoDB
 * gateway) reaches it: dynalite checks no signature.
 */
export async function startDynamoServer(options: {
  dataDir?: string;
  port?: number;
  host?: string;
  socketPath?: string;
}): Promise<DynamoServer> {
  const host = options.host ?? "127.0.0.1";
  const server = dynalite({
    ...(options.dataDir ? { path: options.dataDir } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const close = () =>
    new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  const { socketPath } = options;
  if (socketPath) {
    // A socket file left by a killed run would refuse the listen.
    await rm(socketPath, { force: true });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(socketPath, resolve);
    });
    return { url: "http://localhost", socketPath, close };
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://${host}:${port}`, close };
}

/**
 * Creates the environment's photo and audit tables (the names and keys the stacks use) unless
 * they exist already, and upgrades existing ones that lack an index the schema now has (see
 * `upgradeTable`). Returns the names of the tables it created or upgraded.
 */
export async function ensureTables(client: DynamoDBClient, env: EnvironmentConfig): Promise<string[]> {
  const names = resourceNames(env);
  const wanted = [
    { input: createTableInput(photoTable, names.photoTable), backfill: openReview },
    { input: createTableInput(auditTable, names.auditTable), backfill: undefined },
    // dynalite keeps items past their TTL (it has no expiry): local usage items simply stay.
    { input: createTableInput(usageTable, names.usageTable), backfill: undefined },
    // The admin users search's directory; the dev runner fills it from the user pool.
    { input: createTableInput(userTable, names.userTable), backfill: undefined },
  ];
  const existing = new Set<string>();
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    for (const name of page.TableNames ?? []) existing.add(name);
    start = page.LastEvaluatedTableName;
  } while (start);
  const created: string[] = [];
  for (const { input, backfill } of wanted) {
    const name = input.TableName;
    const upgrading = existing.has(upgradeName(name));
    if (existing.has(name) && !upgrading && (await missingIndexes(client, input)).length === 0) continue;
    if (!existing.has(name) && !upgrading) await createTable(client, input);
    else await upgradeTable(client, input, existing.has(name), backfill);
    created.push(name);
  }
  return created;
}

type Item = Record<string, AttributeValue>;
type TableInput = ReturnType<typeof createTableInput>;

const upgradeName = (name: string) => `${name}-upgrade`;

async function createTable(client: DynamoDBClient, input: TableInput) {
  await client.send(new CreateTableCommand(input));
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: input.TableName });
}

async function missingIndexes(client: DynamoDBClient, input: TableInput): Promise<string[]> {
  const table = await client.send(new DescribeTableCommand({ TableName: input.TableName }));
  const have = new Set((table.Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  return (input.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName).filter((n) => !have.has(n));
}

/** A photo rejected by the processor and never reviewed waits for review (the byReview index). */
function openReview(item: Item): Item {
  return item.status?.S === "rejected" && !item.reviewedBy ? { ...item, reviewQueue: { S: "open" } } : item;
}

/**
 * dynalite cannot add an index to a table (UpdateTable has no GSI create), so a table made
 * before an index existed is rebuilt: every item is copied to `{name}-upgrade`, the table is made
 * afresh and the items copied back, then the copy goes. Each step can be repeated (puts of the
 * same items), so a stop midway resumes at the next start without losing an item.
 */
async function upgradeTable(
  client: DynamoDBClient,
  input: TableInput,
  tableExists: boolean,
  backfill: ((item: Item) => Item) | undefined,
) {
  const name = input.TableName;
  const temp = upgradeName(name);
  if (tableExists && (await missingIndexes(client, input)).length > 0) {
    const tempExists = (await client.send(new ListTablesCommand({}))).TableNames?.includes(temp) ?? false;
    if (!tempExists) await createTable(client, { ...input, TableName: temp });
    await copyItems(client, name, temp, backfill);
    await client.send(new DeleteTableCommand({ TableName: name }));
    await createTable(client, input);
  } else if (!tableExists) {
    await createTable(client, input);
  }
  await copyItems(client, temp, name, undefined);
  await client.send(new DeleteTableCommand({ TableName: temp }));
}

async function copyItems(
  client: DynamoDBClient,
  from: string,
  to: string,
  map: ((item: Item) => Item) | undefined,
) {
  let start: Item | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: from, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      await client.send(new PutItemCommand({ TableName: to, Item: map ? map(item) : item }));
    }
    start = page.LastEvaluatedKey;
  } while (start);
}
