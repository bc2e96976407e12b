import { z } from "zod";

/**
 * The runtime config the app fetches from `/config.json` at start-up, so one build serves every
 * environment. On AWS the AdminSite construct renders it (apiUrl, region, userPoolId,
 * userPoolClientId); local runs add the user-pool emulator's endpoint.
 */
export const AppConfig = z.object({
  /** The admin API's base URL (`https://{site}/api` on AWS: same origin). */
  apiUrl: z.url(),
  region: z.string().min(1),
  userPoolId: z.string().min(1),
  /** The admin app client (its tokens are the only ones the API's authorizer accepts). */
  userPoolClientId: z.string().min(1),
  /** Cognito's endpoint; default `https://cognito-idp.{region}.amazonaws.com/`. */
  userPoolEndpoint: z.url().optional(),
});
export type AppConfig = z.infer<typeof AppConfig>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Where sign-in, refresh and revocation go. */
export function cognitoEndpoint(config: AppConfig): string {
  return config.userPoolEndpoint ?? `https://cognito-idp.${config.region}.amazonaws.com/`;
}

/** Parses a config.json body; the error names every wrong field, for whoever deployed it. */
export function parseConfig(json: unknown): AppConfig {
  const parsed = AppConfig.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(`config.json is not valid:\n${z.prettifyError(parsed.error)}`);
  }
  // A trailing slash would give `//users` paths.
  return { ...parsed.data, apiUrl: parsed.data.apiUrl.replace(/\/+$/, "") };
}

export async function loadConfig(fetchImpl: typeof fetch = fetch): Promise<AppConfig> {
  let response: Response;
  try {
    response = await fetchImpl("/config.json", { cache: "no-store" });
  } catch (error) {
    throw new ConfigError(`Could not load /config.json: ${(error as Error).message}`);
  }
  if (!response.ok) throw new ConfigError(`Could not load /config.json (HTTP ${response.status}).`);
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    throw new ConfigError("/config.json is not JSON.");
  }
  return parseConfig(json);
}
