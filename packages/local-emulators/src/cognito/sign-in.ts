import { randomBytes } from "node:crypto";
import { AwsJsonError } from "../aws-json-server";
import type { CognitoLocalApi, Input, PoolUser } from "./cognito-local-api";
import type { PoolTokens } from "./pool-tokens";
import {
  challengeValues,
  decoySrp,
  type SrpServerState,
  startSrp,
  validSrpA,
  verifyPasswordClaim,
} from "./srp";
import type { TokenRevocations } from "./token-revocations";

const INCORRECT = "Incorrect username or password.";
/** How long a PASSWORD_VERIFIER challenge can be answered. */
const SRP_TTL_MS = 3 * 60 * 1000;

interface PendingSrp {
  state: SrpServerState;
  clientId: string;
  userPoolId: string;
  userId: string;
  password?: string;
  expiresAt: number;
}

export const notAuthorized = (message = INCORRECT) => new AwsJsonError("NotAuthorizedException", message);

/** Cognito refuses a disabled user's sign-in, refresh and token calls alike. */
export function refuseDisabled(user: PoolUser | undefined): void {
  if (user?.Enabled === false) throw notAuthorized("User is disabled.");
}

/**
 * InitiateAuth and RespondToAuthChallenge as Cognito answers them
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html):
 * the app client's flows enforced, one error for a wrong password and an unknown user, disabled
 * users refused, revoked refresh tokens refused, and USER_SRP_AUTH's PASSWORD_VERIFIER.
 */
export function createSignIn(
  { call, client, findUser, storedPassword }: CognitoLocalApi,
  { decodeToken, completed }: PoolTokens,
  revocations: TokenRevocations,
  now: () => number,
) {
  const pendingSrp = new Map<string, PendingSrp>();
  const disabled = refuseDisabled;

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
      return completed(result, claims.jti);
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

  return { initiateAuth, respondToAuthChallenge };
}
