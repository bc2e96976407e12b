import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createViewerRequestHandler } from "../../src/authorise";
import { type EdgeConfig, parseEdgeConfig } from "../../src/config";
import { asResponse, errorBody, PHOTO_ID, viewerEvent } from "../support/fixtures";
import { makeKey } from "../support/tokens";

/**
 * Real access tokens from a user-pool emulator (cognito-local, http issuer) through the real
 * handler: the JWKS is fetched once here, the way the stack bakes it into config.json.
 */
const PASSWORD = "Corr3ct-Horse-Battery!";

let server: ChildProcess | undefined;
let dataDir = "";
let endpoint = "";
let config: EdgeConfig;
const users: Record<"alice" | "bob", { sub: string; accessToken: string; idToken: string }> = {
  alice: { sub: "", accessToken: "", idToken: "" },
  bob: { sub: "", accessToken: "", idToken: "" },
};

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

async function waitForServer(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`cognito-local exited with ${child.exitCode}:\n${log()}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(500) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`cognito-local did not start within 20 s:\n${log()}`);
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<
    string,
    unknown
  >;
}

beforeAll(async () => {
  const port = await freePort();
  dataDir = await mkdtemp(join(tmpdir(), "edge-auth-cognito-"));
  const packageJson = createRequire(import.meta.url).resolve("cognito-local/package.json");
  let output = "";
  // cognito-local keeps its data under ./.cognito and takes its port and issuer host from env.
  server = spawn(process.execPath, [join(dirname(packageJson), "lib/bin/start.js")], {
    cwd: dataDir,
    env: { PATH: process.env.PATH ?? "", PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  server.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  endpoint = `http://127.0.0.1:${port}`;
  await waitForServer(endpoint, server, () => output);

  const cognito = new CognitoIdentityProviderClient({
    endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const pool = await cognito.send(new CreateUserPoolCommand({ PoolName: "photogate-edge-test" }));
  const userPoolId = pool.UserPool?.Id ?? "";
  const client = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: "web",
      ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    }),
  );
  const clientId = client.UserPoolClient?.ClientId ?? "";
  for (const name of ["alice", "bob"] as const) {
    const username = `${name}@example.com`;
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: username,
        TemporaryPassword: PASSWORD,
        MessageAction: "SUPPRESS",
        UserAttributes: [{ Name: "email", Value: username }],
      }),
    );
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: userPoolId,
        Username: username,
        Password: PASSWORD,
        Permanent: true,
      }),
    );
    const auth = await cognito.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: username, PASSWORD },
      }),
    );
    const accessToken = auth.AuthenticationResult?.AccessToken ?? "";
    users[name] = {
      accessToken,
      idToken: auth.AuthenticationResult?.IdToken ?? "",
      sub: String(claimsOf(accessToken).sub),
    };
  }
  cognito.destroy();

  const issuer = `${endpoint}/${userPoolId}`;
  const jwks = (await (await fetch(`${issuer}/.well-known/jwks.json`)).json()) as { keys: unknown[] };
  config = parseEdgeConfig({
    region: "local",
    userPoolId,
    issuer,
    clientIds: [clientId],
    tokenUse: "access",
    jwks,
    maxUploadBytes: 5 * 1024 * 1024,
    allowedContentTypes: ["image/jpeg", "image/png"],
  });
}, 60_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("edge-auth with real tokens from cognito-local", () => {
  it("issues access tokens the way the edge expects them", () => {
    const claims = claimsOf(users.alice.accessToken);
    expect(claims).toMatchObject({ token_use: "access", iss: config.issuer, client_id: config.clientIds[0] });
    expect(users.alice.sub).toMatch(/^[0-9a-f-]{36}$/);
    expect(users.alice.sub).not.toBe(users.bob.sub);
  });

  it("lets Alice upload to her own prefix, with Authorization removed", async () => {
    const handler = createViewerRequestHandler(config, { log: () => {} });
    const uri = `/uploads/${users.alice.sub}/${PHOTO_ID}.jpg`;
    const result = await handler(viewerEvent({ uri, authorization: `Bearer ${users.alice.accessToken}` }));
    expect(result).toMatchObject({ method: "PUT", uri });
    expect(result).not.toHaveProperty("headers.authorization");
  });

  it("refuses Alice's upload to Bob's prefix and her read of Bob's photos", async () => {
    const handler = createViewerRequestHandler(config, { log: () => {} });
    const put = await handler(
      viewerEvent({
        uri: `/uploads/${users.bob.sub}/${PHOTO_ID}.jpg`,
        authorization: users.alice.accessToken,
      }),
    );
    expect(asResponse(put).status).toBe("403");
    const get = await handler(
      viewerEvent({
        method: "GET",
        uri: `/photos/${users.bob.sub}/${PHOTO_ID}/display.webp`,
        authorization: users.alice.accessToken,
      }),
    );
    expect(asResponse(get).status).toBe("403");
    const own = await handler(
      viewerEvent({
        method: "GET",
        uri: `/photos/${users.bob.sub}/${PHOTO_ID}/display.webp`,
        authorization: users.bob.accessToken,
      }),
    );
    expect(own).toMatchObject({ method: "GET" });
  });

  it("refuses the id token of the same sign-in", async () => {
    const handler = createViewerRequestHandler(config, { log: () => {} });
    const result = await handler(
      viewerEvent({ uri: `/uploads/${users.alice.sub}/${PHOTO_ID}.jpg`, authorization: users.alice.idToken }),
    );
    expect(asResponse(result).status).toBe("401");
    expect(errorBody(result).code).toBe("INVALID_TOKEN");
  });

  it("fetches the pool's JWKS over the real endpoint when the baked set lacks the signing key", async () => {
    // A config baked before a key rotation: the default fetcher must recover with one fetch.
    const stale = parseEdgeConfig({ ...config, jwks: { keys: [makeKey("retired-key").jwk] } });
    const handler = createViewerRequestHandler(stale, { log: () => {} });
    const uri = `/uploads/${users.alice.sub}/${PHOTO_ID}.jpg`;
    const result = await handler(viewerEvent({ uri, authorization: users.alice.accessToken }));
    expect(result).toMatchObject({ method: "PUT", uri });
  });
});
