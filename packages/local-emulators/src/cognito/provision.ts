import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  type CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  type ExplicitAuthFlowsType,
  InitiateAuthCommand,
  ListGroupsCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  type PasswordPolicyType,
  UpdateUserPoolClientCommand,
  UserNotFoundException,
  type UserPoolClientDescription,
} from "@aws-sdk/client-cognito-identity-provider";
import {
  APP_CLIENT_ATTRIBUTES,
  APP_CLIENT_AUTH_FLOWS,
  APP_CLIENT_SETTINGS,
  APP_CLIENT_TOKENS,
  PASSWORD_POLICY as CORE_PASSWORD_POLICY,
  type EnvironmentConfig,
  passwordPolicyProblems,
  resourceNames,
  type TokenValidity,
  USER_POOL_GROUPS,
  USER_POOL_SIGN_IN,
  type UserPoolGroup,
} from "@photogate/core";
import { ProvisionError, SeedUserError, SignInError } from "./errors";

/**
 * The user pool of stacks/src/constructs/identity.ts, made through the Cognito API from the same
 * settings (core's user-pool.ts), so it works against cognito-local (and LocalStack or AWS,
 * though there the stack owns the pool).
 *
 * The one deliberate difference from the stack: the local app clients also allow
 * USER_PASSWORD_AUTH (for the CLI), next to the stack's
 * USER_SRP_AUTH and refresh. Settings cognito-local ignores (MFA, tiers, threat protection,
 * deletion protection) are left out rather than pretended.
 */

/** Core's password policy in the Cognito API's shape; cognito-local stores it, seedUsers enforces it. */
export const PASSWORD_POLICY = {
  MinimumLength: CORE_PASSWORD_POLICY.minimumLength,
  RequireLowercase: CORE_PASSWORD_POLICY.requireLowercase,
  RequireUppercase: CORE_PASSWORD_POLICY.requireUppercase,
  RequireNumbers: CORE_PASSWORD_POLICY.requireNumbers,
  RequireSymbols: CORE_PASSWORD_POLICY.requireSymbols,
  TemporaryPasswordValidityDays: CORE_PASSWORD_POLICY.temporaryPasswordValidityDays,
  PasswordHistorySize: CORE_PASSWORD_POLICY.passwordHistorySize,
} as const satisfies PasswordPolicyType;

// The stack's flows (SRP and refresh) plus, locally only, USER_PASSWORD_AUTH for the CLI.
// SRP is answered by the user-pool front (cognito-local has none).
export const LOCAL_AUTH_FLOWS: ExplicitAuthFlowsType[] = [
  ...APP_CLIENT_AUTH_FLOWS,
  "ALLOW_USER_PASSWORD_AUTH",
];

export interface ProvisionedUserPool {
  userPoolId: string;
  uploadClientId: string;
  adminClientId: string;
  /** `iss` of the pool's tokens: `http://host:port/{poolId}` on cognito-local. */
  issuer: string;
  jwksUri: string;
}

/**
 * Creates the environment's user pool, its groups and both app clients, or finds the ones that
 * already exist (by name), so running it again after a restart returns the same ids.
 */
export async function provisionUserPool(
  client: CognitoIdentityProviderClient,
  env: EnvironmentConfig,
): Promise<ProvisionedUserPool> {
  const names = resourceNames(env);
  const userPoolId =
    (await findUserPool(client, names.userPool)) ?? (await createUserPool(client, names.userPool));

  const groups = await client.send(new ListGroupsCommand({ UserPoolId: userPoolId, Limit: 60 }));
  const existingGroups = new Set((groups.Groups ?? []).map((group) => group.GroupName));
  for (const group of USER_POOL_GROUPS) {
    if (existingGroups.has(group.name)) continue;
    await client.send(
      new CreateGroupCommand({
        UserPoolId: userPoolId,
        GroupName: group.name,
        Description: group.description,
        Precedence: group.precedence,
      }),
    );
  }

  const listed = await client.send(
    new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }),
  );
  const existingClients = listed.UserPoolClients ?? [];
  const uploadClientId = await appClient(
    client,
    userPoolId,
    names.uploadClient,
    APP_CLIENT_TOKENS.upload,
    existingClients,
    APP_CLIENT_ATTRIBUTES.upload,
  );
  const adminClientId = await appClient(
    client,
    userPoolId,
    names.adminClient,
    APP_CLIENT_TOKENS.admin,
    existingClients,
    APP_CLIENT_ATTRIBUTES.admin,
  );

  const issuer = `${await issuerOrigin(client, env.region)}/${userPoolId}`;
  return { userPoolId, uploadClientId, adminClientId, issuer, jwksUri: `${issuer}/.well-known/jwks.json` };
}

