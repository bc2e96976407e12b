import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { AwsJsonError } from "../aws-json-server";
import { requestUpstream, type Upstream } from "../http-server";

export const TARGET_PREFIX = "AWSCognitoIdentityProviderService.";

export type Input = Record<string, unknown>;

export interface PoolUser {
  Username: string;
  Enabled?: boolean;
  UserAttributes?: { Name: string; Value?: string }[];
}

export interface CognitoLocalApi {
  /** One operation on cognito-local; its error answers are thrown as AwsJsonError. */
  call<T = Input>(operation: string, input: Input): Promise<T>;
  /** The app client's pool and allowed flows; ResourceNotFoundException for an unknown client. */
  client(clientId: unknown): Promise<{ userPoolId: string; flows: string[] }>;
  /** The user (by name, email or sub), or undefined when the pool has none. */
  findUser(userPoolId: string, username: unknown): Promise<PoolUser | undefined>;
  storedPassword(userPoolId: string, username: string): Promise<string | undefined>;
  /** Drops the cached app clients (after an operation that changes them). */
  forgetClients(): void;
}

/**
 * What the user-pool front asks cognito-local: its own API (which checks no credentials) and,
 * for SRP, the password it keeps in its pool file (`{dbDir}/{poolId}.json`).
 */
export function cognitoLocalApi(upstream: Upstream, dbDir: string): CognitoLocalApi {
  let clients: Map<string, { userPoolId: string; flows: string[] }> | undefined;

  async function call<T = Input>(operation: string, input: Input): Promise<T> {
    const response = await requestUpstream(upstream, {
      method: "POST",
      path: "/",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": TARGET_PREFIX + operation },
      body: JSON.stringify(input),
    });
    const body = parseObject(response.body);
    if (body.__type === "CognitoLocal#Unsupported") {
      // cognito-local answers what it lacks with HTTP 500, which clients retry; Cognito's own
      // error for an operation the pool or client does not enable is a 400.
      throw new AwsJsonError(
        "UnsupportedOperationException",
        `${operation} (with these parameters) is not supported by the local user pool: ${String(body.message)}`,
      );
    }
    if (response.status < 200 || response.status > 299) {
      const type = String(body.__type ?? "InternalErrorException").replace(/^.*#/, "");
      throw new AwsJsonError(type, String(body.message ?? "cognito-local failed"), response.status);
    }
    return body as T;
  }

  async function client(clientId: unknown) {
    const id = String(clientId ?? "");
    if (!clients?.has(id)) {
      clients = new Map();
      const { UserPools = [] } = await call<{ UserPools?: { Id: string }[] }>("ListUserPools", {
        MaxResults: 60,
      });
      for (const pool of UserPools) {
        const listed = await call<{ UserPoolClients?: { ClientId: string }[] }>("ListUserPoolClients", {
          UserPoolId: pool.Id,
          MaxResults: 60,
        });
        for (const { ClientId } of listed.UserPoolClients ?? []) {
          const { UserPoolClient } = await call<{ UserPoolClient: { ExplicitAuthFlows?: string[] } }>(
            "DescribeUserPoolClient",
            { UserPoolId: pool.Id, ClientId },
          );
          clients.set(ClientId, { userPoolId: pool.Id, flows: UserPoolClient.ExplicitAuthFlows ?? [] });
        }
      }
    }
    const found = clients.get(id);
    if (!found) throw new AwsJsonError("ResourceNotFoundException", `User pool client ${id} does not exist.`);
    return found;
  }

  async function findUser(userPoolId: string, username: unknown): Promise<PoolUser | undefined> {
    if (typeof username !== "string" || username === "") return undefined;
    try {
      return await call<PoolUser>("AdminGetUser", { UserPoolId: userPoolId, Username: username });
    } catch (error) {
      if (error instanceof AwsJsonError && error.type === "UserNotFoundException") return undefined;
      throw error;
    }
  }

  /** cognito-local keeps passwords in its pool file; SRP needs one to build the verifier. */
  async function storedPassword(userPoolId: string, username: string): Promise<string | undefined> {
    const file = join(dbDir, `${userPoolId}.json`);
    for (let attempt = 0; ; attempt++) {
      try {
        const pool = JSON.parse(await readFile(file, "utf8")) as {
          Users?: Record<string, { Password?: string }>;
        };
        return pool.Users?.[username]?.Password;
      } catch (error) {
        // stormdb rewrites the file in place: a read can meet it half written; read again.
        if (!(error instanceof SyntaxError) || attempt >= 20) throw error;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  return { call, client, findUser, storedPassword, forgetClients: () => (clients = undefined) };
}

function parseObject(body: Buffer): Input {
  try {
    const value: unknown = JSON.parse(body.toString("utf8"));
    return typeof value === "object" && value !== null ? (value as Input) : {};
  } catch {
    return {};
  }
}
