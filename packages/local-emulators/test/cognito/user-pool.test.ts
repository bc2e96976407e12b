import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListGroupsCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { resourceNames } from "@photogate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SeedUserError, SignInError, UserPoolEmulatorError } from "../../src/cognito/errors";
import {
  type ProvisionedUserPool,
  provisionUserPool,
  type SeededUser,
  seedUsers,
  signIn,
} from "../../src/cognito/provision";
import { startUserPoolEmulator, type UserPoolEmulator } from "../../src/cognito/user-pool-emulator";
import { claimsOf, cognitoClient, env, PASSWORD, SEED } from "./local-pool";

const names = resourceNames(env);
let dataDir = "";
let emulator: UserPoolEmulator;
let client: CognitoIdentityProviderClient;
let pool: ProvisionedUserPool;
let seeded: SeededUser[];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "photogate-user-pool-"));
  emulator = await startUserPoolEmulator({ dataDir });
  client = cognitoClient(emulator.url);
  pool = await provisionUserPool(client, env);
  seeded = await seedUsers(client, pool, [
    ...SEED,
    { email: "Ada@Example.com", password: PASSWORD, groups: ["admins", "support"] },
  ]);
});

afterAll(async () => {
  client?.destroy();
  await emulator?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("provisionUserPool", () => {
  it("creates the pool, groups and app clients the stack defines", async () => {
    expect(pool.userPoolId).toMatch(/^[\w-]+_[0-9A-Za-z]+$/);
    expect(pool.issuer).toBe(`${emulator.url}/${pool.userPoolId}`);
    expect(pool.jwksUri).toBe(`${pool.issuer}/.well-known/jwks.json`);

    const described = await client.send(new DescribeUserPoolCommand({ UserPoolId: pool.userPoolId }));
    expect(described.UserPool).toMatchObject({
      Name: names.userPool,
      UsernameAttributes: ["email"],
      AutoVerifiedAttributes: ["email"],
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
    });

    const groups = await client.send(new ListGroupsCommand({ UserPoolId: pool.userPoolId }));
    expect(
      (groups.Groups ?? [])
        .map((g) => [g.GroupName, g.Precedence])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
    ).toEqual([
      ["admins", 1],
      ["support", 2],
    ]);

    for (const [clientId, name] of [
      [pool.uploadClientId, names.uploadClient],
      [pool.adminClientId, names.adminClient],
    ] as const) {
      const appClient = await client.send(
        new DescribeUserPoolClientCommand({ UserPoolId: pool.userPoolId, ClientId: clientId }),
      );
      expect(appClient.UserPoolClient).toMatchObject({
        ClientName: name,
        ExplicitAuthFlows: expect.arrayContaining([
          "ALLOW_USER_SRP_AUTH",
          "ALLOW_USER_PASSWORD_AUTH",
          "ALLOW_REFRESH_TOKEN_AUTH",
        ]),
      });
      expect(appClient.UserPoolClient?.ClientSecret).toBeUndefined();
    }
    expect(pool.uploadClientId).not.toBe(pool.adminClientId);
  });

  it("serves the pool's keys at jwksUri", async () => {
    const jwks = (await (await fetch(pool.jwksUri)).json()) as { keys: { kty: string; kid: string }[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    expect(jwks.keys[0]).toMatchObject({ kty: "RSA" });
  });

  it("is idempotent: a second run finds the same pool and clients and creates nothing", async () => {
    const again = await provisionUserPool(client, env);
    expect(again).toEqual(pool);
    const pools = await client.send(new ListUserPoolsCommand({ MaxResults: 60 }));
    expect((pools.UserPools ?? []).filter((p) => p.Name === names.userPool)).toHaveLength(1);
    const clients = await client.send(
      new ListUserPoolClientsCommand({ UserPoolId: pool.userPoolId, MaxResults: 60 }),
    );
    expect(clients.UserPoolClients).toHaveLength(2);
    const groups = await client.send(new ListGroupsCommand({ UserPoolId: pool.userPoolId }));
    expect(groups.Groups).toHaveLength(2);
  });
});

describe("seedUsers and signIn", () => {
  it("returns one distinct sub per user, and the same subs when run again", async () => {
    expect(seeded.map((u) => u.email)).toEqual([
      "alice@example.com",
      "bob@example.com",
      "sam@example.com",
      "ada@example.com",
    ]);
    for (const user of seeded)
      expect(user.sub).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(seeded.map((u) => u.sub)).size).toBe(seeded.length);
    const again = await seedUsers(client, pool, SEED);
    expect(again).toEqual(seeded.slice(0, SEED.length));
  });

  it("signs seeded users in, with their groups in the access token", async () => {
    const expected: Record<string, string[] | undefined> = {
      "alice@example.com": undefined,
      "sam@example.com": ["support"],
      "ada@example.com": ["admins", "support"],
    };
    for (const [email, groups] of Object.entries(expected)) {
      const tokens = await signIn(client, pool.uploadClientId, email, PASSWORD);
      const access = claimsOf(tokens.accessToken);
      const sub = seeded.find((u) => u.email === email)?.sub;
      expect(access).toMatchObject({
        token_use: "access",
        sub,
        iss: pool.issuer,
        client_id: pool.uploadClientId,
      });
      expect(access["cognito:groups"]).toEqual(groups);
      expect(claimsOf(tokens.idToken)).toMatchObject({
        token_use: "id",
        sub,
        aud: pool.uploadClientId,
        email,
        email_verified: true,
      });
      expect(tokens.refreshToken.split(".")).toHaveLength(3);
    }
  });

  it("signs in through the admin client too, and ignores the case of the email", async () => {
    const tokens = await signIn(client, pool.adminClientId, "SAM@example.com", PASSWORD);
    expect(claimsOf(tokens.accessToken)).toMatchObject({
      client_id: pool.adminClientId,
      "cognito:groups": ["support"],
    });
  });

  it("refuses a wrong password and an unknown user with the same named error", async () => {
    for (const [username, password] of [
      ["alice@example.com", "Wr0ng-Password!"],
      ["nobody@example.com", PASSWORD],
    ] as const) {
      const error = await signIn(client, pool.uploadClientId, username, password).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SignInError);
      expect(error).toMatchObject({ code: "INCORRECT_USERNAME_OR_PASSWORD" });
      expect((error as Error).message).toContain(username);
    }
  });

  it("refuses seed users whose password the stack's policy would refuse, or with unknown groups", async () => {
    await expect(
      seedUsers(client, pool, [{ email: "weak@example.com", password: "short1!A" }]),
    ).rejects.toThrow(SeedUserError);
    await expect(
      seedUsers(client, pool, [{ email: "weak@example.com", password: "no-digits-OR-upper" }]),
    ).rejects.toThrow(/an upper-case letter|a digit/);
    await expect(
      seedUsers(client, pool, [
        { email: "x@example.com", password: PASSWORD, groups: ["root" as unknown as "admins"] },
      ]),
    ).rejects.toThrow(/unknown groups root/);
    const error = await signIn(client, pool.uploadClientId, "weak@example.com", "short1!A").catch((e) => e);
    expect(error).toMatchObject({ code: "INCORRECT_USERNAME_OR_PASSWORD" });
  });
});

describe("startUserPoolEmulator", () => {
  it("fails with the emulator's output when its port is taken", async () => {
    const squatter = createServer((_request, response) => response.writeHead(404).end());
    await new Promise<void>((resolve) => squatter.listen(0, "127.0.0.1", resolve));
    const { port } = squatter.address() as AddressInfo;
    const otherDir = await mkdtemp(join(tmpdir(), "photogate-user-pool-taken-"));
    try {
      const error = await startUserPoolEmulator({ dataDir: otherDir, port }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserPoolEmulatorError);
      expect((error as Error).message).toMatch(/EADDRINUSE/);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  // Last in the file: it restarts the emulator everything above shares.
  it("stops the process on close and keeps pools and users across a restart", async () => {
    const sub = seeded.find((u) => u.email === "alice@example.com")?.sub;
    const { pid } = emulator;
    expect(isRunning(pid)).toBe(true);
    await emulator.close();
    await emulator.close(); // twice is fine
    expect(isRunning(pid)).toBe(false);

    client.destroy();
    emulator = await startUserPoolEmulator({ dataDir });
    client = cognitoClient(emulator.url);
    const restarted = await provisionUserPool(client, env);
    expect(restarted).toMatchObject({
      userPoolId: pool.userPoolId,
      uploadClientId: pool.uploadClientId,
      adminClientId: pool.adminClientId,
    });
    const tokens = await signIn(client, restarted.uploadClientId, "alice@example.com", PASSWORD);
    expect(claimsOf(tokens.accessToken)).toMatchObject({ sub, iss: restarted.issuer });
  });
});
