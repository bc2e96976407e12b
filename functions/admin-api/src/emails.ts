import { ListUsersCommand } from "@aws-sdk/client-cognito-identity-provider";
import type { AdminApiDeps } from "./deps";

/**
 * People as e-mails: the app shows owners and actors by e-mail, not by sub. One ListUsers
 * `sub = "…"` lookup per unknown sub, remembered for a minute per warm instance (a page of 25
 * photos usually has a handful of owners, and the same few staff act in the audit log).
 */
const TTL_MS = 60_000;
const MAX_ENTRIES = 5000;
const cache = new Map<string, { email: string | undefined; at: number }>();

export async function emailsOf(
  deps: Pick<AdminApiDeps, "cognito" | "config">,
  subs: Iterable<string>,
  now = Date.now(),
): Promise<Map<string, string>> {
  const wanted = [...new Set(subs)].filter((s) => /^[0-9a-f-]{36}$/.test(s));
  const found = new Map<string, string>();
  const missing: string[] = [];
  for (const sub of wanted) {
    const hit = cache.get(sub);
    if (hit && now - hit.at < TTL_MS) {
      if (hit.email) found.set(sub, hit.email);
    } else missing.push(sub);
  }
  await Promise.all(
    missing.map(async (sub) => {
      const email = await lookUp(deps, sub);
      if (cache.size >= MAX_ENTRIES) cache.clear();
      cache.set(sub, { email, at: now });
      if (email) found.set(sub, email);
    }),
  );
  return found;
}

/** Forgets what is known (a user deleted or an e-mail changed, and in tests). */
export function forgetEmails(): void {
  cache.clear();
}

async function lookUp(deps: Pick<AdminApiDeps, "cognito" | "config">, sub: string) {
  // A lookup that fails leaves the sub on screen rather than failing the page.
  try {
    const result = await deps.cognito.send(
      new ListUsersCommand({ UserPoolId: deps.config.userPoolId, Filter: `sub = "${sub}"`, Limit: 1 }),
    );
    return result.Users?.[0]?.Attributes?.find((a) => a.Name === "email")?.Value;
  } catch {
    return undefined;
  }
}

/** Finds a user's sub by e-mail (exact, lower-cased), or undefined. */
export async function subOfEmail(
  deps: Pick<AdminApiDeps, "cognito" | "config">,
  email: string,
): Promise<string | undefined> {
  const result = await deps.cognito.send(
    new ListUsersCommand({
      UserPoolId: deps.config.userPoolId,
      Filter: `email = "${email.toLowerCase().replace(/["\\]/g, "")}"`,
      Limit: 1,
    }),
  );
  const user = result.Users?.[0];
  return user?.Attributes?.find((a) => a.Name === "sub")?.Value ?? user?.Username;
}
