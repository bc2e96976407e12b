import { ConfigError } from "@photogate/core";
import * as z from "zod/mini";

/**
 * The config baked next to the bundle as `config.json` (Lambda@Edge has no environment
 * variables). The CDKTF stack renders it after the user pool exists; the JWKS in it is the
 * pool's public key set, so a cold start verifies tokens without a network call.
 *
 * zod/mini instead of zod: the full build adds ~90 KB gzipped to a bundle that has a 1 MB cap
 * and should start fast; the mini build costs ~6 KB.
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

export type EdgeConfig = z.output<typeof EdgeConfigSchema>;
export type EdgeConfigInput = z.input<typeof EdgeConfigSchema>;

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

/** Validates the baked config once, at module init; a bad deploy fails loudly, naming every field. */
export function parseEdgeConfig(value: unknown, source = "config.json"): EdgeConfig {
  const result = EdgeConfigSchema.safeParse(value);
  if (result.success) return result.data;
  throw new ConfigError(`Invalid edge-auth configuration in ${source}:\n${z.prettifyError(result.error)}`);
}

/** Where the pool publishes its keys; also the cache key the verifier stores the baked JWKS under. */
export function jwksUri(config: Pick<EdgeConfig, "issuer">): string {
  return `${config.issuer}/.well-known/jwks.json`;
}