/** `cognito-idp.{region}.amazonaws.com/{userPoolId}`: the pool's name as an identity-pool login provider. */
export function userPoolProviderName(region: string, userPoolId: string): string {
  return `cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}

async function findUserPool(
  client: CognitoIdentityProviderClient,
  name: string,
): Promise<string | undefined> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListUserPoolsCommand({ MaxResults: 60, NextToken: nextToken }));
    for (const pool of page.UserPools ?? []) if (pool.Name === name && pool.Id) ids.push(pool.Id);
    nextToken = page.NextToken;
  } while (nextToken);
  if (ids.length > 1) {
    throw new ProvisionError(
      `${ids.length} user pools are named "${name}" (${ids.join(", ")}): delete all but one, or start with an empty data directory`,
    );
  }
  return ids[0];
}

async function createUserPool(client: CognitoIdentityProviderClient, name: string): Promise<string> {
  const created = await client.send(
    new CreateUserPoolCommand({
      PoolName: name,
      UsernameAttributes: [...USER_POOL_SIGN_IN.usernameAttributes],
      AutoVerifiedAttributes: [...USER_POOL_SIGN_IN.autoVerifiedAttributes],
      UsernameConfiguration: { CaseSensitive: USER_POOL_SIGN_IN.caseSensitiveUsernames },
      AccountRecoverySetting: {
        RecoveryMechanisms: [{ Name: USER_POOL_SIGN_IN.recoveryMechanism, Priority: 1 }],
      },
      Policies: { PasswordPolicy: PASSWORD_POLICY },
    }),
  );
  const id = created.UserPool?.Id;
  if (!id) throw new ProvisionError(`CreateUserPool for "${name}" returned no pool id`);
  return id;
}

async function appClient(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  name: string,
  tokens: TokenValidity,
  existing: readonly UserPoolClientDescription[],
  attributes: { read: readonly string[]; write: readonly string[] },
): Promise<string> {
  const found = existing.filter((c) => c.ClientName === name);
  if (found.length > 1) {
    throw new ProvisionError(`${found.length} app clients of pool ${userPoolId} are named "${name}"`);
  }
  const fixedSettings = {
    UserPoolId: userPoolId,
    ClientName: name,
    // Public clients, as in the stack: browsers and phones cannot keep a secret.
    GenerateSecret: APP_CLIENT_SETTINGS.generateSecret,
    ExplicitAuthFlows: LOCAL_AUTH_FLOWS,
    AccessTokenValidity: tokens.accessTokenMinutes,
    IdTokenValidity: tokens.idTokenMinutes,
    RefreshTokenValidity: tokens.refreshTokenDays * 24 * 60,
    TokenValidityUnits: { AccessToken: "minutes", IdToken: "minutes", RefreshToken: "minutes" },
    EnableTokenRevocation: APP_CLIENT_SETTINGS.enableTokenRevocation,
    PreventUserExistenceErrors: APP_CLIENT_SETTINGS.preventUserExistenceErrors,
  } as const;
  // The stack's lists (core): the local pool front refuses writes outside WriteAttributes.
  const settings = {
    ...fixedSettings,
    ReadAttributes: [...attributes.read],
    WriteAttributes: [...attributes.write],
  };
  const existingId = found[0]?.ClientId;
  if (existingId) {
    // A data directory from before SRP was served keeps clients without it: bring them up to date.
    const { UserPoolClient } = await client.send(
      new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: existingId }),
    );
    const flows = UserPoolClient?.ExplicitAuthFlows ?? [];
    const writable = UserPoolClient?.WriteAttributes ?? [];
    const attributesDiffer =
      writable.length !== attributes.write.length || attributes.write.some((a) => !writable.includes(a));
    if (attributesDiffer || LOCAL_AUTH_FLOWS.some((flow) => !flows.includes(flow))) {
      await client.send(new UpdateUserPoolClientCommand({ ...settings, ClientId: existingId }));
    }
    return existingId;
  }
  const created = await client.send(new CreateUserPoolClientCommand(settings));
  const id = created.UserPoolClient?.ClientId;
  if (!id) throw new ProvisionError(`CreateUserPoolClient for "${name}" returned no client id`);
  return id;
}

/** The issuer's origin: the client's endpoint override (an emulator), else Cognito's own. */
async function issuerOrigin(client: CognitoIdentityProviderClient, region: string): Promise<string> {
  const endpoint = client.config.endpoint ? await client.config.endpoint() : undefined;
  if (!endpoint) return `https://cognito-idp.${region}.amazonaws.com`;
  const port = endpoint.port === undefined ? "" : `:${endpoint.port}`;
  return `${endpoint.protocol}//${endpoint.hostname}${port}`;
}

export interface SeedUser {
  /** The email address, which is also the username (the pool signs in by email). */
  email: string;
  password: string;
  groups?: readonly UserPoolGroup[];
}

export interface SeededUser {
  email: string;
  /** The user-pool `sub`: the owner namespace of every key (DESIGN.md "Identity"). */
  sub: string;
}

/**
 * Creates confirmed users with permanent passwords and adds them to their groups; users that
 * exist already get the seeded password again and any missing groups. Groups are only added,
 * never removed, so a change made in the running admin app survives a restart.
 */
