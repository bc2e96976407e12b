import { CognitoIdentityPool } from "@cdktf/provider-aws/lib/cognito-identity-pool";
import { CognitoIdentityPoolProviderPrincipalTag } from "@cdktf/provider-aws/lib/cognito-identity-pool-provider-principal-tag";
import { CognitoIdentityPoolRolesAttachment } from "@cdktf/provider-aws/lib/cognito-identity-pool-roles-attachment";
import { CognitoUserGroup } from "@cdktf/provider-aws/lib/cognito-user-group";
import { CognitoUserPool } from "@cdktf/provider-aws/lib/cognito-user-pool";
import { CognitoUserPoolClient } from "@cdktf/provider-aws/lib/cognito-user-pool-client";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { APP_CLIENT_ATTRIBUTES, type EnvironmentConfig, resourceNames } from "@photogate/core";
import {
  authenticatedRoleStatements,
  identityPoolTrustPolicy,
  OWNER_PRINCIPAL_TAG,
  unauthenticatedRoleStatements,
} from "@photogate/policies";
import { Construct } from "constructs";
import { policyJson } from "../lib/policy-document";

export const USER_GROUPS = {
  /** Admin app: read and moderate. */
  support: "support",
  /** Support plus deleting users and changing groups. */
  admins: "admins",
} as const;

/**
 * Cognito threat protection (formerly "advanced security"). It needs the user pool's PLUS
 * feature tier, billed per monthly active user, so it is a choice per environment.
 */
export type ThreatProtection = "enforced" | "audit" | "off";

export interface TokenValidity {
  accessTokenMinutes: number;
  idTokenMinutes: number;
  refreshTokenDays: number;
}

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

const DEFAULT_UPLOAD_TOKENS: TokenValidity = {
  accessTokenMinutes: 60,
  idTokenMinutes: 60,
  refreshTokenDays: 30,
};
const DEFAULT_ADMIN_TOKENS: TokenValidity = {
  accessTokenMinutes: 30,
  idTokenMinutes: 30,
  refreshTokenDays: 0.5,
};

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
  readonly groups: Record<keyof typeof USER_GROUPS, CognitoUserGroup>;

  constructor(scope: Construct, id: string, options: IdentityOptions) {
    super(scope, id);
    const { env } = options;
    const names = resourceNames(env);
    const threatProtection = options.threatProtection ?? (env.name === "prod" ? "enforced" : "off");

    this.userPool = new CognitoUserPool(this, "user-pool", {
      name: names.userPool,
      usernameAttributes: ["email"],
      autoVerifiedAttributes: ["email"],
      usernameConfiguration: { caseSensitive: false },
      accountRecoverySetting: { recoveryMechanism: [{ name: "verified_email", priority: 1 }] },
      passwordPolicy: {
        minimumLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireNumbers: true,
        requireSymbols: true,
        temporaryPasswordValidityDays: 3,
        // Password reuse prevention needs ESSENTIALS or PLUS, which is why the tier is set below.
        passwordHistorySize: 5,
      },
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

    this.groups = {
      admins: new CognitoUserGroup(this, "group-admins", {
        userPoolId: this.userPool.id,
        name: USER_GROUPS.admins,
        description: "Support plus deleting users and changing groups",
        precedence: 1,
      }),
      support: new CognitoUserGroup(this, "group-support", {
        userPoolId: this.userPool.id,
        name: USER_GROUPS.support,
        description: "Admin app: read and moderate photos",
        precedence: 2,
      }),
    };

    this.uploadClient = this.appClient(
      "upload-client",
      names.uploadClient,
      { ...DEFAULT_UPLOAD_TOKENS, ...options.uploadClientTokens },
      APP_CLIENT_ATTRIBUTES.upload,
    );
    this.adminClient = this.appClient(
      "admin-client",
      names.adminClient,
      { ...DEFAULT_ADMIN_TOKENS, ...options.adminClientTokens },
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
      generateSecret: false,
      // SRP keeps the password off the wire. USER_PASSWORD_AUTH is left out: nothing here needs
      // it (the local emulator is seeded directly), and it would send passwords to Cognito.
      explicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      accessTokenValidity: tokens.accessTokenMinutes,
      idTokenValidity: tokens.idTokenMinutes,
      refreshTokenValidity: tokens.refreshTokenDays * 24 * 60,
      tokenValidityUnits: [{ accessToken: "minutes", idToken: "minutes", refreshToken: "minutes" }],
      enableTokenRevocation: true,
      preventUserExistenceErrors: "ENABLED",
      authSessionValidity: 3,
    });
  }
}
