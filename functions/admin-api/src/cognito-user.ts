import {
  type AttributeType,
  type CognitoIdentityProviderClient,
  ListUsersCommand,
  ListUsersInGroupCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import type { UserSummary } from "@photogate/core";

/** A user as ListUsers, AdminGetUser and ListUsersInGroup answer it. */
export interface CognitoUser {
  Username?: string | undefined;
  Attributes?: AttributeType[] | undefined;
  UserAttributes?: AttributeType[] | undefined;
  UserStatus?: string | undefined;
  Enabled?: boolean | undefined;
  UserCreateDate?: Date | undefined;
  UserLastModifiedDate?: Date | undefined;
}

export function attributesOf(user: CognitoUser): Record<string, string> {
  const list = user.Attributes ?? user.UserAttributes ?? [];
  return Object.fromEntries(
    list.filter((a) => a.Name && a.Value !== undefined).map((a) => [a.Name, a.Value]),
  );
}

export function summaryOf(user: CognitoUser): UserSummary {
  const a = attributesOf(user);
  const username = user.Username ?? a.sub ?? "";
  return {
    sub: a.sub ?? username,
    username,
    ...(a.email ? { email: a.email } : {}),
    ...(a.email_verified ? { emailVerified: a.email_verified === "true" } : {}),
    status: user.UserStatus ?? "UNKNOWN",
    enabled: user.Enabled ?? true,
    ...(user.UserCreateDate ? { createdAt: new Date(user.UserCreateDate).toISOString() } : {}),
    ...(user.UserLastModifiedDate ? { updatedAt: new Date(user.UserLastModifiedDate).toISOString() } : {}),
    ...(a.picture ? { picture: a.picture } : {}),
  };
}

/** The name the contains-search matches: `name`, else given and family names. */
export function nameOf(user: CognitoUser): string {
  const a = attributesOf(user);
  return [a.name, a.given_name, a.family_name].filter(Boolean).join(" ");
}

/** Every user of the pool: ListUsers, 60 a call. */
export async function listAllUsers(
  cognito: CognitoIdentityProviderClient,
  pool: string,
): Promise<CognitoUser[]> {
  const users: CognitoUser[] = [];
  let token: string | undefined;
  do {
    const page = await cognito.send(
      new ListUsersCommand({ UserPoolId: pool, Limit: 60, ...(token ? { PaginationToken: token } : {}) }),
    );
    users.push(...(page.Users ?? []));
    token = page.PaginationToken;
  } while (token);
  return users;
}

/** The subs of a group's members: ListUsersInGroup, 60 a call. */
export async function membersOf(
  cognito: CognitoIdentityProviderClient,
  pool: string,
  group: string,
): Promise<Set<string>> {
  const subs = new Set<string>();
  let token: string | undefined;
  do {
    const page = await cognito.send(
      new ListUsersInGroupCommand({
        UserPoolId: pool,
        GroupName: group,
        Limit: 60,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    for (const u of page.Users ?? []) subs.add(summaryOf(u).sub);
    token = page.NextToken;
  } while (token);
  return subs;
}
