import {
  type FromCognitoIdentityPoolParameters,
  fromCognitoIdentityPool,
} from "@aws-sdk/credential-providers";
import { IdentityPoolCredentialsError } from "./errors";

/** Where to exchange a user-pool token for AWS credentials. */
export interface IdentityPoolLogin {
  /** `{region}:{uuid}`; the region is also where the Cognito Identity client sends, unless `clientConfig` says otherwise. */
  identityPoolId: string;
  /** The user pool as a login provider: `cognito-idp.{region}.amazonaws.com/{userPoolId}`. */
  userPoolProvider: string;
  /**
   * The SDK's Cognito Identity client settings: `endpoint` for the local stack or LocalStack,
   * a `requestHandler` in tests.
   */
  clientConfig?: FromCognitoIdentityPoolParameters["clientConfig"];
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

const IDENTITY_POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d):[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}$/;
const PROVIDER_NAME = /^cognito-idp\.[a-z]{2}(-[a-z]+)+-\d\.amazonaws\.com\/[\w-]+_[0-9A-Za-z]+$/;

/**
 * Exchanges a user-pool ID token for identity-pool credentials through the SDK's
 * `fromCognitoIdentityPool`: `GetId`, then `GetCredentialsForIdentity` with the same `Logins`
 * map (the enhanced flow, which applies the pool's principal tags).
 *
 * Identity pools need the **ID token**, not the access token.
 */
export async function identityPoolCredentials(
  input: IdentityPoolCredentialsInput,
): Promise<IdentityPoolCredentials> {
  return exchange(input, input.idToken, identityMemo(input.identityId));
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
  let memo = identityMemo();
  let inFlight: Promise<IdentityPoolCredentials> | undefined;

  const refresh = async (): Promise<IdentityPoolCredentials> => {
    const idToken = await options.idToken();
    const remembered = memo.getItem() !== null;
    try {
      cached = await exchange(options, idToken, memo);
    } catch (error) {
      // A remembered identity can be deleted (or the pool recreated): look it up again, once.
      if (!(remembered && nameOf(error) === "ResourceNotFoundException")) throw error;
      memo.removeItem();
      cached = await exchange(options, idToken, memo);
    }
    return cached;
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
    memo = identityMemo();
  };
  return provider;
}

/** The one identity id a provider remembers, as the SDK's cache: renewals skip GetId. */
function identityMemo(identityId?: string) {
  let remembered = identityId;
  return {
    getItem: () => remembered ?? null,
    setItem: (_key: string, id: string) => {
      remembered = id;
    },
    // The SDK forgets the id after any failed exchange, so the next one starts with GetId.
    removeItem: () => {
      remembered = undefined;
    },
  };
}

async function exchange(
  login: IdentityPoolLogin,
  idToken: string,
  memo: ReturnType<typeof identityMemo>,
): Promise<IdentityPoolCredentials> {
  const region = checkLogin(login, idToken);
  let credentials: Awaited<ReturnType<ReturnType<typeof fromCognitoIdentityPool>>>;
  try {
    credentials = await fromCognitoIdentityPool({
      clientConfig: { region, ...login.clientConfig },
      identityPoolId: login.identityPoolId,
      logins: { [login.userPoolProvider]: idToken },
      cache: memo,
      // The memo holds one user's identity, so the cache key needs no user name.
      userIdentifier: "signed-in",
    })();
  } catch (error) {
    throw explained(error);
  }
  const { sessionToken, expiration } = credentials;
  if (!sessionToken || !expiration) {
    const missing = [sessionToken ? [] : "SessionToken", expiration ? [] : "Expiration"].flat();
    throw new IdentityPoolCredentialsError(
      "MISSING_CREDENTIALS",
      `GetCredentialsForIdentity returned no ${missing.join(", ")}; check the identity pool's authenticated role`,
    );
  }
  return {
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken,
    expiration,
    identityId: credentials.identityId,
  };
}

/**
 * Without a user-pool login the identity pool would hand out guest credentials: refuse before
 * asking. Returns the identity pool's region.
 */
function checkLogin({ identityPoolId, userPoolProvider }: IdentityPoolLogin, idToken: string): string {
  const region = IDENTITY_POOL_ID.exec(identityPoolId)?.[1];
  if (!region) {
    throw new IdentityPoolCredentialsError(
      "INVALID_INPUT",
      `identityPoolId "${identityPoolId}" must look like {region}:{uuid}, as the identity pool's console shows it`,
    );
  }
  if (!PROVIDER_NAME.test(userPoolProvider)) {
    throw new IdentityPoolCredentialsError(
      "INVALID_INPUT",
      `userPoolProvider "${userPoolProvider}" must look like cognito-idp.{region}.amazonaws.com/{userPoolId}`,
    );
  }
  if (idToken.trim() === "") {
    throw new IdentityPoolCredentialsError(
      "INVALID_INPUT",
      "No user-pool ID token was given: sign in first, then pass the ID token",
    );
  }
  if (tokenUse(idToken) === "access") {
    throw new IdentityPoolCredentialsError(
      "INVALID_INPUT",
      "An access token was passed where the user-pool ID token is needed: identity pools accept only ID tokens",
    );
  }
  return region;
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

/**
 * The SDK sends its own copies of the Cognito commands, so their errors are told apart by name,
 * not by class.
 */
function nameOf(error: unknown): unknown {
  return (error as { name?: unknown } | null)?.name;
}

function explained(error: unknown): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (nameOf(error) === "NotAuthorizedException") {
    return new IdentityPoolCredentialsError(
      "NOT_AUTHORIZED",
      `The identity pool refused the ID token (${message}): sign in again, or check that the ` +
        "token comes from the app client the identity pool trusts",
      { cause: error },
    );
  }
  // The SDK's provider throws CredentialsProviderError when Cognito's answer lacks a field.
  if (nameOf(error) === "CredentialsProviderError") {
    return /identity ID/.test(message)
      ? new IdentityPoolCredentialsError("MISSING_IDENTITY_ID", `GetId returned no IdentityId (${message})`, {
          cause: error,
        })
      : new IdentityPoolCredentialsError(
          "MISSING_CREDENTIALS",
          `${message}: check the identity pool's authenticated role`,
          { cause: error },
        );
  }
  return error;
}
