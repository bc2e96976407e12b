import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { type EnvironmentConfig, environments } from "@photogate/core";
import { TerraformStack, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { Identity, type IdentityOptions } from "../src/constructs/identity";

const BUCKET_ARN = "arn:aws:s3:::photogate-test-photos";
/** The IAM policy variable as AWS must receive it. */
const OWNER = `\${aws:PrincipalTag/owner}`;

interface Synth {
  resource: Record<string, Record<string, Record<string, unknown>>>;
}

function synthIdentity(env: EnvironmentConfig = environments.dev, extra: Partial<IdentityOptions> = {}) {
  const app = Testing.app();
  const stack = new TerraformStack(app, "identity-test");
  new AwsProvider(stack, "aws", { region: env.region });
  const identity = new Identity(stack, "identity", { env, bucketArn: BUCKET_ARN, ...extra });
  const raw = Testing.synth(stack);
  return { raw, json: JSON.parse(raw) as Synth, identity };
}

/** The one resource of a type; fails loudly if there are none or several. */
function only(json: Synth, type: string): Record<string, unknown> {
  const all = Object.values(json.resource[type] ?? {});
  expect(all, `exactly one ${type}`).toHaveLength(1);
  return all[0]!;
}

/** The resource of a type whose synthesized name (logical id) contains `fragment`. */
function named(json: Synth, type: string, fragment: string): Record<string, unknown> {
  const entry = Object.entries(json.resource[type] ?? {}).find(([id]) => id.includes(fragment));
  if (!entry) throw new Error(`no ${type} whose id contains "${fragment}"`);
  return entry[1];
}

/** `${aws_x.name.attr}` for the resource of `type` whose logical id contains `fragment`. */
function ref(json: Synth, type: string, fragment: string, attribute: string): string {
  const id = Object.keys(json.resource[type] ?? {}).find((key) => key.includes(fragment));
  if (!id) throw new Error(`no ${type} whose id contains "${fragment}"`);
  return `\${${type}.${id}.${attribute}}`;
}

interface Statement {
  Effect: string;
  Principal?: Record<string, unknown>;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

function statements(policy: unknown): Statement[] {
  return (JSON.parse(String(policy)) as { Statement: Statement[] }).Statement;
}

describe("Identity: user pool", () => {
  it("signs in by email, verifies email and asks for a strong password", () => {
    const { raw } = synthIdentity();
    expect(
      Testing.toHaveResourceWithProperties(raw, "aws_cognito_user_pool", {
        username_attributes: ["email"],
        auto_verified_attributes: ["email"],
        username_configuration: { case_sensitive: false },
        password_policy: {
          minimum_length: 12,
          require_lowercase: true,
          require_uppercase: true,
          require_numbers: true,
          require_symbols: true,
        },
      }),
    ).toBe(true);
  });

  it("protects the pool from deletion only where the environment asks for it", () => {
    expect(only(synthIdentity(environments.dev).json, "aws_cognito_user_pool").deletion_protection).toBe(
      "INACTIVE",
    );
    expect(only(synthIdentity(environments.prod).json, "aws_cognito_user_pool").deletion_protection).toBe(
      "ACTIVE",
    );
  });

  it("enforces threat protection in prod, which needs the PLUS tier", () => {
    const prod = only(synthIdentity(environments.prod).json, "aws_cognito_user_pool");
    expect(prod.user_pool_tier).toBe("PLUS");
    expect(prod.user_pool_add_ons).toEqual({ advanced_security_mode: "ENFORCED" });

    const dev = only(synthIdentity(environments.dev).json, "aws_cognito_user_pool");
    expect(dev.user_pool_tier).toBe("ESSENTIALS");
    expect(dev.user_pool_add_ons).toBeUndefined();

    const audited = only(
      synthIdentity(environments.dev, { threatProtection: "audit" }).json,
      "aws_cognito_user_pool",
    );
    expect(audited).toMatchObject({
      user_pool_tier: "PLUS",
      user_pool_add_ons: { advanced_security_mode: "AUDIT" },
    });
  });

  it("has the support and admins groups in the pool", () => {
    const { json } = synthIdentity();
    const groups = Object.values(json.resource.aws_cognito_user_group ?? {});
    expect(groups.map((g) => g.name).sort()).toEqual(["admins", "support"]);
    const poolId = ref(json, "aws_cognito_user_pool", "user-pool", "id");
    for (const group of groups) expect(group.user_pool_id).toBe(poolId);
  });

  it("has public upload and admin clients with SRP + refresh only and explicit token lifetimes", () => {
    const { json } = synthIdentity();
    const clients = Object.values(json.resource.aws_cognito_user_pool_client ?? {});
    expect(clients).toHaveLength(2);
    for (const client of clients) {
      expect(client.generate_secret).toBe(false);
      expect([...(client.explicit_auth_flows as string[])].sort()).toEqual([
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_SRP_AUTH",
      ]);
      expect(client.token_validity_units).toEqual([
        { access_token: "minutes", id_token: "minutes", refresh_token: "minutes" },
      ]);
      expect(client.enable_token_revocation).toBe(true);
      expect(client.prevent_user_existence_errors).toBe("ENABLED");
    }
    const upload = named(json, "aws_cognito_user_pool_client", "upload-client");
    expect(upload).toMatchObject({
      access_token_validity: 60,
      id_token_validity: 60,
      refresh_token_validity: 30 * 24 * 60,
    });
    const admin = named(json, "aws_cognito_user_pool_client", "admin-client");
    expect(admin).toMatchObject({
      access_token_validity: 30,
      id_token_validity: 30,
      refresh_token_validity: 12 * 60,
    });
  });

  it("lists each client's readable and writable attributes: nobody writes `picture` (issue 13)", () => {
    const { json } = synthIdentity();
    const upload = named(json, "aws_cognito_user_pool_client", "upload-client");
    const admin = named(json, "aws_cognito_user_pool_client", "admin-client");
    expect([...(upload.write_attributes as string[])].sort()).toEqual([
      "family_name",
      "given_name",
      "locale",
      "name",
      "zoneinfo",
    ]);
    expect(admin.write_attributes).toEqual(upload.write_attributes);
    for (const client of [upload, admin]) {
      const writable = client.write_attributes as string[];
      for (const attribute of ["picture", "email", "email_verified"])
        expect(writable).not.toContain(attribute);
      expect(client.read_attributes as string[]).toEqual(
        expect.arrayContaining(["picture", "email", "name"]),
      );
    }
  });

  it("takes token lifetimes from options", () => {
    const { json } = synthIdentity(environments.dev, {
      uploadClientTokens: { accessTokenMinutes: 15, idTokenMinutes: 20, refreshTokenDays: 1 },
    });
    expect(named(json, "aws_cognito_user_pool_client", "upload-client")).toMatchObject({
      access_token_validity: 15,
      id_token_validity: 20,
      refresh_token_validity: 24 * 60,
    });
  });
});

describe("Identity: identity pool", () => {
  it("accepts only the upload client's tokens, with the server-side check and no classic flow or guests", () => {
    const { json } = synthIdentity();
    const pool = only(json, "aws_cognito_identity_pool");
    expect(pool.allow_classic_flow).toBe(false);
    expect(pool.allow_unauthenticated_identities).toBe(false);
    expect(pool.identity_pool_name).toMatch(/^[\w ]+$/);
    expect(pool.cognito_identity_providers).toEqual([
      {
        client_id: ref(json, "aws_cognito_user_pool_client", "upload-client", "id"),
        provider_name: ref(json, "aws_cognito_user_pool", "user-pool", "endpoint"),
        server_side_token_check: true,
      },
    ]);
  });

  it("attaches the authenticated and the guest role", () => {
    const { json } = synthIdentity();
    const attachment = only(json, "aws_cognito_identity_pool_roles_attachment");
    expect(attachment.identity_pool_id).toBe(ref(json, "aws_cognito_identity_pool", "identity-pool", "id"));
    expect(attachment.roles).toEqual({
      authenticated: ref(json, "aws_iam_role", "authenticated-role", "arn"),
      unauthenticated: ref(json, "aws_iam_role", "unauthenticated-role", "arn"),
    });
  });

  it("maps the user-pool token's sub to the owner session tag, without the default tags", () => {
    const { json } = synthIdentity();
    const tag = only(json, "aws_cognito_identity_pool_provider_principal_tag");
    expect(tag).toEqual({
      identity_pool_id: ref(json, "aws_cognito_identity_pool", "identity-pool", "id"),
      identity_provider_name: ref(json, "aws_cognito_user_pool", "user-pool", "endpoint"),
      principal_tags: { owner: "sub" },
      use_defaults: false,
    });
  });

  it.each([
    ["authenticated-role", "authenticated"],
    ["unauthenticated-role", "unauthenticated"],
  ])("lets only this pool's %s identities assume the role, with session tags", (role, amr) => {
    const { json } = synthIdentity();
    const trust = statements(named(json, "aws_iam_role", role).assume_role_policy);
    expect(trust).toEqual([
      {
        Effect: "Allow",
        Principal: { Federated: "cognito-identity.amazonaws.com" },
        Action: ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
        Condition: {
          StringEquals: {
            "cognito-identity.amazonaws.com:aud": ref(
              json,
              "aws_cognito_identity_pool",
              "identity-pool",
              "id",
            ),
          },
          "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": amr },
        },
      },
    ]);
  });
});

/** What Terraform does to a string in JSON config: `$${` is a literal `${`, `%%{` a literal `%{`. */
function terraformLiteral(value: string): string {
  return value.replaceAll("$${", "${").replaceAll("%%{", "%{");
}

describe("Identity: role policies", () => {
  it("escapes the owner policy variable so Terraform hands IAM the literal policy variable", () => {
    const { json } = synthIdentity();
    const policy = String(named(json, "aws_iam_role_policy", "authenticated-policy").policy);
    // Every "${" in the synthesized string must be escaped: an unescaped one would be a
    // Terraform interpolation (and `aws:...` is no Terraform reference, so plan would fail).
    expect(policy.match(/(?<!\$)\$\{/g)).toBeNull();
    expect(policy).toContain("$${aws:PrincipalTag/owner}");

    const inAws = terraformLiteral(policy);
    const resources = statements(inAws).flatMap((s) => [s.Resource ?? []].flat());
    expect(resources).toEqual(
      expect.arrayContaining([`${BUCKET_ARN}/uploads/${OWNER}/*`, `${BUCKET_ARN}/photos/${OWNER}/*`]),
    );
  });

  it("never keys on the identity id or aws:userid", () => {
    const { json } = synthIdentity();
    for (const role of Object.values(json.resource.aws_iam_role_policy ?? {})) {
      expect(String(role.policy)).not.toMatch(/aws:userid|cognito-identity\.amazonaws\.com:sub/);
    }
  });

  it("allows list only with an s3:prefix condition on the caller's own prefixes", () => {
    const { json } = synthIdentity();
    const policy = terraformLiteral(
      String(named(json, "aws_iam_role_policy", "authenticated-policy").policy),
    );
    const list = statements(policy).filter((s) => [s.Action].flat().includes("s3:ListBucket"));
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      Resource: BUCKET_ARN,
      Condition: {
        StringLike: {
          "s3:prefix": [`uploads/${OWNER}/*`, `photos/${OWNER}/*`],
        },
      },
    });
  });

  it("gives the guest role an explicit deny of everything and no allow", () => {
    const { json } = synthIdentity();
    const policy = named(json, "aws_iam_role_policy", "unauthenticated-policy");
    expect(policy.role).toBe(ref(json, "aws_iam_role", "unauthenticated-role", "id"));
    expect(statements(policy.policy)).toEqual([
      expect.objectContaining({ Effect: "Deny", Action: "*", Resource: "*" }),
    ]);
  });

  it("with public sharing on, admits guests and lets them GetObject shared/* only", () => {
    const { json } = synthIdentity({ ...environments.dev, publicSharing: true });
    expect(only(json, "aws_cognito_identity_pool").allow_unauthenticated_identities).toBe(true);
    const policy = named(json, "aws_iam_role_policy", "unauthenticated-policy");
    expect(statements(policy.policy)).toEqual([
      { Sid: "ReadShared", Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET_ARN}/shared/*` },
    ]);
  });
});
