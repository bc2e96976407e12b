import { runSimulation } from "@cloud-copilot/iam-simulate";

/** One IAM check: `dynamodb:GetItem` on a table ARN, with the request's context keys. */
export interface PolicyCheck {
  action: string;
  resource: string;
  context?: Record<string, string>;
}

/** Whether `policy` (an identity policy document) lets `principal` do `check`. */
export type PolicySimulator = (principal: string, policy: unknown, check: PolicyCheck) => Promise<boolean>;

/**
 * Evaluates identity policies with @cloud-copilot/iam-simulate, as AWS's policy evaluation logic
 * does (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 * Decisions are cached by (principal, action, resource, context): they depend on nothing else.
 */
export function createPolicySimulator(accountId: string, cacheSize = 10_000): PolicySimulator {
  const cache = new Map<string, boolean>();
  return async (principal, policy, check) => {
    const context = check.context ?? {};
    // iam-simulate reads `*` and `?` in a requested ARN as wildcards; in a name they are plain
    // characters. U+FFFF matches a policy wildcard as `*` would and no literal, as AWS matches names.
    const resource = check.resource === "*" ? "*" : check.resource.replace(/[*?]/g, "\uffff");
    const key = JSON.stringify([principal, check.action, resource, context]);
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const result = await runSimulation(
      {
        request: {
          principal,
          action: check.action,
          resource: { resource, accountId },
          contextVariables: context,
        },
        identityPolicies: [{ name: "role-policy", policy: policy as never }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    if (result.resultType === "error") {
      throw new Error(`IAM simulation of ${check.action} failed: ${JSON.stringify(result.errors)}`);
    }
    const allowed = result.overallResult === "Allowed";
    if (cache.size >= cacheSize) cache.clear();
    cache.set(key, allowed);
    return allowed;
  };
}
