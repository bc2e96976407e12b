import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminResetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import {
  auditTarget,
  DEFAULT_PAGE_SIZE,
  displayKey,
  isUuid,
  type Page,
  photoOfPicture,
  photoTable,
  type UserDetail,
  type UserSearchQuery,
  type UserSummary,
} from "@photogate/core";
import { z } from "zod";
import { lastDisable, writeAudit } from "./audit";
import { attributesOf, listAllUsers, membersOf, nameOf, summaryOf } from "./cognito-user";
import type { AdminApiDeps, RequestContext } from "./deps";
import { type DirectoryEntry, mirror, readDirectory } from "./directory";
import { CannotTargetSelfError, fromAwsError, InvalidRequestError } from "./errors";
import { decodePageToken, encodePageToken } from "./pagination";
import { allPhotosOf, deletePhotoEverywhere, listPhotos, photoCountsOf } from "./photos";
import { signedGet } from "./urls";

/** Cognito attribute names the search fields filter on (ListUsers `Filter`, prefix `^=`). */
const FILTER_ATTRIBUTE = { email: "email", username: "username", sub: "sub" } as const;
const SUPPORT_GROUP = "support";

/** Runs a Cognito call for one user; UserNotFoundException becomes USER_NOT_FOUND naming them. */
async function forUser<T>(sub: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw fromAwsError(error, { sub });
  }
}

/**
 * Users by prefix of one field (`by`: Cognito's own `^=` filter, paged by Cognito), or, without
 * `by`, a contains-search over e-mail, name, username and sub with state and group filters and a
 * sort. Cognito has no contains filter, so that one reads the user directory (directory.ts), or,
 * where none is configured, walks Cognito (60 users a call) and remembers the result for
 * DIRECTORY_TTL_MS per warm instance; any user action here forgets it.
 */
