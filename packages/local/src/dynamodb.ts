/// <reference path="./types/dynalite.d.ts" />
import type { AddressInfo } from "node:net";
import {
  CreateTableCommand,
  type DynamoDBClient,
  ListTablesCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import {
  auditTable,
  createTableInput,
  type EnvironmentConfig,
  photoTable,
  resourceNames,
} from "@photogate/core";
import dynalite from "dynalite";

export interface DynamoServer {
  url: string;
  close(): Promise<void>;
}

/** dynalite on loopback; with `dataDir` its tables survive restarts. */
export async function startDynamoServer(options: {
  dataDir?: string;
  port?: number;
  host?: string;
}): Promise<DynamoServer> {
  const host = options.host ?? "127.0.0.1";
  const server = dynalite({
    ...(options.dataDir ? { path: options.dataDir } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

/**
 * Creates the environment's photo and audit tables (the names and keys the stacks use) unless
 * they exist already. Returns the names of the tables it created.
 */
export async function ensureTables(client: DynamoDBClient, env: EnvironmentConfig): Promise<string[]> {
  const names = resourceNames(env);
  const wanted = [
    createTableInput(photoTable, names.photoTable),
    createTableInput(auditTable, names.auditTable),
  ];
  const existing = new Set<string>();
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    for (const name of page.TableNames ?? []) existing.add(name);
    start = page.LastEvaluatedTableName;
  } while (start);
  const created: string[] = [];
  for (const input of wanted) {
    if (existing.has(input.TableName)) continue;
    await client.send(new CreateTableCommand(input));
    await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: input.TableName });
    created.push(input.TableName);
  }
  return created;
}
