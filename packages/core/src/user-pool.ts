import type { AdminGroup } from "./admin-api";

/**
 * The user pool's settings, in one place: the Identity construct synthesizes them and the
 * local stack provisions its emulated pool with them (packages/local/src/cognito/provision.ts).
 * The app clients' attribute lists are APP_CLIENT_ATTRIBUTES (profile-picture.ts).
 */

/** Groups of the pool; precedence 1 wins when a user is in both. */
export const USER_POOL_GROUPS = [
  { name: "admins", description: "Support plus deleting users and changing groups", precedence: 1 },
  { name: "support", description: "Admin app: read and moderate photos", precedence: 2 },
] as const satisfies ReadonlyArray<{ name: AdminGroup; description: string; precedence: number }>;
export type UserPoolGroup = (typeof USER_POOL_GROUPS)[number]["name"];

/** Sign-in by email, which is verified automatically, case-insensitively; recovery by that email. */
export const USER_POOL_SIGN_IN = {
  usernameAttributes: ["email"],
  autoVerifiedAttributes: ["email"],
  caseSensitiveUsernames: false,
  recoveryMechanism: "verified_email",
} as const;

export const PASSWORD_POLICY = {
  minimumLength: 12,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: true,
  temporaryPasswordValidityDays: 3,
  // Password reuse prevention needs the ESSENTIALS or PLUS tier (the stack sets one).
  passwordHistorySize: 5,
} as const;

/**
 * The password policy's rules a password misses, in words ("a digit"); empty when it passes.
 * Emulators store the policy without enforcing it, so seeding checks passwords with this.
 */
export function passwordPolicyProblems(password: string): string[] {
  return [
    password.length < PASSWORD_POLICY.minimumLength && `at least ${PASSWORD_POLICY.minimumLength} characters`,
    PASSWORD_POLICY.requireLowercase && !/[a-z]/.test(password) && "a lower-case letter",
    PASSWORD_POLICY.requireUppercase && !/[A-Z]/.test(password) && "an upper-case letter",
    PASSWORD_POLICY.requireNumbers && !/[0-9]/.test(password) && "a digit",
    PASSWORD_POLICY.requireSymbols && !/[^A-Za-z0-9]/.test(password) && "a symbol",
  ].filter((problem): problem is string => typeof problem === "string");
}

/**
 * The app clients' sign-in flows. SRP keeps the password off the wire; USER_PASSWORD_AUTH is
 * left out on AWS (nothing there needs it, and it would send passwords to Cognito).
 */
export const APP_CLIENT_AUTH_FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] as const;

/** Settings every app client has: public (no secret), revocable tokens, no user enumeration. */
export const APP_CLIENT_SETTINGS = {
  generateSecret: false,
  enableTokenRevocation: true,
  preventUserExistenceErrors: "ENABLED",
} as const;

export interface TokenValidity {
  accessTokenMinutes: number;
  idTokenMinutes: number;
  refreshTokenDays: number;
}

/** Each app client's default token lifetimes. */
export const APP_CLIENT_TOKENS = {
  /** Upload (end-user) apps: an hour of access, a month of refresh. */
  upload: { accessTokenMinutes: 60, idTokenMinutes: 60, refreshTokenDays: 30 },
  /** The admin app: half an hour of access, a working day (12 h) of refresh. */
  admin: { accessTokenMinutes: 30, idTokenMinutes: 30, refreshTokenDays: 0.5 },
} as const satisfies Record<string, TokenValidity>;
