import { PhotogateError } from "./errors";

/**
 * AWS Lambda's Node.js runtimes and the dates AWS has published for them, so synthesis can
 * refuse to put a function on a runtime that is about to stop taking updates.
 *
 * Source: https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html ("Supported
 * runtimes") and https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html, read
 * 2026-11-27. AWS moves these dates now and then (nodejs20.x's blocks moved from June/July to
 * August/September 2026): re-read the table when adding a runtime or changing a date.
 */
export const LAMBDA_RUNTIME_SOURCE = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html";

export interface LambdaRuntimeDates {
  /** Node.js major version the runtime runs (also the esbuild target). */
  nodeMajor: number;
  /** AWS stops security patches and support (ISO date, UTC). */
  deprecation: string;
  /** CreateFunction with this runtime is refused from this day. */
  blockCreate: string;
  /** UpdateFunctionCode/Configuration is refused from this day. */
  blockUpdate: string;
}

export const LAMBDA_RUNTIMES = {
  "nodejs20.x": {
    nodeMajor: 20,
    deprecation: "2026-04-30",
    blockCreate: "2026-08-31",
    blockUpdate: "2026-09-30",
  },
  "nodejs22.x": {
    nodeMajor: 22,
    deprecation: "2027-04-30",
    blockCreate: "2027-06-01",
    blockUpdate: "2027-07-01",
  },
  "nodejs24.x": {
    nodeMajor: 24,
    deprecation: "2028-04-30",
    blockCreate: "2028-06-01",
    blockUpdate: "2028-07-01",
  },
} as const satisfies Record<string, LambdaRuntimeDates>;

export type LambdaRuntime = keyof typeof LAMBDA_RUNTIMES;
export const LAMBDA_RUNTIME_IDS = Object.keys(LAMBDA_RUNTIMES) as LambdaRuntime[];

/** The processor, the admin API and any other function in the environment's own region. */
export const REGIONAL_RUNTIME: LambdaRuntime = "nodejs24.x";
/**
 * The viewer-request authoriser. CloudFront's "Restrictions on Lambda@Edge" page defers to
 * Lambda's supported-runtimes list ("the latest versions of Node.js"), which has nodejs24.x.
 */
export const EDGE_RUNTIME: LambdaRuntime = "nodejs24.x";

/** Synthesis refuses a runtime this close to its deprecation date (AWS emails at 60 days). */
export const RUNTIME_WARNING_DAYS = 90;

/** esbuild's `target` for a function on `runtime`, e.g. "node24". */
export function esbuildTarget(runtime: LambdaRuntime): string {
  return `node${LAMBDA_RUNTIMES[runtime].nodeMajor}`;
}

/** Runtime id → why it is still used although it is near or past deprecation. */
export type RuntimeAcknowledgements = Partial<Record<LambdaRuntime, string>>;

export interface RuntimeCheck {
  /** The function's name, for the message. */
  functionName: string;
  runtime: LambdaRuntime;
  /** The day of synthesis; injected so tests never read the clock. */
  today: Date;
  acknowledgements?: RuntimeAcknowledgements;
}

export type RuntimeVerdict =
  | { status: "ok"; daysToDeprecation: number }
  | { status: "acknowledged"; daysToDeprecation: number; reason: string; message: string };

/** A function's runtime is deprecated, or will be within RUNTIME_WARNING_DAYS. */
export class RuntimeDeprecationError extends PhotogateError {
  constructor(
    readonly functionName: string,
    readonly runtime: LambdaRuntime,
    readonly daysToDeprecation: number,
    message: string,
  ) {
    super(daysToDeprecation < 0 ? "RUNTIME_DEPRECATED" : "RUNTIME_NEAR_DEPRECATION", message);
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

function utcDay(date: Date): number {
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
}

/** Whole days from `today` to the runtime's deprecation date (negative once it has passed). */
export function daysToDeprecation(runtime: LambdaRuntime, today: Date): number {
  return Math.round(
    (Date.parse(`${LAMBDA_RUNTIMES[runtime].deprecation}T00:00:00Z`) - utcDay(today)) / DAY_MS,
  );
}

function describe(check: RuntimeCheck, days: number): string {
  const dates = LAMBDA_RUNTIMES[check.runtime];
  const when =
    days < 0
      ? `was deprecated on ${dates.deprecation} (${-days} days ago)`
      : `is deprecated on ${dates.deprecation} (in ${days} days)`;
  return (
    `Lambda function "${check.functionName}" runs on ${check.runtime}, which ${when}; AWS blocks ` +
    `creating functions on it from ${dates.blockCreate} and updating them from ${dates.blockUpdate} ` +
    `(${LAMBDA_RUNTIME_SOURCE}).`
  );
}

/**
 * Passes a runtime more than RUNTIME_WARNING_DAYS from deprecation; throws
 * RuntimeDeprecationError for one inside that window or past it, unless the environment
 * acknowledges the runtime with a reason (then the verdict carries the message to log).
 */
export function checkRuntime(check: RuntimeCheck): RuntimeVerdict {
  const days = daysToDeprecation(check.runtime, check.today);
  if (days > RUNTIME_WARNING_DAYS) return { status: "ok", daysToDeprecation: days };
  const message = describe(check, days);
  const reason = check.acknowledgements?.[check.runtime]?.trim();
  if (reason) {
    return {
      status: "acknowledged",
      daysToDeprecation: days,
      reason,
      message: `${message} Deploying anyway: runtimeAcknowledgements["${check.runtime}"] says "${reason}".`,
    };
  }
  throw new RuntimeDeprecationError(
    check.functionName,
    check.runtime,
    days,
    `${message} Move the function to a newer runtime (REGIONAL_RUNTIME / EDGE_RUNTIME in ` +
      `packages/core/src/runtimes.ts, after checking AWS's table), or, to deploy this once more, ` +
      `add runtimeAcknowledgements: { "${check.runtime}": "<why>" } to the environment in ` +
      "packages/core/src/config.ts.",
  );
}
