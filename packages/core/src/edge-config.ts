import * as z from "zod/mini";
import { ConfigError } from "./errors";
import { UPLOAD_CONTENT_TYPES } from "./keys";

/**
 * The edge function's config: the `config.json` baked next to its bundle (Lambda@Edge has no
 * environment variables). The EdgeDistribution construct renders it from Terraform references
 * after the user pool exists, the local stack builds it at start-up, and the edge parses it
 * with this schema; the JWKS in it is the pool's public key set, so a cold start verifies
 * tokens without a network call.
 *
 * zod/mini instead of zod: the edge bundle imports this module, and the full build adds
 * ~90 KB gzipped to a bundle that has a 1 MB cap and should start fast; mini costs ~6 KB.
 */

// Loopback issuers are the local user-pool emulator; anything else must be https so the
// one-off JWKS refresh cannot be tampered with on the wire.
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

const RsaJwk = z.looseObject({
  kty: z.literal("RSA"),
  kid: z.string().check(z.minLength(1)),
  n: z.string().check(z.minLength(1)),
  e: z.string().check(z.minLength(1)),
  alg: z.optional(z.literal("RS256")),
  use: z.optional(z.literal("sig")),
});

export const EdgeConfigSchema = z
  .object({
    region: z.string().check(z.minLength(1)),
    userPoolId: z.string().check(z.regex(/^[\w-]+_[0-9A-Za-z]+$/, "must look like {region}_{id}")),
    issuer: z.string().check(z.minLength(1)),
    clientIds: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
    tokenUse: z.literal("access"),
    jwks: z.looseObject({ keys: z.array(RsaJwk).check(z.minLength(1)) }),
    maxUploadBytes: z.number().check(z.int(), z.positive()),
    allowedContentTypes: z
      .array(z.string().check(z.regex(/^image\/[a-z0-9.+-]+$/, "must be a lower-case image/* type")))
      .check(z.minLength(1)),
    /** Requests with no Authorization header may GET/HEAD shared/ (env.publicSharing); off unless set. */
    publicSharing: z._default(z.boolean(), false),
    /** Leeway for exp, nbf and iat against the edge's clock. */
    clockSkewSeconds: z._default(z.number().check(z.int(), z.nonnegative(), z.lte(300)), 30),
    /** After a JWKS refresh that did not help (or failed), unknown kids are refused without fetching for this long. */
    jwksRefreshCooldownSeconds: z._default(z.number().check(z.int(), z.positive()), 30),
  })
  .check(
    z.refine((c) => issuerProblem(c.issuer, c.userPoolId) === undefined, {
      message: "issuer must be https://…/{userPoolId} (http only for a loopback emulator)",
      path: ["issuer"],
    }),
  );

/** The config the edge runs with, defaults filled in. */
export type EdgeConfig = z.output<typeof EdgeConfigSchema>;
/** What config.json holds: the schema's input, defaults optional. */
export type EdgeConfigJson = z.input<typeof EdgeConfigSchema>;

function issuerProblem(issuer: string, userPoolId: string): string | undefined {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return "not a URL";
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname))) {
    return "not https";
  }
  if (url.search || url.hash || url.pathname !== `/${userPoolId}`) return "path is not /{userPoolId}";
  return undefined;
}

/** `iss` of a Cognito user pool's tokens (and the base of its JWKS address). */
export function cognitoIssuer(region: string, userPoolId: string): string {
  return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}

/**
 * The config.json for a user pool, with the environment's upload rules: what the stack renders
 * (with Terraform references for the pool id, client ids and JWKS) and the local stack bakes.
 */
export function edgeConfigJson(input: {
  region: string;
  userPoolId: string;
  clientIds: string[];
  /** The pool's key set (a `jsondecode` of the JWKS response in Terraform). */
  jwks: EdgeConfigJson["jwks"];
  maxUploadBytes: number;
  publicSharing: boolean;
  /** Defaults to Cognito's issuer for the pool; the local emulator's is a loopback URL. */
  issuer?: string;
}): EdgeConfigJson {
  return {
    region: input.region,
    userPoolId: input.userPoolId,
    issuer: input.issuer ?? cognitoIssuer(input.region, input.userPoolId),
    clientIds: input.clientIds,
    tokenUse: "access",
    jwks: input.jwks,
    maxUploadBytes: input.maxUploadBytes,
    allowedContentTypes: [...UPLOAD_CONTENT_TYPES],
    publicSharing: input.publicSharing,
  };
}

/** Validates a baked edge config; a bad deploy fails loudly, naming every field. */
export function parseEdgeConfigJson(value: unknown, source: string): EdgeConfig {
  const result = EdgeConfigSchema.safeParse(value);
  if (result.success) return result.data;
  throw new ConfigError(`Invalid edge-auth configuration in ${source}:\n${z.prettifyError(result.error)}`);
}
