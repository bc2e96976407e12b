import { CognitoIdentityPool } from "@cdktf/provider-aws/lib/cognito-identity-pool";
import { CognitoIdentityPoolProviderPrincipalTag } from "@cdktf/provider-aws/lib/cognito-identity-pool-provider-principal-tag";
import { CognitoIdentityPoolRolesAttachment } from "@cdktf/provider-aws/lib/cognito-identity-pool-roles-attachment";
import { CognitoUserGroup } from "@cdktf/provider-aws/lib/cognito-user-group";
import { CognitoUserPool } from "@cdktf/provider-aws/lib/cognito-user-pool";
import { CognitoUserPoolClient } from "@cdktf/provider-aws/lib/cognito-user-pool-client";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import {
  APP_CLIENT_ATTRIBUTES,
  APP_CLIENT_AUTH_FLOWS,
  APP_CLIENT_SETTINGS,
  APP_CLIENT_TOKENS,
  type EnvironmentConfig,
  PASSWORD_POLICY,
  resourceNames,
  type TokenValidity,
  USER_POOL_GROUPS,
  USER_POOL_SIGN_IN,
  type UserPoolGroup,
} from "@photogate/core";
import {
  authenticatedRoleStatements,
  identityPoolTrustPolicy,
  OWNER_PRINCIPAL_TAG,
  unauthenticatedRoleStatements,
} from "@photogate/policies";
import { Construct } from "constructs";
import { policyJson } from "../lib/policy-document";

/**
 * Cognito threat protection (formerly "advanced security"). It needs the user pool's PLUS
 * feature tier, billed per monthly active user, so it is a choice per environment.
 */
export type ThreatProtection = "enforced" | "audit" | "off";

export type { TokenValidity } from "@photogate/core";

export interface IdentityOptions {
  env: EnvironmentConfig;
  /** ARN of the photo bucket; the authenticated role reaches only the caller's own prefixes in it. */
  bucketArn: string;
  /** Defaults to "enforced" in prod and "off" elsewhere (PLUS tier costs; emulators lack it). */
  threatProtection?: ThreatProtection;
  /** Upload (end-user) app client; defaults to 60 min access/ID tokens and 30 days refresh. */
  uploadClientTokens?: TokenValidity;
  /** Admin app client; defaults to 30 min access/ID tokens and 12 hours refresh (a working day). */
  adminClientTokens?: TokenValidity;
}

/**
 * Sign-in and per-user AWS credentials: a user pool (email sign-in, groups, one app client
 * for upload apps and one for the admin app) and an identity pool whose roles confine each
 * user to their own `uploads/` and `photos/` prefixes through the `owner` principal tag, let
 * every signed-in user read shared/, and let guests read shared/ only with public sharing on.
 */
export class Identity extends Construct {
  readonly userPool: CognitoUserPool;
  readonly uploadClient: CognitoUserPoolClient;
  readonly adminClient: CognitoUserPoolClient;
  readonly identityPool: CognitoIdentityPool;
  readonly authenticatedRole: IamRole;
  readonly unauthenticatedRole: IamRole;
  readonly groups: Record<UserPoolGroup, CognitoUserGroup>;

