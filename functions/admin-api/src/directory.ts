import {
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { DeleteCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { ADMIN_GROUPS, type UserSummary, userTable } from "@photogate/core";
import { type CognitoUser, listAllUsers, membersOf, nameOf, summaryOf } from "./cognito-user";
import type { AdminApiDeps } from "./deps";

/**
 * The user directory (core's userTable): one item per user, what the users search and list need,
 * so a search reads one DynamoDB partition instead of walking Cognito 60 users a call. The admin
 * API writes it through on every change it makes; `syncDirectory` (scheduled on AWS, periodic in
 * `pnpm dev`) brings in what changed elsewhere (sign-ups, the processor's `picture`).
 */
export interface DirectoryEntry extends UserSummary {
  /** `name`, else given and family names; absent when the user has none. */
  name?: string;
  /** The admin groups (support, admins) the user is in, sorted. */
  groups: string[];
}

type DirectoryDeps = Pick<AdminApiDeps, "cognito" | "dynamo" | "log"> & {
  config: { userPoolId: string; userTable?: string | undefined };
};

/** Fields that separate the lower-cased search text: a character nobody types in a search box. */
const SEARCH_SEPARATOR = "\n";

/** What the contains-search matches, lower-cased once at write time. */
export function searchTextOf(entry: Pick<DirectoryEntry, "email" | "username" | "sub" | "name">): string {
  return [entry.email, entry.username, entry.sub, entry.name]
    .filter(Boolean)
    .join(SEARCH_SEPARATOR)
    .toLowerCase();
}

export function entryOf(user: CognitoUser, groups: readonly string[]): DirectoryEntry {
  const name = nameOf(user);
  return { ...summaryOf(user), ...(name ? { name } : {}), groups: [...groups].sort() };
}

/**
 * The item of an entry. `readAt` is when Cognito was read: a write (or a sync's delete) never
 * replaces an item read later, so a sync that read the pool before a disable cannot undo it.
 */
function itemOf(pool: string, entry: DirectoryEntry, readAt: string) {
  return { [userTable.partitionKey]: pool, ...entry, search: searchTextOf(entry), readAt };
}

function entryOfItem(item: Record<string, unknown>): DirectoryEntry {
  const { pool: _pool, search: _search, readAt: _readAt, ...entry } = item;
  return entry as unknown as DirectoryEntry;
}

/** Same entry, whatever the key order: the sync writes only entries that differ. */
function sameEntry(a: DirectoryEntry, b: DirectoryEntry): boolean {
  const canonical = (e: DirectoryEntry) =>
    JSON.stringify(Object.entries(e).sort(([x], [y]) => x.localeCompare(y)));
  return canonical(a) === canonical(b);
}

function tableOf(deps: DirectoryDeps): string {
  const table = deps.config.userTable;
  if (!table) throw new Error("the user directory is not configured (PHOTOGATE_USER_TABLE)");
  return table;
}

const notReadLater = {
  ConditionExpression: "attribute_not_exists(#sub) OR #readAt <= :readAt",
  ExpressionAttributeNames: { "#sub": userTable.sortKey, "#readAt": "readAt" },
};

function isStale(error: unknown): boolean {
  return (error as { name?: string }).name === "ConditionalCheckFailedException";
}

/** Runs a write guarded by `notReadLater`; false when a newer write already stands. */
async function unlessStale(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isStale(error)) return false;
    throw error;
  }
}

function putEntry(deps: DirectoryDeps, entry: DirectoryEntry, readAt: string): Promise<boolean> {
  return unlessStale(() =>
    deps.dynamo.send(
      new PutCommand({
        TableName: tableOf(deps),
        Item: itemOf(deps.config.userPoolId, entry, readAt),
        ...notReadLater,
        ExpressionAttributeValues: { ":readAt": readAt },
      }),
    ),
  );
}

function deleteEntry(deps: DirectoryDeps, sub: string, readAt: string): Promise<boolean> {
  return unlessStale(() =>
    deps.dynamo.send(
      new DeleteCommand({
        TableName: tableOf(deps),
        Key: { [userTable.partitionKey]: deps.config.userPoolId, [userTable.sortKey]: sub },
        ...notReadLater,
        ExpressionAttributeValues: { ":readAt": readAt },
      }),
    ),
  );
}

/**
 * Every entry of this pool: one Query of its partition (2,000 users fit in one 1 MB page), paged
 * beyond that. With `contains`, DynamoDB returns only items whose search text holds it.
 */
