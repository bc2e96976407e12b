/**
 * Evaluates the identity-pool role policies as IAM would, with @cloud-copilot/iam-simulate:
 * it runs identity policies through AWS's evaluation logic (explicit deny > allow > implicit
 * deny), matches actions and ARNs, evaluates condition operators (StringLike on s3:prefix,
 * ForAnyValue) and substitutes policy variables such as ${aws:PrincipalTag/owner} from the
 * request context, which is exactly what confines a user to their own prefix. It also
 * validates actions, resource types and context keys, so a typo fails the test instead of
 * silently denying. The policies come from the synthesized Terraform, un-escaped the way
 * Terraform does before it calls IAM.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { type EvaluationResult, runSimulation } from "@cloud-copilot/iam-simulate";
import { type EnvironmentConfig, environments } from "@photogate/core";
import { TerraformStack, Testing } from "cdktf";
import { beforeAll, describe, expect, it } from "vitest";
import { Identity } from "../src/constructs/identity";

const ACCOUNT = "123456789012";
const BUCKET = "photogate-test-photos";
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const ALICE = "8f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f";
const BOB = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
const PHOTO = "0b7e6c1a-2d3f-4e5a-9b8c-7d6e5f4a3b2c";

interface RolePolicies {
  authenticated: unknown;
  unauthenticated: unknown;
}

/** Terraform's reading of a string in JSON config: `$${` is a literal `${`. */
function terraformLiteral(value: string): string {
  return value.replaceAll("$${", "${").replaceAll("%%{", "%{");
}

