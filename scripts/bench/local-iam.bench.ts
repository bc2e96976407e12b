import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { embeddedEnvironment, resourceNames } from "@photogate/core";
import {
  CredentialStore,
  createJsonAuthorizer,
  ensureTables,
  identityPoolRoles,
  LOCAL_ACCOUNT_ID,
  localFunctionRoles,
  startDynamoGateway,
  startDynamoServer,
} from "@photogate/local-emulators";
import { printTable, timeMedian } from "./lib/measure";

/**
 * `pnpm bench local-iam`: what SigV4 and IAM cost the local DynamoDB. The processor's GetItem
 * straight to dynalite (baseline) against the same call through the gateway, which verifies the
 * signature and simulates the processor role's policy (cached after the first decision).
 */
const env = embeddedEnvironment;
const names = resourceNames(env);
const service = { accessKeyId: "BENCHSERVICE", secretAccessKey: "bench-secret" };
const credentials = new CredentialStore(service);
const { processor } = localFunctionRoles(env, "us-east-1_Bench");
credentials.addRole(processor);

const dynalite = await startDynamoServer({});
const gateway = await startDynamoGateway({
  upstreamUrl: dynalite.url,
  credentials,
  authorizer: createJsonAuthorizer({ sessionRoles: identityPoolRoles(env) }),
  region: env.region,
  accountId: LOCAL_ACCOUNT_ID,
});
const client = (endpoint: string, keys: { accessKeyId: string; secretAccessKey: string }) =>
  new DynamoDBClient({ endpoint, region: env.region, credentials: keys });
const admin = client(gateway.url, service);
await ensureTables(admin, env);
const keys = { accessKeyId: processor.accessKeyId, secretAccessKey: processor.secretAccessKey };
const direct = client(dynalite.url, keys);
const gated = client(gateway.url, keys);
const get = (db: DynamoDBClient) =>
  db.send(
    new GetItemCommand({ TableName: names.photoTable, Key: { owner: { S: "o" }, photoId: { S: "p" } } }),
  );
const runs = 200;
const baseline = await timeMedian(() => get(direct), runs, 20);
const checked = await timeMedian(() => get(gated), runs, 20);
printTable("DynamoDB GetItem, processor role, median of 200", [
  { label: "dynalite directly (baseline)", ms: baseline },
  { label: "through the gateway (SigV4 + IAM)", ms: checked },
]);
for (const db of [admin, direct, gated]) db.destroy();
await gateway.close();
await dynalite.close();
