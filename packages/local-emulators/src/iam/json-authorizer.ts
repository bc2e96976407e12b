import { AwsJsonError } from "../aws-json-server";
import type { SessionRole } from "../credentials";
import type { JsonCaller } from "./json-sigv4";
import { createPolicySimulator, type PolicyCheck } from "./simulate-policy";

/** The account the local stack plays; any 12 digits (the S3 gateway's simulation uses the same). */
export const LOCAL_ACCOUNT_ID = "000000000000";

/** One IAM check a call needs: `dynamodb:GetItem` on a table ARN, with its context keys. */
export type JsonPermission = PolicyCheck;

export interface JsonAuthorizerOptions {
  /** The identity-pool roles: their names (for the principal ARN) and policy documents. */
  sessionRoles: Record<SessionRole, { roleName: string; policy: unknown }>;
  accountId?: string;
  cacheSize?: number;
}

export interface JsonAuthorizer {
  /** Resolves when the caller's policy allows every permission; throws AccessDeniedException otherwise. */
  authorize(caller: JsonCaller, permissions: readonly JsonPermission[]): Promise<void>;
}

/**
 * Holds JSON-protocol calls to the caller's IAM policy, evaluated with @cloud-copilot/iam-simulate:
 * a function role to the statements the stacks synthesize for it, an identity-pool session to its
 * role's statements with its principal tags. The local stack's own key is the account's
 * administrator and is not checked. Denials carry AWS's message for an identity-based denial
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
 */
export function createJsonAuthorizer(options: JsonAuthorizerOptions): JsonAuthorizer {
  const accountId = options.accountId ?? LOCAL_ACCOUNT_ID;
  const simulate = createPolicySimulator(accountId, options.cacheSize);

  const subject = (caller: Exclude<JsonCaller, { kind: "service" }>) => {
    if (caller.kind === "role") {
      const { roleName, policy } = caller.role;
      // Lambda names the session after the function; the role's name is close enough to tell them apart.
      return { arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${roleName}`, policy, tags: {} };
    }
    const { roleName, policy } = options.sessionRoles[caller.session.role];
    return {
      arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/CognitoIdentityCredentials`,
      policy,
      tags: caller.session.principalTags,
    };
  };

  return {
    async authorize(caller, permissions) {
      if (caller.kind === "service") return;
      const { arn, policy, tags } = subject(caller);
      for (const permission of permissions) {
        const context: Record<string, string> = { ...permission.context };
        for (const [tag, value] of Object.entries(tags)) context[`aws:PrincipalTag/${tag}`] = value;
        if (await simulate(arn, policy, { ...permission, context })) continue;
        throw new AwsJsonError(
          "AccessDeniedException",
          `User: ${arn} is not authorized to perform: ${permission.action} on resource: ${permission.resource} ` +
            `because no identity-based policy allows the ${permission.action} action`,
        );
      }
    },
  };
}