  constructor(scope: Construct, id: string, options: IdentityOptions) {
    super(scope, id);
    const { env } = options;
    const names = resourceNames(env);
    const threatProtection = options.threatProtection ?? (env.name === "prod" ? "enforced" : "off");

    this.userPool = new CognitoUserPool(this, "user-pool", {
      name: names.userPool,
      usernameAttributes: [...USER_POOL_SIGN_IN.usernameAttributes],
      autoVerifiedAttributes: [...USER_POOL_SIGN_IN.autoVerifiedAttributes],
      usernameConfiguration: { caseSensitive: USER_POOL_SIGN_IN.caseSensitiveUsernames },
      accountRecoverySetting: {
        recoveryMechanism: [{ name: USER_POOL_SIGN_IN.recoveryMechanism, priority: 1 }],
      },
      // Password reuse prevention needs ESSENTIALS or PLUS, which is why the tier is set below.
      passwordPolicy: { ...PASSWORD_POLICY },
      mfaConfiguration: "OPTIONAL",
      softwareTokenMfaConfiguration: { enabled: true },
      userPoolTier: threatProtection === "off" ? "ESSENTIALS" : "PLUS",
      ...(threatProtection === "off"
        ? {}
        : {
            userPoolAddOns: { advancedSecurityMode: threatProtection === "enforced" ? "ENFORCED" : "AUDIT" },
          }),
      deletionProtection: env.deletionProtection ? "ACTIVE" : "INACTIVE",
    });

    this.groups = Object.fromEntries(
      USER_POOL_GROUPS.map((group) => [
        group.name,
        new CognitoUserGroup(this, `group-${group.name}`, {
          userPoolId: this.userPool.id,
          name: group.name,
          description: group.description,
          precedence: group.precedence,
        }),
      ]),
    ) as Record<UserPoolGroup, CognitoUserGroup>;

    this.uploadClient = this.appClient(
      "upload-client",
      names.uploadClient,
      { ...APP_CLIENT_TOKENS.upload, ...options.uploadClientTokens },
      APP_CLIENT_ATTRIBUTES.upload,
    );
    this.adminClient = this.appClient(
      "admin-client",
      names.adminClient,
      { ...APP_CLIENT_TOKENS.admin, ...options.adminClientTokens },
      APP_CLIENT_ATTRIBUTES.admin,
    );

    this.identityPool = new CognitoIdentityPool(this, "identity-pool", {
      // Identity pool names allow only word characters and spaces.
      identityPoolName: names.identityPool,
      // Guests exist only for public sharing (read shared/); otherwise the pool refuses them.
      allowUnauthenticatedIdentities: env.publicSharing,
      // The classic (basic) flow skips the role's session tags; the enhanced flow is the only way in.
      allowClassicFlow: false,
      cognitoIdentityProviders: [
        {
          providerName: this.userPool.endpoint,
          clientId: this.uploadClient.id,
          // Refuses tokens of users who signed out globally or were disabled.
          serverSideTokenCheck: true,
        },
      ],
    });

    new CognitoIdentityPoolProviderPrincipalTag(this, "owner-tag", {
      identityPoolId: this.identityPool.id,
      identityProviderName: this.userPool.endpoint,
      principalTags: { [OWNER_PRINCIPAL_TAG]: "sub" },
      // The defaults map `aud` and `sub` under other names; only `owner` is wanted.
      useDefaults: false,
    });

    this.authenticatedRole = new IamRole(this, "authenticated-role", {
      name: `${env.namePrefix}-identity-authenticated`,
      assumeRolePolicy: identityPoolTrustPolicy(this.identityPool.id, "authenticated"),
    });
    new IamRolePolicy(this, "authenticated-policy", {
      name: "own-prefixes",
      role: this.authenticatedRole.id,
      policy: policyJson(authenticatedRoleStatements(options.bucketArn)),
    });

    this.unauthenticatedRole = new IamRole(this, "unauthenticated-role", {
      name: `${env.namePrefix}-identity-guest`,
      assumeRolePolicy: identityPoolTrustPolicy(this.identityPool.id, "unauthenticated"),
    });
    new IamRolePolicy(this, "unauthenticated-policy", {
      name: env.publicSharing ? "read-shared" : "deny-all",
      role: this.unauthenticatedRole.id,
      policy: policyJson(unauthenticatedRoleStatements(options.bucketArn, env.publicSharing)),
    });

    new CognitoIdentityPoolRolesAttachment(this, "roles", {
      identityPoolId: this.identityPool.id,
      roles: {
        authenticated: this.authenticatedRole.arn,
        unauthenticated: this.unauthenticatedRole.arn,
      },
    });
  }

  get userPoolId(): string {
    return this.userPool.id;
  }

  get userPoolArn(): string {
    return this.userPool.arn;
  }

  /** `cognito-idp.{region}.amazonaws.com/{poolId}`: the identity pool's `Logins` key. */
  get userPoolProviderName(): string {
    return this.userPool.endpoint;
  }

  get identityPoolId(): string {
    return this.identityPool.id;
  }

  /** App clients whose access tokens the edge accepts. */
  get edgeClientIds(): string[] {
    return [this.uploadClient.id];
  }

  private appClient(
    id: string,
    name: string,
    tokens: TokenValidity,
    attributes: { read: readonly string[]; write: readonly string[] },
  ): CognitoUserPoolClient {
    return new CognitoUserPoolClient(this, id, {
      name,
      userPoolId: this.userPool.id,
      // Explicit lists: without them a client may write every standard attribute, `picture`
      // included, which would let users bypass moderation (docs/identity.md).
      readAttributes: [...attributes.read],
      writeAttributes: [...attributes.write],
      // Public clients (browser, mobile): a secret could not be kept secret.
      generateSecret: APP_CLIENT_SETTINGS.generateSecret,
      explicitAuthFlows: [...APP_CLIENT_AUTH_FLOWS],
      accessTokenValidity: tokens.accessTokenMinutes,
      idTokenValidity: tokens.idTokenMinutes,
      refreshTokenValidity: tokens.refreshTokenDays * 24 * 60,
      tokenValidityUnits: [{ accessToken: "minutes", idToken: "minutes", refreshToken: "minutes" }],
      enableTokenRevocation: APP_CLIENT_SETTINGS.enableTokenRevocation,
      preventUserExistenceErrors: APP_CLIENT_SETTINGS.preventUserExistenceErrors,
      authSessionValidity: 3,
    });
  }
}
