import {
  type CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
  NotAuthorizedException,
  ResourceNotFoundException,
} from "@aws-sdk/client-cognito-identity";
import { IdentityPoolCredentialsError } from "./errors";

/** Where to exchange a user-pool token for AWS credentials. */
export interface IdentityPoolLogin {
  client: CognitoIdentityClient;
  /** `{region}:{uuid}`. */
  identityPoolId: string;
  /** The user pool as a login provider: `cognito-idp.{region}.amazonaws.com/{userPoolId}`. */
  userPoolProvider: string;
}

export interface IdentityPoolCredentialsInput extends IdentityPoolLogin {
  /**
   * The user pool **ID token**. Identity pools verify the token's `aud` against the app client
   * id, a claim only ID tokens carry, so an access token is refused.
   */
  idToken: string;
  /** The identity id from an earlier call; skips GetId. */
  identityId?: string;
}

/**
 * Temporary AWS credentials, usable wherever the SDK takes an `AwsCredentialIdentity`. The
 * role session carries the `owner` tag (the user-pool `sub`), which confines it to the user's
 * own `uploads/` and `photos/` prefixes.
 */
export interface IdentityPoolCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  /** The identity-pool identity: not the user's `sub`, never use it to build object keys. */
  identityId: string;
}

const PROVIDER_NAME = /^cognito-idp\.[a-z]{2}(-[a-z]+)+-\d\.amazonaws\.com\/[\w-]+_[0-9A-Za-z]+$/;

/**
 * Exchanges a user-pool ID token for identity-pool credentials: `GetId`, then
 * `GetCredentialsForIdentity` with the same `Logins` map (the enhanced flow, which applies
 * the pool's principal tags).
 *
 * Identity pools need the **ID token**, not the access token.
 */
export async function identityPoolCredentials(
  input: IdentityPoolCredentialsInput,
): Promise<IdentityPoolCredentials> {
  checkLogin(input);
  const logins = { [input.userPoolProvider]: input.idToken };
  const identityId = input.identityId ?? (await getIdentityId(input, logins));
  const response = await send(() =>
    input.client.send(new GetCredentialsForIdentityCommand({ IdentityId: identityId, Logins: logins })),
  );
  const credentials = response.Credentials;
  const missing = (["AccessKeyId", "SecretKey", "SessionToken", "Expiration"] as const).filter(
    (field) => credentials?.[field] === undefined || credentials[field] === "",
  );
  if (!credentials || missing.length > 0) {
    throw new IdentityPoolCredentialsError(
      "MISSING_CREDENTIALS",
      `GetCredentialsForIdentity returned no ${missing.join(", ")}; check the identity pool's authenticated role`,
    );
  }
  return {
    accessKeyId: credentials.AccessKeyId!,
    secretAccessKey: credentials.SecretKey!,
    sessionToken: credentials.SessionToken!,
    expiration: credentials.Expiration!,
    identityId: response.IdentityId ?? identityId,
  };
}

export interface IdentityPoolCredentialProviderOptions extends IdentityPoolLogin {
  /**
   * Returns a current user-pool **ID token** (not the access token). Called on every refresh,
   * so an app hands in its auth library's getter, which refreshes the token itself.
   */
  idToken: () => string | Promise<string>;
  /** Credentials are renewed this long before they expire. Default: 5 minutes. */
  refreshBeforeExpiryMs?: number;
  /** Clock, injectable for tests. */
  now?: () => number;
}

/**
 * A credential provider: `withCredentialRefresh(new S3Client({ credentials: provider }))`.
 * `forceRefresh` (what the SDK passes when asked to) fetches new credentials even if the cached
 * ones have not reached their expiry: AWS may have stopped honouring them sooner.
 */
export interface IdentityPoolCredentialProvider {
  (options?: { forceRefresh?: boolean }): Promise<IdentityPoolCredentials>;
  /** Forgets the cached credentials and identity id (call it on sign-out). */
  clear(): void;
}

const DEFAULT_REFRESH_BEFORE_EXPIRY_MS = 5 * 60 * 1000;

/**
 * Caches identity-pool credentials and renews them shortly before they expire, or when forced.
 * Concurrent callers share one request; the identity id is looked up once and reused.
 */
export function identityPoolCredentialProvider(
  options: IdentityPoolCredentialProviderOptions,
): IdentityPoolCredentialProvider {
  const now = options.now ?? Date.now;
  const margin = options.refreshBeforeExpiryMs ?? DEFAULT_REFRESH_BEFORE_EXPIRY_MS;
  let cached: IdentityPoolCredentials | undefined;
  let identityId: string | undefined;
  let inFlight: Promise<IdentityPoolCredentials> | undefined;

  const refresh = async (): Promise<IdentityPoolCredentials> => {
    const idToken = await options.idToken();
    const login = { ...options, idToken };
    let credentials: IdentityPoolCredentials;
    try {
      credentials = await identityPoolCredentials(identityId ? { ...login, identityId } : login);
    } catch (error) {
      // A remembered identity can be deleted (or the pool recreated): look it up again, once.
      if (!(identityId && error instanceof ResourceNotFoundException)) throw error;
      identityId = undefined;
      credentials = await identityPoolCredentials(login);
    }
    identityId = credentials.identityId;
    cached = credentials;
    return credentials;
  };

  const provider = (async (providerOptions?: { forceRefresh?: boolean }) => {
    const fresh = cached && cached.expiration.getTime() - margin > now();
    if (fresh && !providerOptions?.forceRefresh) return cached;
    inFlight ??= refresh().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }) as IdentityPoolCredentialProvider;
  provider.clear = () => {
    cached = undefined;
    identityId = undefined;
  };
  return provider;
}

function checkLogin(input: IdentityPoolCredentialsInput): void {
  if (!PROVIDER_NAME.test(input.userPoolProvider)) {
    throw new IdentityPoolCredentialsError(
      "INVALID_INPUT",
      `userPoolProvider "${input.userPoolProvider}" must look like cognito-idp.{region}.amazonaws.com/{userPoolId}`,
    );
  }
  if (tokenUse(input.idToken) === "access") {
    throw new IdentityPoolCredentialsError(
      "INVALID_INPUT",
      "An access token was passed where the user-pool ID token is needed: identity pools accept only ID tokens",
    );
  }
}

/** The token's `token_use` claim, if the token can be read at all (Cognito verifies it, not this). */
function tokenUse(token: string): unknown {
  const payload = token.split(".")[1];
  if (!payload) return undefined;
  try {
    const json = atob(payload.replaceAll("-", "+").replaceAll("_", "/"));
    return (JSON.parse(json) as { token_use?: unknown }).token_use;
  } catch {
    return undefined;
  }
}

async function getIdentityId(login: IdentityPoolLogin, logins: Record<string, string>): Promise<string> {
  const response = await send(() =>
    login.client.send(new GetIdCommand({ IdentityPoolId: login.identityPoolId, Logins: logins })),
  );
  if (!response.IdentityId) {
    throw new IdentityPoolCredentialsError("MISSING_IDENTITY_ID", "GetId returned no IdentityId");
  }
  return response.IdentityId;
}

async function send<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof NotAuthorizedException) {
      throw new IdentityPoolCredentialsError(
        "NOT_AUTHORIZED",
        `The identity pool refused the ID token (${error.message}): sign in again, or check that the ` +
          "token comes from the app client the identity pool trusts",
        { cause: error },
      );
    }
    throw error;
  }
}
