import { randomUUID } from "node:crypto";
import {
  type createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { AwsJsonError } from "../aws-json-server";
import type { CredentialStore } from "../credentials";
import { type Upstream, upstreamOptions } from "../http-server";
import { type JsonAuthorizer, LOCAL_ACCOUNT_ID } from "../iam/json-authorizer";
import { verifyJsonSignature } from "../iam/json-sigv4";
import { readBody } from "../read-body";
import { enforceWriteAttributes } from "./attribute-permissions";
import { cognitoLocalApi, type Input, type PoolUser, TARGET_PREFIX } from "./cognito-local-api";
import { createPoolTokens } from "./pool-tokens";
import { createSignIn, refuseDisabled } from "./sign-in";
import { TokenRevocations } from "./token-revocations";

export interface UserPoolFrontOptions {
  /** Where cognito-local listens (its Unix socket, or its URL). */
  upstream: Upstream;
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

/** Cognito's requests are small JSON documents; a larger body is refused. */
const MAX_BODY_BYTES = 1024 * 1024;

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

/**
 * The user pool's front door, in front of cognito-local, for what cognito-local does not do as
 * Cognito does: sign-in errors that reveal no users, disabled users, the app client's allowed
 * flows, USER_SRP_AUTH, GlobalSignOut / AdminUserGlobalSignOut / RevokeToken revoking tokens,
 * access tokens checked (signature, expiry, revocation) before any operation that takes one,
 * `ExpiresIn` and `TokenType` in results, and SigV4 + IAM on the IAM-authorised operations.
 * Everything else is passed through unchanged.
 */
export async function attachUserPoolFront(options: UserPoolFrontOptions): Promise<void> {
  const { upstream } = options;
  const now = options.now ?? Date.now;
  const revocations = await TokenRevocations.open(options.revocationsFile, now);
  const api = cognitoLocalApi(upstream, options.dbDir);
  const { call, client, findUser } = api;
  const tokens = await createPoolTokens(revocations, now);
  const { decodeToken, accessToken } = tokens;
  const { initiateAuth, respondToAuthChallenge } = createSignIn(api, tokens, revocations, now);

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
      // A refresh token is the one token without `token_use`; ID and access tokens are refused.
      if (!claims || claims.token_use !== undefined || typeof claims["cognito:username"] !== "string") {
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
    const { body: read } = await readBody(req, { maxBytes: MAX_BODY_BYTES });
    const body = read ?? Buffer.alloc(0);
    const operation = String(req.headers["x-amz-target"] ?? "").replace(TARGET_PREFIX, "");
    try {
      if (!read) throw new AwsJsonError("SerializationException", "The request body is over 1 MB.");
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
          refuseDisabled(await findUser(poolId, claims.username));
          // The app client's WriteAttributes (users never write `picture`): cognito-local has none.
          await enforceWriteAttributes(call, operation, input, {
            userPoolId: poolId,
            clientId: claims.client_id,
          });
        }
      }
      const handler = handlers[operation];
      if (!handler && /UserPoolClient$/.test(operation)) api.forgetClients();
      send(res, 200, await (handler ? handler(input) : call(operation, input)));
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

function pipeThrough(req: IncomingMessage, res: ServerResponse, upstream: Upstream): void {
  const { target, host } = upstreamOptions(upstream);
  const proxied = httpRequest(
    { ...target, method: req.method, path: req.url, headers: { ...req.headers, host } },
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
