import { checkRuntime, type LambdaRuntime, type RuntimeAcknowledgements } from "@photogate/core";
import type { Construct } from "constructs";

/** What the runtime guard needs at synthesis: the day, the environment's acknowledgements, a log. */
export interface RuntimePolicy {
  today: Date;
  acknowledgements: RuntimeAcknowledgements;
  /** Told about every acknowledged runtime; synthesis prints it. */
  warn: (message: string) => void;
}

// A context key rather than an option on every construct: the stack sets it once and each
// function construct finds it, so no construct can forget to pass it on.
const CONTEXT_KEY = "photogate:runtimePolicy";

/** Sets the policy for every function under `scope`; call before adding children. */
export function setRuntimePolicy(scope: Construct, policy: RuntimePolicy): void {
  scope.node.setContext(CONTEXT_KEY, policy);
}

/** Without a policy (a construct synthesized on its own): today, nothing acknowledged. */
function policyOf(scope: Construct): RuntimePolicy {
  const policy = scope.node.tryGetContext(CONTEXT_KEY) as RuntimePolicy | undefined;
  return policy ?? { today: new Date(), acknowledgements: {}, warn: (message) => console.warn(message) };
}

/**
 * The runtime to synthesize for a Lambda function, after the deprecation guard: throws
 * RuntimeDeprecationError when `runtime` is past or within 90 days of deprecation and the
 * environment has not acknowledged it; logs the acknowledgement when it has.
 */
export function lambdaRuntime(scope: Construct, functionName: string, runtime: LambdaRuntime): LambdaRuntime {
  const policy = policyOf(scope);
  const verdict = checkRuntime({
    functionName,
    runtime,
    today: policy.today,
    acknowledgements: policy.acknowledgements,
  });
  if (verdict.status === "acknowledged") policy.warn(`warning: ${verdict.message}`);
  return runtime;
}