function synthesizedRolePolicies(env: EnvironmentConfig = environments.dev): RolePolicies {
  const app = Testing.app();
  const stack = new TerraformStack(app, "iam-test");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new Identity(stack, "identity", { env, bucketArn: BUCKET_ARN });
  const json = JSON.parse(Testing.synth(stack)) as {
    resource: { aws_iam_role_policy: Record<string, { policy: string }> };
  };
  const policies = Object.entries(json.resource.aws_iam_role_policy);
  const find = (fragment: string) => {
    const policy = policies.find(([id]) => id.includes(fragment))?.[1].policy;
    if (!policy) throw new Error(`no role policy ${fragment}`);
    // Anything still looking like a Terraform interpolation would not reach IAM as written.
    expect(terraformLiteral(policy)).not.toMatch(/\$\{(?!aws:)/);
    return JSON.parse(terraformLiteral(policy)) as unknown;
  };
  return { authenticated: find("_authenticated-policy"), unauthenticated: find("unauthenticated-policy") };
}

interface Request {
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
}

let policies: RolePolicies;
/** The same construct synthesized for an environment with public sharing on. */
let publicPolicies: RolePolicies;

beforeAll(() => {
  policies = synthesizedRolePolicies();
  publicPolicies = synthesizedRolePolicies({ ...environments.dev, publicSharing: true });
});

async function simulate(
  role: keyof RolePolicies,
  owner: string | undefined,
  request: Request,
  from: () => RolePolicies = () => policies,
): Promise<EvaluationResult> {
  const result = await runSimulation(
    {
      identityPolicies: [{ name: role, policy: from()[role] }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/photogate-dev-identity-${role}/CognitoIdentityCredentials`,
        action: request.action,
        resource: { resource: request.resource, accountId: ACCOUNT },
        // The identity pool sets this session tag from the ID token's `sub`.
        contextVariables: {
          ...(owner === undefined ? {} : { "aws:PrincipalTag/owner": owner }),
          ...request.context,
        },
      },
    },
    {},
  );
  if (result.resultType === "error") throw new Error(`simulation input rejected: ${result.errors.message}`);
  return result.overallResult;
}

const object = (key: string) => `${BUCKET_ARN}/${key}`;

describe("authenticated role (simulated)", () => {
  it.each([
    ["s3:PutObject", `uploads/${ALICE}/${PHOTO}.jpg`],
    ["s3:GetObject", `uploads/${ALICE}/${PHOTO}.jpg`],
    ["s3:DeleteObject", `uploads/${ALICE}/${PHOTO}.jpg`],
    ["s3:GetObject", `photos/${ALICE}/${PHOTO}/display.webp`],
    ["s3:GetObject", `photos/${ALICE}/${PHOTO}/status.json`],
    ["s3:GetObject", `shared/${ALICE}/${PHOTO}/display.webp`],
    // Protected level: every signed-in user reads other people's approved copies.
    ["s3:GetObject", `shared/${BOB}/${PHOTO}/thumb-256.webp`],
  ])("lets the owner %s %s", async (action, key) => {
    expect(await simulate("authenticated", ALICE, { action, resource: object(key) })).toBe("Allowed");
  });

  it.each([
    ["s3:PutObject", `uploads/${BOB}/${PHOTO}.jpg`],
    ["s3:GetObject", `uploads/${BOB}/${PHOTO}.jpg`],
    ["s3:DeleteObject", `uploads/${BOB}/${PHOTO}.jpg`],
    ["s3:GetObject", `photos/${BOB}/${PHOTO}/display.webp`],
    ["s3:PutObject", `photos/${ALICE}/${PHOTO}/display.webp`],
    ["s3:PutObject", `photos/${ALICE}/${PHOTO}/status.json`],
    ["s3:DeleteObject", `photos/${ALICE}/${PHOTO}/display.webp`],
    ["s3:PutObject", `${PHOTO}.jpg`],
    ["s3:PutObject", `shared/${ALICE}/${PHOTO}/display.webp`],
    ["s3:DeleteObject", `shared/${ALICE}/${PHOTO}/display.webp`],
    ["s3:PutObject", `shared/${BOB}/${PHOTO}/display.webp`],
    ["s3:DeleteObject", `shared/${BOB}/${PHOTO}/display.webp`],
    ["s3:GetObject", `photos/${BOB}/${PHOTO}/status.json`],
    // An owner id that merely starts with the caller's is someone else's prefix.
    ["s3:PutObject", `uploads/${ALICE}0/${PHOTO}.jpg`],
  ])("denies the owner %s %s", async (action, key) => {
    expect(await simulate("authenticated", ALICE, { action, resource: object(key) })).toBe(
      "ImplicitlyDenied",
    );
  });

  it("denies a session without the owner tag (e.g. credentials from the classic flow)", async () => {
    const result = await simulate("authenticated", undefined, {
      action: "s3:PutObject",
      resource: object(`uploads/${ALICE}/${PHOTO}.jpg`),
    });
    expect(result).toBe("ImplicitlyDenied");
  });

  it.each([`uploads/${ALICE}/`, `photos/${ALICE}/`, `photos/${ALICE}/${PHOTO}/`])(
    "lets the owner list their own prefix %s",
    async (prefix) => {
      const result = await simulate("authenticated", ALICE, {
        action: "s3:ListBucket",
        resource: BUCKET_ARN,
        context: { "s3:prefix": prefix },
      });
      expect(result).toBe("Allowed");
    },
  );

  it.each([
    `uploads/${BOB}/`,
    `photos/${BOB}/`,
    "uploads/",
    "photos/",
    "",
    `uploads/${ALICE}`,
    "shared/",
    `shared/${ALICE}/`,
    `shared/${BOB}/`,
  ])("denies listing prefix %j", async (prefix) => {
    const result = await simulate("authenticated", ALICE, {
      action: "s3:ListBucket",
      resource: BUCKET_ARN,
      context: { "s3:prefix": prefix },
    });
    expect(result).toBe("ImplicitlyDenied");
  });

  it("denies listing without a prefix (the whole bucket)", async () => {
    expect(await simulate("authenticated", ALICE, { action: "s3:ListBucket", resource: BUCKET_ARN })).toBe(
      "ImplicitlyDenied",
    );
  });

  it("denies bucket-level changes", async () => {
    for (const action of ["s3:PutBucketPolicy", "s3:DeleteBucket", "s3:PutBucketAcl"]) {
      expect(await simulate("authenticated", ALICE, { action, resource: BUCKET_ARN }), action).toBe(
        "ImplicitlyDenied",
      );
    }
  });
});

describe("unauthenticated role (simulated)", () => {
  it.each([
    ["s3:PutObject", `uploads/${ALICE}/${PHOTO}.jpg`],
    ["s3:PutObject", `${PHOTO}.jpg`],
    ["s3:DeleteObject", `uploads/${ALICE}/${PHOTO}.jpg`],
    ["s3:GetObject", `uploads/${ALICE}/${PHOTO}.jpg`],
    ["s3:GetObject", `photos/${ALICE}/${PHOTO}/display.webp`],
    ["s3:GetObject", `shared/${ALICE}/${PHOTO}/display.webp`],
  ])("explicitly denies %s %s, even with an owner tag", async (action, key) => {
    expect(await simulate("unauthenticated", ALICE, { action, resource: object(key) })).toBe(
      "ExplicitlyDenied",
    );
  });

  it("explicitly denies listing", async () => {
    const result = await simulate("unauthenticated", ALICE, {
      action: "s3:ListBucket",
      resource: BUCKET_ARN,
      context: { "s3:prefix": `uploads/${ALICE}/` },
    });
    expect(result).toBe("ExplicitlyDenied");
  });
});

describe("with public sharing on (simulated)", () => {
  const guest = (action: string, resource: string, context?: Record<string, string>) =>
    simulate(
      "unauthenticated",
      undefined,
      { action, resource, ...(context ? { context } : {}) },
      () => publicPolicies,
    );

  it("lets a guest read a shared/ copy", async () => {
    expect(await guest("s3:GetObject", object(`shared/${ALICE}/${PHOTO}/display.webp`))).toBe("Allowed");
  });

  it.each([
    ["s3:PutObject", `shared/${ALICE}/${PHOTO}/display.webp`],
    ["s3:DeleteObject", `shared/${ALICE}/${PHOTO}/display.webp`],
    ["s3:GetObject", `photos/${ALICE}/${PHOTO}/display.webp`],
    ["s3:GetObject", `photos/${ALICE}/${PHOTO}/status.json`],
    ["s3:GetObject", `uploads/${ALICE}/${PHOTO}.jpg`],
    ["s3:PutObject", `uploads/${ALICE}/${PHOTO}.jpg`],
  ])("still denies a guest %s %s", async (action, key) => {
    expect(await guest(action, object(key))).not.toBe("Allowed");
  });

  it.each(["", "shared/", `shared/${ALICE}/`])("denies a guest listing %j", async (prefix) => {
    expect(await guest("s3:ListBucket", BUCKET_ARN, { "s3:prefix": prefix })).not.toBe("Allowed");
  });

  it("leaves the authenticated role as it is", () => {
    expect(publicPolicies.authenticated).toEqual(policies.authenticated);
  });
});
