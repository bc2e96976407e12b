import { randomUUID } from "node:crypto";
import type { GetCredentialsForIdentityResponse, GetIdResponse } from "@aws-sdk/client-cognito-identity";
import { ConfigError } from "@photogate/core";
import { OWNER_PRINCIPAL_TAG } from "@photogate/policies";
import { type AwsJsonOperation, startAwsJsonServer } from "../aws-json-server";
import type { CredentialStore } from "../credentials";
import { IdentityError } from "./errors";
import { createIdTokenVerifier, type IdentityProvider } from "./id-token-verifier";
import { identityIdFor } from "./identity-id";

export type { IdentityProvider } from "./id-token-verifier";

export interface IdentityEndpointOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the endpoint hands out credentials to anyone holding a valid ID token. */
  host?: string;
  /** The region in identity ids (`{region}:{uuid}`) and in the pool id. */
  region: string;
  /** `{region}:{uuid}`, the id callers pass to GetId. */
  identityPoolId: string;
  /**
   * Trusted user pools by their Logins key, `cognito-idp.{region}.amazonaws.com/{userPoolId}`
   * (the form AWS uses and packages/client checks).
   */
  providers: Record<string, IdentityProvider>;
  /** Where sessions are issued; the local S3 gateway checks requests against it. */
  credentials: CredentialStore;
  /** Lifetime of issued credentials. Default 3600, GetCredentialsForIdentity's one hour. */
  sessionSeconds?: number;
  /**
   * Guests (GetId and GetCredentialsForIdentity without Logins) get unauthenticated-role
   * sessions, as `allow_unauthenticated_identities` does on AWS. The stacks turn it on only
   * with `env.publicSharing`; default false, and guests are refused.
   */
  allowGuests?: boolean;
}

export interface IdentityEndpoint {
  /** Base URL to give `CognitoIdentityClient` as `endpoint`. */
  url: string;
  close(): Promise<void>;
}

const TARGET_PREFIX = "AWSCognitoIdentityService.";
const IDENTITY_POOL_ID = /^[\w-]+:[0-9a-f-]+$/;
const IDENTITY_ID = /^[\w-]+:[0-9a-f-]+$/;

/**
 * A Cognito-identity-compatible endpoint for local runs: GetId and GetCredentialsForIdentity
 * over JSON 1.1, for the enhanced (authenticated) flow the stacks configure. Credentials come
 * from the CredentialStore with the session tag `owner` = the token's `sub`, the principal tag
 * the identity pool maps on AWS. Guests are refused unless `allowGuests` (public sharing) is
 * on; then they get unauthenticated-role sessions without tags. Requests are SigV4-signed by the SDK but not checked (GetId and
 * GetCredentialsForIdentity are unsigned calls on AWS too; the Logins token is the proof).
 */
