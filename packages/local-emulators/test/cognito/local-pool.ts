import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { embeddedEnvironment } from "@photogate/core";
import {
  type ProvisionedUserPool,
  provisionUserPool,
  type SeedUser,
  seedUsers,
} from "../../src/cognito/provision";
import { startUserPoolEmulator, type UserPoolEmulator } from "../../src/cognito/user-pool-emulator";

/** Shared by the cognito, identity and edge tests: one emulator per test file, seeded. */
export const PASSWORD = "Corr3ct-Horse-Battery!";
export const env = embeddedEnvironment;

export const SEED: readonly SeedUser[] = [
  { email: "alice@example.com", password: PASSWORD },
  { email: "bob@example.com", password: PASSWORD },
  { email: "sam@example.com", password: PASSWORD, groups: ["support"] },
];

export interface LocalPool {
  emulator: UserPoolEmulator;
  client: CognitoIdentityProviderClient;
  pool: ProvisionedUserPool;
  subs: Record<string, string>;
  dataDir: string;
  stop(): Promise<void>;
}

export function cognitoClient(url: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint: url,
    region: env.region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
}

export async function startLocalPool(): Promise<LocalPool> {
  const dataDir = await mkdtemp(join(tmpdir(), "photogate-cognito-"));
  const emulator = await startUserPoolEmulator({ dataDir });
  const client = cognitoClient(emulator.url);
  const pool = await provisionUserPool(client, env);
  const seeded = await seedUsers(client, pool, SEED);
  return {
    emulator,
    client,
    pool,
    subs: Object.fromEntries(seeded.map((user) => [user.email, user.sub])),
    dataDir,
    async stop() {
      client.destroy();
      await emulator.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<
    string,
    unknown
  >;
}