export async function searchUsers(deps: AdminApiDeps, query: UserSearchQuery): Promise<Page<UserSummary>> {
  if (query.q !== undefined && /["\\]/.test(query.q)) {
    // The value goes inside double quotes in Cognito's filter language, which has no escaping.
    throw new InvalidRequestError([{ path: "query.q", message: 'must not contain " or \\' }]);
  }
  if (query.by === undefined && (query.q !== undefined || query.state || query.group || query.sort)) {
    return findUsers(deps, query);
  }
  let filter: string | undefined;
  if (query.q !== undefined) {
    // Subs and this pool's usernames are lower-case; emails are stored as typed, usually lower-case.
    filter = `${FILTER_ATTRIBUTE[query.by ?? "email"]} ^= "${query.q.toLowerCase()}"`;
  }
  const bound = filter ?? "";
  const paginationToken = query.nextToken
    ? decodePageToken(query.nextToken, "users", bound, z.string().min(1).max(4096))
    : undefined;
  const result = await deps.cognito.send(
    new ListUsersCommand({
      UserPoolId: deps.config.userPoolId,
      Limit: query.limit,
      ...(filter ? { Filter: filter } : {}),
      ...(paginationToken ? { PaginationToken: paginationToken } : {}),
    }),
  );
  return {
    items: (result.Users ?? []).map(summaryOf),
    ...(result.PaginationToken ? { nextToken: encodePageToken("users", bound, result.PaginationToken) } : {}),
  };
}

const DIRECTORY_TTL_MS = 30_000;
let directory: { at: number; pool: string; users: DirectoryEntry[] } | undefined;

/** Forgets the remembered directory: after a change, the next search reads Cognito again. */
export function forgetDirectory(): void {
  directory = undefined;
}

/** Every user as Cognito has them, for a pool without a directory table. */
async function walkCognito(deps: AdminApiDeps): Promise<DirectoryEntry[]> {
  const now = Date.now();
  if (directory && directory.pool === deps.config.userPoolId && now - directory.at < DIRECTORY_TTL_MS)
    return directory.users;
  const users: DirectoryEntry[] = (await listAllUsers(deps.cognito, deps.config.userPoolId)).map((u) => ({
    ...summaryOf(u),
    name: nameOf(u),
    groups: [],
  }));
  directory = { at: now, pool: deps.config.userPoolId, users };
  return users;
}

async function findUsers(deps: AdminApiDeps, query: UserSearchQuery): Promise<Page<UserSummary>> {
  const bound = JSON.stringify([query.q ?? "", query.state ?? "", query.group ?? "", query.sort ?? ""]);
  const offset = query.nextToken
    ? Number(decodePageToken(query.nextToken, "users.find", bound, z.string().regex(/^\d{1,7}$/)))
    : 0;
  const needle = query.q?.toLowerCase();
  const fromDirectory = Boolean(deps.config.userTable);
  const photoSearch = needle !== undefined && isUuid(needle);
  const [users, members, photoOwners] = await Promise.all([
    // A photo id also finds owners whose own fields do not hold it: those need every entry.
    fromDirectory ? readDirectory(deps, photoSearch ? undefined : needle) : walkCognito(deps),
    query.group && !fromDirectory ? membersOf(deps.cognito, deps.config.userPoolId, query.group) : undefined,
    photoSearch ? ownersOfPhoto(deps, needle) : new Set<string>(),
  ]);
  const group = query.group;
  const matches = users.filter(
    (u) =>
      (!needle ||
        photoOwners.has(u.sub) ||
        [u.email, u.username, u.sub, u.name].some((v) => v?.toLowerCase().includes(needle))) &&
      (!query.state ||
        (query.state === "disabled"
          ? !u.enabled
          : query.state === "unconfirmed"
            ? u.enabled && u.status !== "CONFIRMED"
            : u.enabled)) &&
      (!group || (members ? members.has(u.sub) : u.groups.includes(group))),
  );
  const sort = query.sort ?? "email";
  const field = sort.replace(/^-/, "") === "created" ? "createdAt" : "email";
  const direction = sort.startsWith("-") ? -1 : 1;
  matches.sort((a, b) => direction * (a[field] ?? a.username).localeCompare(b[field] ?? b.username));
  const page = matches
    .slice(offset, offset + query.limit)
    .map(({ name: _name, groups: _groups, ...summary }) =>
      photoOwners.has(summary.sub) && needle ? { ...summary, ownsPhoto: needle } : summary,
    );
  const next = offset + query.limit;
  return {
    items: page,
    ...(next < matches.length ? { nextToken: encodePageToken("users.find", bound, String(next)) } : {}),
  };
}

/** Who owns a photo with this id (the byPhotoId index; ids are client-chosen, so maybe several). */
async function ownersOfPhoto(deps: AdminApiDeps, photoId: string): Promise<Set<string>> {
  const index = photoTable.indexes.byPhotoId;
  const result = await deps.dynamo.send(
    new QueryCommand({
      TableName: deps.config.photoTable,
      IndexName: "byPhotoId",
      KeyConditionExpression: "#pk = :pk",
      ExpressionAttributeNames: { "#pk": index.partitionKey },
      ExpressionAttributeValues: { ":pk": photoId },
      Limit: DEFAULT_PAGE_SIZE,
    }),
  );
  return new Set((result.Items ?? []).map((item) => String(item[index.sortKey])));
}

export async function loadUser(deps: AdminApiDeps, sub: string) {
  const user = await forUser(sub, () =>
    deps.cognito.send(new AdminGetUserCommand({ UserPoolId: deps.config.userPoolId, Username: sub })),
  );
  return { summary: summaryOf(user), attributes: attributesOf(user) };
}

async function groupsOf(deps: AdminApiDeps, sub: string): Promise<string[]> {
  const result = await forUser(sub, () =>
    deps.cognito.send(
      new AdminListGroupsForUserCommand({ UserPoolId: deps.config.userPoolId, Username: sub, Limit: 60 }),
    ),
  );
  return (result.Groups ?? [])
    .map((g) => g.GroupName ?? "")
    .filter(Boolean)
    .sort();
}

export async function getUser(deps: AdminApiDeps, ctx: RequestContext, sub: string): Promise<UserDetail> {
  const [user, groups, photos, photoCounts] = await Promise.all([
    loadUser(deps, sub),
    groupsOf(deps, sub),
    listPhotos(deps, ctx, { owner: sub, limit: DEFAULT_PAGE_SIZE }),
    photoCountsOf(deps, sub),
  ]);
  const disabledBy = user.summary.enabled ? undefined : await lastDisable(deps, ctx, sub);
  const named = photoOfPicture(user.summary.picture);
  const profilePhoto =
    named?.owner === sub
      ? { photoId: named.photoId, display: await signedGet(deps, displayKey(sub, named.photoId), ctx.at) }
      : undefined;
  return {
    ...user.summary,
    ...(profilePhoto ? { profilePhoto } : {}),
    attributes: user.attributes,
    groups,
    photos,
    photoCounts,
    ...(disabledBy ? { disabledBy } : {}),
  };
}

type UserAction = "disable" | "enable" | "sign-out";

const simpleActions = {
  disable: {
    audit: "user.disable",
    command: (pool: string, sub: string) => new AdminDisableUserCommand({ UserPoolId: pool, Username: sub }),
    after: (u: UserSummary) => ({ ...u, enabled: false }),
  },
  enable: {
    audit: "user.enable",
    command: (pool: string, sub: string) => new AdminEnableUserCommand({ UserPoolId: pool, Username: sub }),
    after: (u: UserSummary) => ({ ...u, enabled: true }),
  },
  "sign-out": {
    audit: "user.sign-out",
    command: (pool: string, sub: string) =>
      new AdminUserGlobalSignOutCommand({ UserPoolId: pool, Username: sub }),
    after: (u: UserSummary) => u,
  },
} as const;

/** Disable, enable or sign out everywhere: one Cognito call, audited with the user before and after. */
export async function userAction(
  deps: AdminApiDeps,
  ctx: RequestContext,
  sub: string,
  action: UserAction,
  reason?: string,
): Promise<{ user: UserSummary }> {
  if (action === "disable" && sub === ctx.caller.sub) throw new CannotTargetSelfError("disable");
  const spec = simpleActions[action];
  const { summary: before } = await loadUser(deps, sub);
  // Narrowed per action by the table above; send() cannot take the union, so widen once here.
  const command = spec.command(deps.config.userPoolId, sub) as AdminDisableUserCommand;
  await forUser(sub, () => deps.cognito.send(command));
  forgetDirectory();
  await mirror(deps, sub);
  const after = spec.after(before);
  await writeAudit(deps, ctx, {
    action: spec.audit,
    target: auditTarget.user(sub),
    before,
    after: reason ? { ...after, reason } : after,
  });
  return { user: after };
}

/**
 * A user who never signed in (FORCE_CHANGE_PASSWORD) gets the invitation again; anyone else a
 * password reset (Cognito sends the code and requires a new password at the next sign-in).
 */
export async function resetPassword(
  deps: AdminApiDeps,
  ctx: RequestContext,
  sub: string,
): Promise<{ user: UserSummary }> {
  const pool = deps.config.userPoolId;
  const { summary: before } = await loadUser(deps, sub);
  const invite = before.status === "FORCE_CHANGE_PASSWORD";
  await forUser(sub, () =>
    invite
      ? deps.cognito.send(
          new AdminCreateUserCommand({ UserPoolId: pool, Username: sub, MessageAction: "RESEND" }),
        )
      : deps.cognito.send(new AdminResetUserPasswordCommand({ UserPoolId: pool, Username: sub })),
  );
  const { summary: after } = await loadUser(deps, sub);
  await mirror(deps, sub);
  await writeAudit(deps, ctx, {
    action: invite ? "user.resend-invite" : "user.reset-password",
    target: auditTarget.user(sub),
    before,
    after,
  });
  return { user: after };
}

export async function setSupportMembership(
  deps: AdminApiDeps,
  ctx: RequestContext,
  sub: string,
  member: boolean,
): Promise<{ user: UserSummary; groups: string[] }> {
  if (!member && sub === ctx.caller.sub) throw new CannotTargetSelfError("remove from support");
  const pool = deps.config.userPoolId;
  const [{ summary }, before] = await Promise.all([loadUser(deps, sub), groupsOf(deps, sub)]);
  await forUser(sub, () =>
    member
      ? deps.cognito.send(
          new AdminAddUserToGroupCommand({ UserPoolId: pool, Username: sub, GroupName: SUPPORT_GROUP }),
        )
      : deps.cognito.send(
          new AdminRemoveUserFromGroupCommand({ UserPoolId: pool, Username: sub, GroupName: SUPPORT_GROUP }),
        ),
  );
  const after = await groupsOf(deps, sub);
  forgetDirectory();
  await mirror(deps, sub);
  await writeAudit(deps, ctx, {
    action: member ? "user.add-to-support" : "user.remove-from-support",
    target: auditTarget.user(sub),
    before: { groups: before },
    after: { groups: after },
  });
  return { user: summary, groups: after };
}

/** How many photo deletions run at once while deleting a user: a few, to stay under S3's and DynamoDB's limits. */
const DELETE_CONCURRENCY = 4;

/**
 * Deletes a user and everything of theirs: disabled first (no new sign-ins or uploads while we
 * work), then every photo (upload, derived images, shared copies, record), then the Cognito user.
 * Photos are deleted, not anonymised: a face photo cannot be anonymised. The audit entry keeps
 * the sub, status and groups, not the email or other attributes.
 */
export async function deleteUser(
  deps: AdminApiDeps,
  ctx: RequestContext,
  sub: string,
): Promise<{ sub: string; deleted: true; photosDeleted: number }> {
  if (sub === ctx.caller.sub) throw new CannotTargetSelfError("delete");
  const pool = deps.config.userPoolId;
  const [{ summary }, groups] = await Promise.all([loadUser(deps, sub), groupsOf(deps, sub)]);
  if (summary.enabled) {
    await forUser(sub, () =>
      deps.cognito.send(new AdminDisableUserCommand({ UserPoolId: pool, Username: sub })),
    );
  }
  const photos = await allPhotosOf(deps, ctx, sub);
  for (let i = 0; i < photos.length; i += DELETE_CONCURRENCY) {
    await Promise.all(photos.slice(i, i + DELETE_CONCURRENCY).map((p) => deletePhotoEverywhere(deps, p)));
  }
  await forUser(sub, () =>
    deps.cognito.send(new AdminDeleteUserCommand({ UserPoolId: pool, Username: sub })),
  );
  forgetDirectory();
  await mirror(deps, sub, "removed");
  await writeAudit(deps, ctx, {
    action: "user.delete",
    target: auditTarget.user(sub),
    // The user's attributes, `picture` included, go with the user: the entry says so.
    before: {
      sub,
      status: summary.status,
      enabled: summary.enabled,
      groups,
      photos: photos.length,
      picture: summary.picture ?? null,
    },
    after: { deleted: true, photosDeleted: photos.length, picture: null },
  });
  return { sub, deleted: true, photosDeleted: photos.length };
}