export async function startIdentityEndpoint(options: IdentityEndpointOptions): Promise<IdentityEndpoint> {
  const config = validate(options);
  const verifiers = new Map(
    Object.entries(config.providers).map(([name, provider]) => [name, createIdTokenVerifier(provider)]),
  );
  // Identity ids handed out since start-up: tells "someone else's identity" from "no such identity".
  const known = new Map<string, string>();
  /** Identity ids handed to guests; only these may get guest credentials. */
  const guests = new Set<string>();
  const hasNoLogins = (logins: unknown) =>
    logins === undefined || logins === null || (isObject(logins) && Object.keys(logins).length === 0);

  /** Verifies the one login and returns its provider, sub and identity id. */
  const login = async (logins: unknown) => {
    if (logins === undefined || logins === null || (isObject(logins) && Object.keys(logins).length === 0)) {
      throw new IdentityError(
        "NotAuthorizedException",
        "Unauthenticated access is not supported for this identity pool.",
      );
    }
    if (!isObject(logins))
      throw new IdentityError("InvalidParameterException", "Logins must be a map of provider name to token.");
    const entries = Object.entries(logins);
    if (entries.length > 1) {
      throw new IdentityError(
        "InvalidParameterException",
        `The local identity endpoint takes one login; got ${entries.length} (${entries.map(([name]) => name).join(", ")}).`,
      );
    }
    const [providerName, token] = entries[0]!;
    const verify = verifiers.get(providerName);
    if (!verify) {
      throw new IdentityError(
        "NotAuthorizedException",
        `Token is not from a supported provider of this identity pool (${providerName}; trusted: ${[...verifiers.keys()].join(", ")}).`,
      );
    }
    if (typeof token !== "string" || token === "") {
      throw new IdentityError("InvalidParameterException", `Logins["${providerName}"] must be the ID token.`);
    }
    const sub = await verify(token);
    const identityId = identityIdFor(config.region, config.identityPoolId, providerName, sub);
    return { sub, identityId };
  };

  const operations: Record<string, AwsJsonOperation> = {
    async GetId(body): Promise<GetIdResponse> {
      const poolId = body.IdentityPoolId;
      if (typeof poolId !== "string" || !IDENTITY_POOL_ID.test(poolId)) {
        throw new IdentityError(
          "InvalidParameterException",
          "IdentityPoolId must look like {region}:{uuid}.",
        );
      }
      if (poolId !== config.identityPoolId) {
        throw new IdentityError("ResourceNotFoundException", `IdentityPool '${poolId}' not found.`);
      }
      if (config.allowGuests && hasNoLogins(body.Logins)) {
        const guestId = `${config.region}:${randomUUID()}`;
        guests.add(guestId);
        return { IdentityId: guestId };
      }
      const { sub, identityId } = await login(body.Logins);
      known.set(identityId, sub);
      return { IdentityId: identityId };
    },

    async GetCredentialsForIdentity(body): Promise<GetCredentialsForIdentityResponse> {
      const identityId = body.IdentityId;
      if (typeof identityId !== "string" || !IDENTITY_ID.test(identityId) || identityId.length > 55) {
        throw new IdentityError("InvalidParameterException", "IdentityId must look like {region}:{uuid}.");
      }
      if (body.CustomRoleArn !== undefined) {
        throw new IdentityError(
          "InvalidParameterException",
          "CustomRoleArn is not supported: the pool has one authenticated role.",
        );
      }
      if (config.allowGuests && hasNoLogins(body.Logins)) {
        if (!guests.has(identityId)) {
          // An authenticated identity needs its login; an unknown id does not exist.
          throw known.has(identityId)
            ? new IdentityError(
                "NotAuthorizedException",
                "Logins don't match. Please include at least one valid login for this identity or identity pool.",
              )
            : new IdentityError("ResourceNotFoundException", `Identity '${identityId}' not found.`);
        }
        const session = config.credentials.issue(identityId, {}, config.sessionSeconds, "unauthenticated");
        return {
          IdentityId: identityId,
          Credentials: {
            AccessKeyId: session.accessKeyId,
            SecretKey: session.secretAccessKey,
            SessionToken: session.sessionToken,
            Expiration: session.expiration,
          },
        };
      }
      const { sub, identityId: own } = await login(body.Logins);
      if (identityId !== own) {
        // The caller proved who they are, but this identity is not theirs (or never existed).
        if (known.has(identityId)) {
          throw new IdentityError(
            "NotAuthorizedException",
            "Logins don't match. Please include at least one valid login for this identity or identity pool.",
          );
        }
        throw new IdentityError("ResourceNotFoundException", `Identity '${identityId}' not found.`);
      }
      known.set(own, sub);
      const session = config.credentials.issue(own, { [OWNER_PRINCIPAL_TAG]: sub }, config.sessionSeconds);
      return {
        IdentityId: own,
        Credentials: {
          AccessKeyId: session.accessKeyId,
          SecretKey: session.secretAccessKey,
          SessionToken: session.sessionToken,
          // Serialized as epoch seconds (JSON 1.1 timestamps), see send().
          Expiration: session.expiration,
        },
      };
    },
  };

  return startAwsJsonServer({
    service: "Cognito Identity",
    targetPrefix: TARGET_PREFIX,
    operations,
    port: options.port,
    host: config.host,
    // GetId and GetCredentialsForIdentity bodies are an id and a token or two: a few KB.
    maxBodyBytes: 64 * 1024,
    tooLarge: (bytes) =>
      new IdentityError("InvalidParameterException", `Request body of ${bytes} bytes is too large.`),
    internalErrorType: "InternalErrorException",
  });
}

function validate(options: IdentityEndpointOptions) {
  const problems: string[] = [];
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(options.region))
    problems.push(`region "${options.region}" is not an AWS region`);
  if (
    !IDENTITY_POOL_ID.test(options.identityPoolId) ||
    !options.identityPoolId.startsWith(`${options.region}:`)
  ) {
    problems.push(`identityPoolId "${options.identityPoolId}" must look like ${options.region}:{uuid}`);
  }
  const providers = Object.entries(options.providers ?? {});
  if (providers.length === 0) problems.push("providers is empty: no user pool would be trusted");
  for (const [name, provider] of providers) {
    if (name === "") problems.push("a provider has an empty name");
    for (const field of ["issuer", "jwksUri"] as const) {
      try {
        new URL(provider[field]);
      } catch {
        problems.push(`providers["${name}"].${field} is not a URL`);
      }
    }
    if (provider.clientIds.length === 0) problems.push(`providers["${name}"].clientIds is empty`);
  }
  const sessionSeconds = options.sessionSeconds ?? 3600;
  if (!Number.isInteger(sessionSeconds) || sessionSeconds < 60) {
    problems.push(`sessionSeconds must be a whole number ≥ 60, not ${sessionSeconds}`);
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid identity endpoint options:\n  ${problems.join("\n  ")}`);
  }
  return {
    host: options.host ?? "127.0.0.1",
    region: options.region,
    identityPoolId: options.identityPoolId,
    providers: options.providers,
    credentials: options.credentials,
    sessionSeconds,
    allowGuests: options.allowGuests ?? false,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
