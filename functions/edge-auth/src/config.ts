import { ConfigError, type EdgeConfig, EdgeConfigSchema } from "@photogate/core";

export type { EdgeConfig } from "@photogate/core";

/** Validates the baked config once, at module init; a bad deploy fails loudly, naming every field. */
export function parseEdgeConfig(value: unknown, source = "config.json"): EdgeConfig {
  const result = EdgeConfigSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
  throw new ConfigError(`Invalid edge-auth configuration in ${source}:\n  ${problems.join("\n  ")}`);
}

/** Where the pool publishes its keys; also the cache key the verifier stores the baked JWKS under. */
export function jwksUri(config: Pick<EdgeConfig, "issuer">): string {
  return `${config.issuer}/.well-known/jwks.json`;
}