export async function readDirectory(deps: DirectoryDeps, contains?: string): Promise<DirectoryEntry[]> {
  const entries: DirectoryEntry[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await deps.dynamo.send(
      new QueryCommand({
        TableName: tableOf(deps),
        KeyConditionExpression: "#pool = :pool",
        ...(contains ? { FilterExpression: "contains(#search, :contains)" } : {}),
        ExpressionAttributeNames: {
          "#pool": userTable.partitionKey,
          ...(contains ? { "#search": "search" } : {}),
        },
        ExpressionAttributeValues: {
          ":pool": deps.config.userPoolId,
          ...(contains ? { ":contains": contains } : {}),
        },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) entries.push(entryOfItem(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return entries;
}

/**
 * Writes one user's entry as Cognito has them now (after a change the admin API made), or
 * removes it when Cognito no longer has them. A no-op without a directory.
 */
export async function refreshDirectoryEntry(deps: DirectoryDeps, sub: string): Promise<void> {
  if (!deps.config.userTable) return;
  const readAt = new Date().toISOString();
  const pool = deps.config.userPoolId;
  try {
    const [user, groups] = await Promise.all([
      deps.cognito.send(new AdminGetUserCommand({ UserPoolId: pool, Username: sub })),
      deps.cognito.send(new AdminListGroupsForUserCommand({ UserPoolId: pool, Username: sub, Limit: 60 })),
    ]);
    const admin = (groups.Groups ?? [])
      .map((g) => g.GroupName ?? "")
      .filter((g) => (ADMIN_GROUPS as readonly string[]).includes(g));
    await putEntry(deps, entryOf(user, admin), readAt);
  } catch (error) {
    if ((error as { name?: string }).name !== "UserNotFoundException") throw error;
    await deleteEntry(deps, sub, readAt);
  }
}

/** Removes a user the admin API deleted. A no-op without a directory. */
export async function removeDirectoryEntry(deps: DirectoryDeps, sub: string): Promise<void> {
  if (!deps.config.userTable) return;
  await deleteEntry(deps, sub, new Date().toISOString());
}

/**
 * Writes a change the admin API made to the directory at once. The change itself is done by
 * then, so a failed write is logged, not answered: the next directory sync repairs it.
 */
export async function mirror(deps: DirectoryDeps, sub: string, removed?: "removed"): Promise<void> {
  try {
    await (removed ? removeDirectoryEntry(deps, sub) : refreshDirectoryEntry(deps, sub));
  } catch (error) {
    deps.log.error("directory.write-failed", { sub, error });
  }
}

export interface DirectorySyncResult {
  /** Users in Cognito. */
  users: number;
  added: number;
  updated: number;
  removed: number;
  /** Writes skipped because the admin API wrote a newer read meanwhile. */
  skipped: number;
}

/** How many directory writes a sync has in flight: a few, well under on-demand limits. */
const SYNC_CONCURRENCY = 8;

/**
 * Makes the directory agree with Cognito: adds missing users, updates changed ones, removes
 * users gone from the pool. Cost: ListUsers (60 a call), ListUsersInGroup per admin group, one
 * Query walk, and a write only per entry that differs, so a second run writes nothing.
 */
export async function syncDirectory(deps: DirectoryDeps): Promise<DirectorySyncResult> {
  const readAt = new Date().toISOString();
  const pool = deps.config.userPoolId;
  const users = await listAllUsers(deps.cognito, pool);
  const groupsOf = new Map<string, string[]>();
  for (const group of ADMIN_GROUPS) {
    for (const sub of await membersOf(deps.cognito, pool, group)) {
      groupsOf.set(sub, [...(groupsOf.get(sub) ?? []), group]);
    }
  }
  const current = new Map((await readDirectory(deps)).map((e) => [e.sub, e]));
  const writes: (() => Promise<{ kind: "added" | "updated" | "removed"; done: boolean }>)[] = [];
  const seen = new Set<string>();
  for (const user of users) {
    const entry = entryOf(user, groupsOf.get(summaryOf(user).sub) ?? []);
    seen.add(entry.sub);
    const before = current.get(entry.sub);
    if (before && sameEntry(before, entry)) continue;
    const kind = before ? "updated" : "added";
    writes.push(async () => ({ kind, done: await putEntry(deps, entry, readAt) }));
  }
  for (const sub of current.keys()) {
    if (!seen.has(sub))
      writes.push(async () => ({ kind: "removed", done: await deleteEntry(deps, sub, readAt) }));
  }
  const result: DirectorySyncResult = { users: users.length, added: 0, updated: 0, removed: 0, skipped: 0 };
  for (let i = 0; i < writes.length; i += SYNC_CONCURRENCY) {
    for (const { kind, done } of await Promise.all(writes.slice(i, i + SYNC_CONCURRENCY).map((w) => w()))) {
      if (done) result[kind] += 1;
      else result.skipped += 1;
    }
  }
  deps.log.info("directory.synced", { ...result });
  return result;
}
