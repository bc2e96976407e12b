import { type EdgeConfig, parseEdgeConfigJson } from "@photogate/core/edge";

export type { EdgeConfig } from "@photogate/core/edge";

/** Validates the baked config once, at module init; a bad deploy fails loudly, naming every field. */
export function parseEdgeConfig(value: unknown, source = "config.json"): EdgeConfig {
  return parseEdgeConfigJson(value, source);
}

/** Where the pool publishes its keys; also the cache key the verifier stores the baked JWKS under. */
export function jwksUri(config: Pick<EdgeConfig, "issuer">): string {
  return `${config.issuer}/.well-known/jwks.json`;
}
