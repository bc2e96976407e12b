import { createPublicKey, randomBytes, randomUUID, verify } from "node:crypto";
import { readFile } from "node:fs/promises";
import {
  type createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { AwsJsonError } from "../aws-json-server";
import type { CredentialStore } from "../credentials";
import { forwardBuffered } from "../http-server";
import { type JsonAuthorizer, LOCAL_ACCOUNT_ID } from "../iam/json-authorizer";
import { verifyJsonSignature } from "../iam/json-sigv4";
import {
  challengeValues,
  decoySrp,
  type SrpServerState,
  startSrp,
  validSrpA,
  verifyPasswordClaim,
} from "./srp";
import { TokenRevocations } from "./token-revocations";

export interface UserPoolFrontOptions {
  /** cognito-local's own URL. */
  upstreamUrl: string;
  /** cognito-local's data directory (`{cwd}/.cognito/db`): the front reads passwords there for SRP. */
  dbDir: string;
  /** Where sign-outs and revoked refresh tokens are kept. */
  revocationsFile: string;
  /** A listening server (the caller needs its URL before cognito-local starts, as the issuer). */
  server: ReturnType<typeof createServer>;
  /** SigV4 and IAM for the IAM-authorised operations (Admin*, ListUsers, …); without it, none. */
  auth?: { credentials: CredentialStore; authorizer: JsonAuthorizer; region: string };
  now?: () => number;
}

const TARGET_PREFIX = "AWSCognitoIdentityProviderService.";
const INCORRECT = "Incorrect username or password.";
/** How long a PASSWORD_VERIFIER challenge can be answered. */
const SRP_TTL_MS = 3 * 60 * 1000;

/** The unsigned operations that take an access token. */
const WITH_ACCESS_TOKEN = new Set([
  "GetUser",
  "GlobalSignOut",
  "ChangePassword",
  "UpdateUserAttributes",
  "DeleteUser",
  "DeleteUserAttributes",
  "VerifyUserAttribute",
  "GetUserAttributeVerificationCode",
  "SetUserMFAPreference",
  "SetUserSettings",
  "VerifySoftwareToken",
]);
/**
 * Operations a client calls without IAM (public, or authorised by the access token), from
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pools-API-operations.html.
 * Every other operation is IAM-authorised: SigV4-signed and held to the caller's policy.
 */
const UNSIGNED = new Set([
  ...WITH_ACCESS_TOKEN,
  "InitiateAuth",
  "RespondToAuthChallenge",
  "SignUp",
  "ConfirmSignUp",
  "ResendConfirmationCode",
  "ForgotPassword",
  "ConfirmForgotPassword",
  "RevokeToken",
  "AssociateSoftwareToken",
]);

type Input = Record<string, unknown>;
type Claims = Record<string, unknown> & { iat: number; exp: number; jti: string };
interface PoolUser {
  Username: string;
  Enabled?: boolean;
  UserAttributes?: { Name: string; Value?: string }[];
}
interface PendingSrp {
  state: SrpServerState;
  clientId: string;
  userPoolId: string;
  userId: string;
  password?: string;
  expiresAt: number;
}

/**
 * The user pool's front door, in front of cognito-local, for what cognito-local does not do as
 * Cognito does: sign-in errors that reveal no users, disabled users, the app client's allowed
 * flows, USER_SRP_AUTH, GlobalSignOut / AdminUserGlobalSignOut / RevokeToken revoking tokens,
 * access tokens checked (signature, expiry, revocation) before any operation that takes one,
 * `ExpiresIn` and `TokenType` in results, and SigV4 + IAM on the IAM-authorised operations.
 * Everything else is passed through unchanged.
 */
export async function attachUserPoolFront(options: UserPoolFrontOptions): Promise<void> {
  const upstream = new URL(options.upstreamUrl);
  const now = options.now ?? Date.now;
  const revocations = await TokenRevocations.open(options.revocationsFile, now);
  const publicKey = createPublicKey({ key: await cognitoLocalJwk(), format: "jwk" });
  const pendingSrp = new Map<string, PendingSrp>();
  let clients: Map<string, { userPoolId: string; flows: string[] }> | undefined;

  async function call<T = Input>(operation: string, input: Input): Promise<T> {
    const response = await fetch(new URL("/", upstream), {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": TARGET_PREFIX + operation },
      body: JSON.stringify(input),
    });
    const body = (await response.json().catch(() => ({}))) as Input;
    if (!response.ok) {
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
    const file = join(options.dbDir, `${userPoolId}.json`);
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

  function decodeToken(token: unknown, use: "access" | undefined): Claims | undefined {
    if (typeof token !== "string") return undefined;
    const [header, payload, signature] = token.split(".");
    if (!header || !payload || !signature) return undefined;
    try {
      const valid = verify(
        "RSA-SHA256",
        Buffer.from(`${header}.${payload}`),
        publicKey,
        Buffer.from(signature, "base64url"),
      );
      const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Claims;
      if (!valid || (use && claims.token_use !== use)) return undefined;
      return claims;
    } catch {
      return undefined;
    }
  }

  /** The access token's claims, or Cognito's NotAuthorizedException for each way it fails. */
  async function accessToken(token: unknown): Promise<Claims & { username: string; sub: string }> {
    const claims = decodeToken(token, "access");
    if (!claims || typeof claims.username !== "string") {
      throw new AwsJsonError("NotAuthorizedException", "Invalid Access Token");
    }
    if (claims.exp * 1000 <= now())
      throw new AwsJsonError("NotAuthorizedException", "Access Token has expired");
    if (revocations.isRevoked({ username: claims.username, iat: claims.iat, jti: claims.jti })) {
      throw new AwsJsonError("NotAuthorizedException", "Access Token has been revoked");
    }
    return claims as Claims & { username: string; sub: string };
  }

  /** Adds what Cognito's AuthenticationResult has and cognito-local's lacks; notes the tokens. */
  function completed(result: Input): Input {
    const auth = result.AuthenticationResult as Input | undefined;
    if (!auth?.AccessToken) return result;
    const claims = decodeToken(auth.AccessToken, "access");
    for (const token of [auth.AccessToken, auth.IdToken, auth.RefreshToken]) {
      const jti = decodeToken(token, undefined)?.jti;
      if (jti) revocations.noteIssued(jti);
    }
    const { RefreshToken, ...rest } = auth;
    return {
      ChallengeParameters: {},
      AuthenticationResult: {
        ...rest,
        ...(RefreshToken ? { RefreshToken } : {}),
        ExpiresIn: claims ? claims.exp - claims.iat : 3600,
        TokenType: "Bearer",
      },
    };
  }

  const notAuthorized = (message = INCORRECT) => new AwsJsonError("NotAuthorizedException", message);
  const disabled = (user: PoolUser | undefined) => {
    if (user?.Enabled === false) throw notAuthorized("User is disabled.");
  };

  async function initiateAuth(input: Input): Promise<Input> {
    const { userPoolId, flows } = await client(input.ClientId);
    const flow = String(input.AuthFlow ?? "");
    const allowedName = flow === "REFRESH_TOKEN" ? "ALLOW_REFRESH_TOKEN_AUTH" : `ALLOW_${flow}`;
    if (!flows.includes(allowedName)) {
      throw new AwsJsonError("InvalidParameterException", `${flow} flow not enabled for this client`);
    }
    const params = (input.AuthParameters ?? {}) as Record<string, string | undefined>;
    if (flow === "USER_PASSWORD_AUTH") {
      const user = await findUser(userPoolId, params.USERNAME);
      if (!user) throw notAuthorized();
      const result = await call("InitiateAuth", input).catch((error: unknown) => {
        const type = error instanceof AwsJsonError ? error.type : "";
        throw type === "NotAuthorizedException" || type === "InvalidPasswordException"
          ? notAuthorized()
          : error;
      });
      disabled(user);
      return completed(result);
    }
    if (flow === "REFRESH_TOKEN_AUTH" || flow === "REFRESH_TOKEN") {
      const claims = decodeToken(params.REFRESH_TOKEN, undefined);
      const username = claims?.["cognito:username"];
      if (!claims || typeof username !== "string") throw notAuthorized("Invalid Refresh Token");
      if (revocations.isRevoked({ username, iat: claims.iat, jti: claims.jti })) {
        throw notAuthorized("Refresh Token has been revoked");
      }
      disabled(await findUser(userPoolId, username));
      const result = await call("InitiateAuth", input).catch((error: unknown) => {
        throw error instanceof AwsJsonError && error.type === "NotAuthorizedException"
          ? notAuthorized("Invalid Refresh Token")
          : error;
      });
      return completed(result);
    }
    if (flow === "USER_SRP_AUTH") {
      if (!params.USERNAME)
        throw new AwsJsonError("InvalidParameterException", "Missing required parameter USERNAME");
      const A = validSrpA(params.SRP_A ?? "");
      if (A === undefined) throw new AwsJsonError("InvalidParameterException", "Missing or invalid SRP_A");
      const user = await findUser(userPoolId, params.USERNAME);
      const password = user ? await storedPassword(userPoolId, user.Username) : undefined;
      const userId = user?.Username ?? params.USERNAME;
      const poolName = userPoolId.split("_")[1] ?? userPoolId;
      // An unknown user gets a challenge like any other and fails at the answer, as the pool's
      // PreventUserExistenceErrors makes Cognito do.
      const state = password !== undefined ? startSrp(A, poolName, userId, password) : decoySrp(A);
      const secretBlock = randomBytes(96).toString("base64");
      const expiresAt = now() + SRP_TTL_MS;
      pendingSrp.set(secretBlock, {
        state,
        clientId: String(input.ClientId),
        userPoolId,
        userId,
        password,
        expiresAt,
      });
      for (const [key, pending] of pendingSrp) if (pending.expiresAt < now()) pendingSrp.delete(key);
      return {
        ChallengeName: "PASSWORD_VERIFIER",
        ChallengeParameters: {
          ...challengeValues(state),
          SECRET_BLOCK: secretBlock,
          USER_ID_FOR_SRP: userId,
          USERNAME: userId,
        },
      };
    }
    return call("InitiateAuth", input);
  }

  async function respondToAuthChallenge(input: Input): Promise<Input> {
    if (input.ChallengeName !== "PASSWORD_VERIFIER")
      return completed(await call("RespondToAuthChallenge", input));
    await client(input.ClientId);
    const answer = (input.ChallengeResponses ?? {}) as Record<string, string | undefined>;
    const secretBlock = answer.PASSWORD_CLAIM_SECRET_BLOCK ?? "";
    const pending = pendingSrp.get(secretBlock);
    pendingSrp.delete(secretBlock);
    const poolName = pending ? (pending.userPoolId.split("_")[1] ?? pending.userPoolId) : "";
    const proven =
      pending !== undefined &&
      pending.password !== undefined &&
      pending.expiresAt >= now() &&
      pending.clientId === input.ClientId &&
      verifyPasswordClaim(pending.state, {
        poolName,
        userId: pending.userId,
        secretBlock,
        timestamp: answer.TIMESTAMP ?? "",
        signature: answer.PASSWORD_CLAIM_SIGNATURE ?? "",
      });
    if (!proven || !pending?.password) throw notAuthorized();
    disabled(await findUser(pending.userPoolId, pending.userId));
    // The password is proven: cognito-local issues the tokens through its own password flow.
    return completed(
      await call("InitiateAuth", {
        AuthFlow: "USER_PASSWORD_AUTH",
        ClientId: input.ClientId,
        AuthParameters: { USERNAME: pending.userId, PASSWORD: pending.password },
      }),
    );
  }

  const handlers: Record<string, (input: Input) => Promise<Input>> = {
    InitiateAuth: initiateAuth,
    RespondToAuthChallenge: respondToAuthChallenge,
    async GlobalSignOut(input) {
      const claims = await accessToken(input.AccessToken);
      await revocations.signOut(claims.username);
      return {};
    },
    async AdminUserGlobalSignOut(input) {
      const user = await call<PoolUser>("AdminGetUser", {
        UserPoolId: input.UserPoolId,
        Username: input.Username,
      });
      await revocations.signOut(user.Username);
      return {};
    },
    async RevokeToken(input) {
      const claims = decodeToken(input.Token, undefined);
      await client(input.ClientId);
      if (!claims || typeof claims["cognito:username"] !== "string") {
        throw new AwsJsonError(
          "UnsupportedTokenTypeException",
          "The token is not a refresh token of this pool.",
        );
      }
      await revocations.revoke(claims.jti);
      return {};
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST" || (req.url ?? "/").split("?")[0] !== "/")
      return pipeThrough(req, res, upstream);
    const body = await readBody(req);
    const operation = String(req.headers["x-amz-target"] ?? "").replace(TARGET_PREFIX, "");
    try {
      let input: Input = {};
      try {
        input = JSON.parse(body.toString("utf8") || "{}") as Input;
      } catch {
        throw new AwsJsonError("SerializationException", "The request body is not valid JSON.");
      }
      if (options.auth && !UNSIGNED.has(operation)) {
        const { credentials, authorizer, region } = options.auth;
        const caller = await verifyJsonSignature(
          { method: "POST", url: req.url ?? "/", headers: req.headers, body },
          { credentials, region, service: "cognito-idp" },
        );
        const resource =
          typeof input.UserPoolId === "string"
            ? `arn:aws:cognito-idp:${region}:${LOCAL_ACCOUNT_ID}:userpool/${input.UserPoolId}`
            : "*";
        await authorizer.authorize(caller, [{ action: `cognito-idp:${operation}`, resource }]);
      }
      if (WITH_ACCESS_TOKEN.has(operation)) {
        const claims = await accessToken(input.AccessToken);
        if (operation !== "GlobalSignOut") {
          const poolId =
            String(claims.iss ?? "")
              .split("/")
              .pop() ?? "";
          disabled(await findUser(poolId, claims.username));
        }
      }
      const handler = handlers[operation];
      if (!handler) {
        if (/UserPoolClient$/.test(operation)) clients = undefined;
        return forwardBuffered(req, res, body, upstream, () =>
          send(res, 502, { __type: "InternalErrorException", message: "cognito-local did not answer" }),
        );
      }
      send(res, 200, await handler(input));
    } catch (error) {
      if (!(error instanceof AwsJsonError)) throw error;
      send(res, error.status, { __type: error.type, message: error.message });
    }
  }

  options.server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      send(res, 500, {
        __type: "InternalErrorException",
        message: `The local user pool failed: ${String(error)}`,
      });
    });
  });
}

