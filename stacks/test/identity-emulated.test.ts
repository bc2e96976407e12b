import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { type EnvironmentConfig, embeddedEnvironment } from "@photogate/core";
import { provisionUserPool } from "@photogate/local-emulators";
import { TerraformStack, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { Identity } from "../src/constructs/identity";

type Resource = Record<string, unknown>;
// Two untyped documents (synthesized JSON, SDK inputs) read field by field; the assertions type-check them.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = any;

function synthIdentity(env: EnvironmentConfig) {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  new AwsProvider(stack, "aws", { region: env.region });
  new Identity(stack, "identity", { env, bucketArn: "arn:aws:s3:::test-photos" });
  return JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, Resource>> };
}

/** What provisionUserPool asks of Cognito, with the smallest answers that let it go on. */
async function provisioned(env: EnvironmentConfig) {
  const sent: { command: string; input: Resource }[] = [];
  const client = {
    config: { endpoint: undefined },
    async send(command: { constructor: { name: string }; input: Resource }) {
      const name = command.constructor.name.replace(/Command$/, "");
      sent.push({ command: name, input: command.input });
      if (name === "CreateUserPool") return { UserPool: { Id: "eu-west-1_Local1" } };
      if (name === "CreateUserPoolClient") return { UserPoolClient: { ClientId: `c${sent.length}` } };
      return {};
    },
  };
  await provisionUserPool(client as never, env);
  return sent;
}

const sorted = (v: unknown) => [...(v as string[])].sort();

/**
 * By construction: the pool `pnpm dev` provisions on cognito-local and the pool the stacks deploy
 * come from the same core settings; this reads both back and compares them setting by setting.
 */
describe("the emulated user pool and the Identity construct", async () => {
  const env = embeddedEnvironment;
  const synth = synthIdentity(env);
  const sent = await provisioned(env);
  const input = (command: string) => sent.filter((s) => s.command === command).map((s) => s.input);
  const pool = Object.values(synth.resource.aws_cognito_user_pool ?? {});
  const [created] = input("CreateUserPool");

  it("have one pool each, with the same sign-in, recovery and password policy", () => {
    expect(pool).toHaveLength(1);
    expect(input("CreateUserPool")).toHaveLength(1);
    const stack = pool[0] as Record<string, Json>;
    const local = created as Record<string, Json>;
    expect(local.PoolName).toBe(stack.name);
    expect(sorted(local.UsernameAttributes)).toEqual(sorted(stack.username_attributes));
    expect(sorted(local.AutoVerifiedAttributes)).toEqual(sorted(stack.auto_verified_attributes));
    expect(local.UsernameConfiguration.CaseSensitive).toBe(stack.username_configuration.case_sensitive);
    expect(
      local.AccountRecoverySetting.RecoveryMechanisms.map((m: Json) => ({
        name: m.Name,
        priority: m.Priority,
      })),
    ).toEqual(stack.account_recovery_setting.recovery_mechanism);
    const p = local.Policies.PasswordPolicy;
    expect({
      minimum_length: p.MinimumLength,
      password_history_size: p.PasswordHistorySize,
      require_lowercase: p.RequireLowercase,
      require_numbers: p.RequireNumbers,
      require_symbols: p.RequireSymbols,
      require_uppercase: p.RequireUppercase,
      temporary_password_validity_days: p.TemporaryPasswordValidityDays,
    }).toEqual(stack.password_policy);
  });

  it("have the same groups", () => {
    const stack = Object.values(synth.resource.aws_cognito_user_group ?? {}).map((g) => ({
      name: g.name,
      description: g.description,
      precedence: g.precedence,
    }));
    const local = input("CreateGroup").map((g) => ({
      name: g.GroupName,
      description: g.Description,
      precedence: g.Precedence,
    }));
    expect(local.length).toBeGreaterThan(0);
    expect(local).toEqual(expect.arrayContaining(stack));
    expect(stack).toHaveLength(local.length);
  });

  it("have the same app clients: attributes, token validity, flows (plus the CLI's password flow locally)", () => {
    const stack = Object.values(synth.resource.aws_cognito_user_pool_client ?? {}) as Record<string, Json>[];
    const local = input("CreateUserPoolClient") as Record<string, Json>[];
    expect(local.map((c) => c.ClientName).sort()).toEqual(stack.map((c) => c.name).sort());
    for (const deployed of stack) {
      const emulated = local.find((c) => c.ClientName === deployed.name)!;
      const units = deployed.token_validity_units[0];
      expect(
        {
          read: sorted(emulated.ReadAttributes),
          write: sorted(emulated.WriteAttributes),
          access: [emulated.AccessTokenValidity, emulated.TokenValidityUnits.AccessToken],
          id: [emulated.IdTokenValidity, emulated.TokenValidityUnits.IdToken],
          refresh: [emulated.RefreshTokenValidity, emulated.TokenValidityUnits.RefreshToken],
          secret: emulated.GenerateSecret,
          revocation: emulated.EnableTokenRevocation,
          existenceErrors: emulated.PreventUserExistenceErrors,
        },
        deployed.name,
      ).toEqual({
        read: sorted(deployed.read_attributes),
        write: sorted(deployed.write_attributes),
        access: [deployed.access_token_validity, units.access_token],
        id: [deployed.id_token_validity, units.id_token],
        refresh: [deployed.refresh_token_validity, units.refresh_token],
        secret: deployed.generate_secret,
        revocation: deployed.enable_token_revocation,
        existenceErrors: deployed.prevent_user_existence_errors,
      });
      // Users never write `picture` themselves, on either pool.
      expect(emulated.WriteAttributes).not.toContain("picture");
      expect(sorted(emulated.ExplicitAuthFlows)).toEqual(
        sorted([...deployed.explicit_auth_flows, "ALLOW_USER_PASSWORD_AUTH"]),
      );
    }
  });
});
