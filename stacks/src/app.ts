import { existsSync } from "node:fs";
import { join } from "node:path";
import { ENVIRONMENT_NAMES, type EnvironmentConfig, loadEnvironment } from "@photogate/core";
import type { App, TerraformStack } from "cdktf";
import { DEFAULT_LOCALSTACK_URL, localstackProviderOverrides } from "./lib/localstack";
import { BootstrapStack, usesS3State } from "./stacks/bootstrap-stack";
import { PhotogateStack } from "./stacks/photogate-stack";

export interface PhotogateAppOptions {
  environments: EnvironmentConfig[];
  /** Resolves a function's bundle directory for one architecture. */
  bundleDir: (name: string, architecture: EnvironmentConfig["processor"]["architecture"]) => string;
  /** Where relative local state paths resolve. */
  stateDir: string;
  /** The built admin app (apps/admin/dist). */
  adminSiteDir: string;
  /** LocalStack's URL, for environments whose target is LocalStack. */
  localstackUrl?: string;
  /** The day the Lambda runtime guard checks against (tests pass a fixed one); the clock by default. */
  today?: Date;
  /** Where acknowledged runtimes are reported; console.warn by default. */
  warn?: (message: string) => void;
}

export function stackName(env: EnvironmentConfig): string {
  return `photogate-${env.name}`;
}

export function bootstrapStackName(env: EnvironmentConfig): string {
  return `photogate-${env.name}-bootstrap`;
}

/** The bundler writes index.mjs; a missing one means bundling never ran or failed half-way. */
function requireBundle(dir: string): string {
  if (!existsSync(join(dir, "index.mjs"))) {
    throw new Error(
      `No function bundle at ${dir}: run \`pnpm build:functions\` (or \`pnpm synth\`, which bundles first).`,
    );
  }
  return dir;
}

/** Adds every stack of the selected environments to `app` and returns them. */
export function buildApp(app: App, options: PhotogateAppOptions): TerraformStack[] {
  const stacks: TerraformStack[] = [];
  for (const env of options.environments) {
    const processorBundleDir = requireBundle(options.bundleDir("processor", env.processor.architecture));
    // Lambda@Edge runs only on x86_64.
    const edgeBundleDir = requireBundle(options.bundleDir("edge-auth", "x86_64"));
    const adminApiBundleDir = requireBundle(options.bundleDir("admin-api", "arm64"));
    if (env.target === "aws" && !existsSync(join(options.adminSiteDir, "index.html"))) {
      throw new Error(
        `No admin app build at ${options.adminSiteDir}: run \`pnpm build:admin\` (or \`pnpm synth\`).`,
      );
    }
    if (usesS3State(env)) {
      stacks.push(new BootstrapStack(app, bootstrapStackName(env), { env, stateDir: options.stateDir }));
    }
    stacks.push(
      new PhotogateStack(app, stackName(env), {
        env,
        processorBundleDir,
        edgeBundleDir,
        adminApiBundleDir,
        adminSiteDir: options.adminSiteDir,
        stateDir: options.stateDir,
        today: options.today,
        warn: options.warn,
        ...(env.target === "localstack"
          ? {
              providerOverrides: localstackProviderOverrides(options.localstackUrl ?? DEFAULT_LOCALSTACK_URL),
            }
          : {}),
      }),
    );
  }
  return stacks;
}

/**
 * Environments named in `selection` ("dev", "dev,prod"); all of them when empty. Unknown
 * names fail with the list of valid ones.
 */
export function selectEnvironments(selection: string | undefined): EnvironmentConfig[] {
  const names = (selection ?? "")
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  return (names.length ? names : [...ENVIRONMENT_NAMES]).map(loadEnvironment);
}