async function cognitoLocalJwk(): Promise<import("node:crypto").JsonWebKey> {
  const require = createRequire(import.meta.url);
  const file = join(
    require.resolve("cognito-local/package.json"),
    "..",
    "lib",
    "keys",
    "cognitoLocal.public.json",
  );
  return (JSON.parse(await readFile(file, "utf8")) as { jwk: import("node:crypto").JsonWebKey }).jwk;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/x-amz-json-1.1",
    "content-length": Buffer.byteLength(json),
    "x-amzn-requestid": randomUUID(),
    // The admin app calls the pool from the browser, as it calls Cognito.
    "access-control-allow-origin": "*",
    ...(status >= 400 ? { "x-amzn-errortype": (body as { __type: string }).__type } : {}),
  });
  res.end(json);
}

function pipeThrough(req: IncomingMessage, res: ServerResponse, upstream: URL): void {
  const proxied = httpRequest(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: upstream.host },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  proxied.on("error", () => {
    if (res.headersSent) res.destroy();
    else res.writeHead(502).end();
  });
  req.pipe(proxied);
}

/** Cognito's requests are small JSON documents; anything past 1 MB is cut off. */
const MAX_BODY_BYTES = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error("request body over 1 MB"));
      else chunks.push(chunk);
    });
    req.on("error", reject);
    req.on("end", () => resolve(Buffer.concat(chunks)));
  });
}