export async function seedUsers(
  client: CognitoIdentityProviderClient,
  pool: Pick<ProvisionedUserPool, "userPoolId">,
  users: readonly SeedUser[],
): Promise<SeededUser[]> {
  for (const user of users) checkSeedUser(user);
  const seeded: SeededUser[] = [];
  for (const user of users) {
    const email = user.email.toLowerCase();
    const existing = await existingUser(client, pool.userPoolId, email);
    const sub = existing?.sub ?? (await createUser(client, pool.userPoolId, email));
    // From here on the sub is the username: cognito-local keeps group members by it.
    await client.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: pool.userPoolId,
        Username: sub,
        Password: user.password,
        Permanent: true,
      }),
    );
    if (existing && !existing.emailVerified) {
      await client.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: pool.userPoolId,
          Username: sub,
          UserAttributes: [{ Name: "email_verified", Value: "true" }],
        }),
      );
    }
    for (const group of user.groups ?? []) {
      await client.send(
        new AdminAddUserToGroupCommand({ UserPoolId: pool.userPoolId, Username: sub, GroupName: group }),
      );
    }
    seeded.push({ email, sub });
  }
  return seeded;
}

function checkSeedUser(user: SeedUser): void {
  if (!/^[^@\s]+@[^@\s]+$/.test(user.email)) {
    throw new SeedUserError(`Seed user "${user.email}" needs an email address as username`);
  }
  const missing = passwordPolicyProblems(user.password);
  if (missing.length > 0) {
    throw new SeedUserError(
      `The password of seed user ${user.email} needs ${missing.join(", ")}: the stack's password policy would refuse it on AWS`,
    );
  }
  const unknown = (user.groups ?? []).filter((g) => !USER_POOL_GROUPS.some((known) => known.name === g));
  if (unknown.length > 0) {
    throw new SeedUserError(
      `Seed user ${user.email} names unknown groups ${unknown.join(", ")}; the pool has ${USER_POOL_GROUPS.map((g) => g.name).join(", ")}`,
    );
  }
}

async function existingUser(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  email: string,
): Promise<{ sub: string; emailVerified: boolean } | undefined> {
  try {
    const user = await client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }));
    const attribute = (name: string) => user.UserAttributes?.find((a) => a.Name === name)?.Value;
    const sub = attribute("sub");
    if (!sub) throw new ProvisionError(`User ${email} in pool ${userPoolId} has no sub attribute`);
    return { sub, emailVerified: attribute("email_verified") === "true" };
  } catch (error) {
    if (error instanceof UserNotFoundException) return undefined;
    throw error;
  }
}

async function createUser(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  email: string,
): Promise<string> {
  const created = await client.send(
    new AdminCreateUserCommand({
      UserPoolId: userPoolId,
      Username: email,
      // Replaced by the permanent password straight away; SUPPRESS sends no invitation.
      MessageAction: "SUPPRESS",
      UserAttributes: [
        { Name: "email", Value: email },
        { Name: "email_verified", Value: "true" },
      ],
    }),
  );
  const sub = created.User?.Attributes?.find((a) => a.Name === "sub")?.Value;
  if (!sub) throw new ProvisionError(`AdminCreateUser for ${email} returned no sub`);
  return sub;
}

export interface SignInTokens {
  accessToken: string;
  idToken: string;
  refreshToken: string;
}

/**
 * Password sign-in (USER_PASSWORD_AUTH, which only the local clients allow). An unknown user and
 * a wrong password give the same error, as the stack's clients do (preventUserExistenceErrors).
 */
export async function signIn(
  client: CognitoIdentityProviderClient,
  clientId: string,
  username: string,
  password: string,
): Promise<SignInTokens> {
  // The pool's usernames are case-insensitive; cognito-local compares them exactly.
  const name = username.toLowerCase();
  let response: Awaited<ReturnType<typeof initiate>>;
  try {
    response = await initiate(client, clientId, name, password);
  } catch (error) {
    const type = error instanceof Error ? error.name : "";
    if (["NotAuthorizedException", "InvalidPasswordException", "UserNotFoundException"].includes(type)) {
      throw new SignInError(
        "INCORRECT_USERNAME_OR_PASSWORD",
        `Incorrect username or password for ${name}: use a seeded user's email and password (printed at start-up)`,
        { cause: error },
      );
    }
    if (type === "UserNotConfirmedException") {
      throw new SignInError("USER_NOT_CONFIRMED", `User ${name} has not confirmed their account`, {
        cause: error,
      });
    }
    throw error;
  }
  const result = response.AuthenticationResult;
  if (response.ChallengeName === "NEW_PASSWORD_REQUIRED") {
    throw new SignInError(
      "PASSWORD_CHANGE_REQUIRED",
      `User ${name} still has a temporary password: seed it with seedUsers, which sets a permanent one`,
    );
  }
  if (!result?.AccessToken || !result.IdToken || !result.RefreshToken) {
    throw new SignInError(
      "CHALLENGE_REQUIRED",
      `Sign-in of ${name} asked for ${response.ChallengeName ?? "a challenge"}, which a password sign-in cannot answer`,
    );
  }
  return { accessToken: result.AccessToken, idToken: result.IdToken, refreshToken: result.RefreshToken };
}

function initiate(
  client: CognitoIdentityProviderClient,
  clientId: string,
  username: string,
  password: string,
) {
  return client.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );
}
