import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ArchiveProvider } from "@cdktf/provider-archive/lib/provider";
import { HttpProvider } from "@cdktf/provider-http/lib/provider";
import { environments } from "@photogate/core";
// The edge function's own config parser: what the stack bakes must be what the function parses.
import { parseEdgeConfig } from "@photogate/edge-auth";
import { TerraformStack, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import {
  EdgeDistribution,
  type EdgeDistributionOptions,
  MANAGED_POLICY_IDS,
} from "../src/constructs/edge-distribution";
import { Identity } from "../src/constructs/identity";
import { SecureBucket } from "../src/constructs/secure-bucket";
import { createAwsProvider } from "../src/lib/aws-provider";
import { useTestRuntimePolicy } from "./support";
import { evaluateTerraform } from "./terraform-expression";

const env = environments.dev;
const FIXTURE_CODE = "export const handler = async (event) => event.Records[0].cf.request;\n";

function fixtureBundleDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "edge-bundle-"));
  writeFileSync(join(dir, "index.mjs"), FIXTURE_CODE);
  return dir;
}

interface Block {
  [key: string]: unknown;
}
interface Synth {
  resource: Record<string, Record<string, Block>>;
  data: Record<string, Record<string, Block>>;
}

function buildStack(overrides: Partial<EdgeDistributionOptions> = {}) {
  const app = Testing.app();
  const stack = new TerraformStack(app, "edge-test");
  useTestRuntimePolicy(stack);
  createAwsProvider(stack, env);
  const usEast1Provider = createAwsProvider(stack, env, { alias: "us-east-1", region: "us-east-1" });
  const storage = new SecureBucket(stack, "storage", { bucketName: env.bucketName });
  const identity = new Identity(stack, "identity", { env, bucketArn: storage.bucketArn });
  const edge = new EdgeDistribution(stack, "edge", {
    env,
    bucket: { arn: storage.bucketArn, regionalDomainName: storage.bucketRegionalDomainName },
    userPool: { id: identity.userPoolId, clientIds: identity.edgeClientIds },
    usEast1Provider,
    httpProvider: new HttpProvider(stack, "http"),
    archiveProvider: new ArchiveProvider(stack, "archive"),
    bundleDir: fixtureBundleDir(),
    ...overrides,
  });
  storage.addPolicyStatements(...edge.bucketPolicyStatements);
  return { stack, edge };
}

function synth(overrides: Partial<EdgeDistributionOptions> = {}) {
  const { stack } = buildStack(overrides);
  const raw = Testing.synth(stack);
  return { raw, json: JSON.parse(raw) as Synth };
}

function only(blocks: Record<string, Block> | undefined, what: string): [string, Block] {
  const entries = Object.entries(blocks ?? {});
  expect(entries, `exactly one ${what}`).toHaveLength(1);
  return entries[0]!;
}

function resource(json: Synth, type: string): Block {
  return only(json.resource[type], type)[1];
}

function reference(json: Synth, kind: "resource" | "data", type: string, attribute: string, fragment = "") {
  const blocks = kind === "resource" ? json.resource[type] : json.data[type];
  const id = Object.keys(blocks ?? {}).find((key) => key.includes(fragment));
  if (!id) throw new Error(`no ${kind} ${type} matching "${fragment}"`);
  return kind === "resource" ? `\${${type}.${id}.${attribute}}` : `\${data.${type}.${id}.${attribute}}`;
}

interface Behaviour extends Block {
  path_pattern?: string;
  allowed_methods: string[];
  viewer_protocol_policy: string;
  cache_policy_id: string;
  lambda_function_association: Block[];
}

function behaviours(json: Synth): Record<string, Behaviour> {
  const distribution = resource(json, "aws_cloudfront_distribution");
  const ordered = distribution.ordered_cache_behavior as Behaviour[];
  return {
    ...Object.fromEntries(ordered.map((b) => [b.path_pattern, b])),
    default: distribution.default_cache_behavior as Behaviour,
  };
}

interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Resource: string | string[];
  Condition?: unknown;
}

const policyStatements = (policy: unknown) =>
  (JSON.parse(String(policy)) as { Statement: Statement[] }).Statement;

describe("EdgeDistribution: origin", () => {
  it("reaches the bucket through an S3 origin access control that always signs with SigV4", () => {
    const { raw, json } = synth();
    expect(
      Testing.toHaveResourceWithProperties(raw, "aws_cloudfront_origin_access_control", {
        origin_access_control_origin_type: "s3",
        signing_behavior: "always",
        signing_protocol: "sigv4",
      }),
    ).toBe(true);
    const origins = resource(json, "aws_cloudfront_distribution").origin as Block[];
    expect(origins).toHaveLength(1);
    expect(origins[0]).toEqual({
      origin_id: expect.any(String),
      domain_name: reference(json, "resource", "aws_s3_bucket", "bucket_regional_domain_name"),
      origin_access_control_id: reference(json, "resource", "aws_cloudfront_origin_access_control", "id"),
    });
    // No legacy origin access identity anywhere.
    expect(raw).not.toContain("origin_access_identity");
  });

  it("lets only this distribution read photos/, uploads/ and shared/ and write uploads/ in the bucket policy", () => {
    const { json } = synth();
    const statements = policyStatements(resource(json, "aws_s3_bucket_policy").policy);
    const cloudfront = statements.filter(
      (s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: "cloudfront.amazonaws.com" }),
    );
    const bucketArn = reference(json, "resource", "aws_s3_bucket", "arn");
    const sourceArn = {
      StringEquals: { "AWS:SourceArn": reference(json, "resource", "aws_cloudfront_distribution", "arn") },
    };
    expect(cloudfront).toHaveLength(3);
    for (const statement of cloudfront) expect(statement.Condition).toEqual(sourceArn);

    const granted = cloudfront.flatMap((s) =>
      [s.Action].flat().flatMap((action) => [s.Resource].flat().map((r) => `${action} ${r}`)),
    );
    expect(granted.sort()).toEqual(
      [
        `s3:GetObject ${bucketArn}/photos/*`,
        `s3:GetObject ${bucketArn}/shared/*`,
        `s3:GetObject ${bucketArn}/uploads/*`,
        `s3:PutObject ${bucketArn}/uploads/*`,
      ].sort(),
    );
    // The bucket's own TLS rule is still there: the statements were added, not swapped in.
    expect(statements.some((s) => s.Sid === "DenyInsecureTransport")).toBe(true);
  });
});

describe("EdgeDistribution: behaviours", () => {
  it("accepts PUT on uploads/* over HTTPS only and never caches it", () => {
    const upload = behaviours(synth().json)["uploads/*"];
    expect(upload).toBeDefined();
    expect([...upload!.allowed_methods].sort()).toEqual(
      ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"].sort(),
    );
    expect(upload!.viewer_protocol_policy).toBe("https-only");
    expect(upload!.cache_policy_id).toBe(MANAGED_POLICY_IDS.cachingDisabled);
  });

  it("forwards the CORS headers and the upload intent header (and nothing else) to the bucket on uploads/*", () => {
    const { json } = synth();
    const upload = behaviours(json)["uploads/*"];
    const policies = Object.entries(
      (json.resource as Record<string, Record<string, Record<string, unknown>>>)
        .aws_cloudfront_origin_request_policy ?? {},
    );
    expect(policies).toHaveLength(1);
    const [id, policy] = policies[0]!;
    expect(upload!.origin_request_policy_id).toBe(`\${aws_cloudfront_origin_request_policy.${id}.id}`);
    expect(policy).toMatchObject({
      headers_config: { header_behavior: "whitelist" },
      cookies_config: { cookie_behavior: "none" },
      query_strings_config: { query_string_behavior: "none" },
    });
    const headers = (policy.headers_config as { headers: { items: string[] } }).headers.items;
    expect([...headers].sort()).toEqual(
      [
        "access-control-request-headers",
        "access-control-request-method",
        "origin",
        "x-amz-meta-photogate-intent",
      ].sort(),
    );
  });

  it("serves photos/* read-only, cached by key, redirecting plain HTTP", () => {
    const photos = behaviours(synth().json)["photos/*"];
    expect(photos).toBeDefined();
    expect([...photos!.allowed_methods].sort()).toEqual(["GET", "HEAD"]);
    expect(photos!.viewer_protocol_policy).toBe("redirect-to-https");
    expect(photos!.cache_policy_id).toBe(MANAGED_POLICY_IDS.cachingOptimized);
  });

  it("never caches the verdict: its behaviour comes before photos/* and uses CachingDisabled", () => {
    const distribution = resource(synth().json, "aws_cloudfront_distribution");
    const ordered = (distribution.ordered_cache_behavior as Behaviour[]).map((b) => b.path_pattern);
    // CloudFront takes the first matching pattern, and photos/* matches status.json too.
    expect(ordered.indexOf("photos/*/status.json")).toBeLessThan(ordered.indexOf("photos/*"));
    const status = behaviours(synth().json)["photos/*/status.json"]!;
    expect([...status.allowed_methods].sort()).toEqual(["GET", "HEAD"]);
    expect(status.cache_policy_id).toBe(MANAGED_POLICY_IDS.cachingDisabled);
  });

  it("serves shared/* read-only and cached, behind the same edge function", () => {
    const shared = behaviours(synth().json)["shared/*"]!;
    expect([...shared.allowed_methods].sort()).toEqual(["GET", "HEAD"]);
    expect(shared.cache_policy_id).toBe(MANAGED_POLICY_IDS.cachingOptimized);
    expect(shared.viewer_protocol_policy).toBe("redirect-to-https");
  });

  it("keeps the default behaviour read-only and HTTPS only", () => {
    const fallback = behaviours(synth().json).default;
    expect([...fallback!.allowed_methods].sort()).toEqual(["GET", "HEAD"]);
    expect(fallback!.viewer_protocol_policy).toBe("https-only");
  });

  it("runs the edge function's numbered version on viewer-request of every behaviour, without the body", () => {
    const { json } = synth();
    const all = behaviours(json);
    expect(Object.keys(all).sort()).toEqual([
      "default",
      "photos/*",
      "photos/*/status.json",
      "shared/*",
      "uploads/*",
    ]);
    const versionArn = reference(json, "resource", "aws_lambda_function", "qualified_arn");
    for (const [path, behaviour] of Object.entries(all)) {
      expect(behaviour.lambda_function_association, path).toEqual([
        { event_type: "viewer-request", include_body: false, lambda_arn: versionArn },
      ]);
    }
    // qualified_arn names a version only when every deploy publishes one.
    expect(resource(json, "aws_lambda_function").publish).toBe(true);
  });
});

describe("EdgeDistribution: edge function", () => {
  it("is created in us-east-1 through the provider alias, within Lambda@Edge's viewer limits", () => {
    const { json } = synth();
    const fn = resource(json, "aws_lambda_function");
    expect(fn).toMatchObject({
      provider: "aws.us-east-1",
      runtime: "nodejs24.x",
      architectures: ["x86_64"],
      handler: "index.handler",
      memory_size: 128,
      timeout: 5,
    });
    // Lambda@Edge refuses functions with environment variables.
    expect(fn.environment).toBeUndefined();
    expect(fn.filename).toBe(reference(json, "data", "archive_file", "output_path"));
    expect(fn.source_code_hash).toBe(reference(json, "data", "archive_file", "output_base64sha256"));
  });

  it("has a role trusted by lambda and edgelambda, in us-east-1", () => {
    const { json } = synth();
    const role = Object.values(json.resource.aws_iam_role ?? {}).find((r) =>
      String(r.name).endsWith("edge-auth"),
    );
    expect(role).toBeDefined();
    expect(role!.provider).toBe("aws.us-east-1");
    expect(policyStatements(role!.assume_role_policy)).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] },
        Action: "sts:AssumeRole",
      },
    ]);
    expect(resource(json, "aws_lambda_function").role).toBe(
      reference(json, "resource", "aws_iam_role", "arn", "edge-role"),
    );
  });

  it("may write logs only to its own us-east-1.{name} log groups, with no wildcard actions", () => {
    const { json } = synth();
    const policy = Object.values(json.resource.aws_iam_role_policy ?? {}).find((p) => p.name === "edge-logs");
    expect(policy).toBeDefined();
    const statements = policyStatements(policy!.policy);
    for (const statement of statements) {
      for (const action of [statement.Action].flat()) expect(action).toMatch(/^logs:[A-Za-z]+$/);
      for (const arn of [statement.Resource].flat()) {
        expect(arn).toMatch(
          /^arn:aws:logs:\*:\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}:log-group:\/aws\/lambda\/us-east-1\.photogate-dev-edge-auth(:\*)?$/,
        );
      }
    }
  });
});

describe("EdgeDistribution: deployment package", () => {
  it("zips the bundle with a config.json rendered from Terraform references", () => {
    const { json } = synth();
    const [, archive] = only(json.data.archive_file, "archive_file");
    expect(archive.type).toBe("zip");
    const sources = archive.source as { filename: string; content: string }[];
    expect(sources.map((s) => s.filename).sort()).toEqual(["config.json", "index.mjs"]);

    const code = sources.find((s) => s.filename === "index.mjs")!.content;
    expect(code).toMatch(/^\$\{file\("assets\/[^"]+\/index\.mjs"\)\}$/);

    const config = sources.find((s) => s.filename === "config.json")!.content;
    const poolId = reference(json, "resource", "aws_cognito_user_pool", "id");
    expect(config.startsWith("${jsonencode({")).toBe(true);
    expect(config).toContain(`"userPoolId" = ${poolId.slice(2, -1)}`);
    expect(config).toContain(`"issuer" = "https://cognito-idp.${env.region}.amazonaws.com/${poolId}"`);
    expect(config).toContain(
      `"clientIds" = [${reference(json, "resource", "aws_cognito_user_pool_client", "id", "upload-client").slice(2, -1)}]`,
    );
    expect(config).toContain(`"tokenUse" = "access"`);
    expect(config).toContain(`"maxUploadBytes" = ${env.processing.maxUploadBytes}`);
    expect(config).toContain(
      `"jwks" = jsondecode(${reference(json, "data", "http", "response_body").slice(2, -1)})`,
    );
    expect(config).toContain(`"image/heif"`);
  });

  it("reads the JWKS from the pool's issuer once the pool exists, and fails the deploy if it cannot", () => {
    const { json } = synth();
    const [, http] = only(json.data.http, "http data source");
    const poolId = reference(json, "resource", "aws_cognito_user_pool", "id");
    // Referencing the pool id is what orders the read after the pool's creation.
    expect(http.url).toBe(`https://cognito-idp.${env.region}.amazonaws.com/${poolId}/.well-known/jwks.json`);
    expect(http.lifecycle).toEqual({
      postcondition: [expect.objectContaining({ condition: `\${self.status_code == 200}` })],
    });
  });

  it("copies the bundle into the synthesized output so the stack does not depend on this checkout", () => {
    const { stack } = buildStack();
    const outdir = Testing.fullSynth(stack);
    const json = JSON.parse(readFileSync(join(outdir, "stacks/edge-test/cdk.tf.json"), "utf8")) as Synth;
    const [, archive] = only(json.data.archive_file, "archive_file");
    const code = (archive.source as { filename: string; content: string }[]).find(
      (s) => s.filename === "index.mjs",
    );
    const path = /^\$\{file\("(.+)"\)\}$/.exec(code!.content)?.[1];
    expect(path).toBeDefined();
    expect(readFileSync(join(outdir, "stacks/edge-test", path!), "utf8")).toBe(FIXTURE_CODE);
  });

  it("renders a config.json that the edge function's own parser accepts once Terraform fills it in", () => {
    const jwks = { keys: [{ kty: "RSA", kid: "k1", n: "AQAB", e: "AQAB", alg: "RS256", use: "sig" }] };
    const bake = (publicSharing: boolean) => {
      const { json } = synth({ env: { ...env, publicSharing } });
      const [, archive] = only(json.data.archive_file, "archive_file");
      const sources = archive.source as { filename: string; content: string }[];
      const ref = (kind: "resource" | "data", type: string, attribute: string, fragment?: string) =>
        reference(json, kind, type, attribute, fragment).slice(2, -1);
      // What Terraform knows at apply time: the pool's id, the client's id and the JWKS response.
      const rendered = evaluateTerraform(sources.find((s) => s.filename === "config.json")!.content, {
        [ref("resource", "aws_cognito_user_pool", "id")]: "eu-west-1_AbCdEf123",
        [ref("resource", "aws_cognito_user_pool_client", "id", "upload-client")]: "client1",
        [ref("data", "http", "response_body")]: JSON.stringify(jwks),
      });
      return parseEdgeConfig(JSON.parse(String(rendered)));
    };
    const parsed = bake(false);
    expect(parsed).toMatchObject({
      region: env.region,
      userPoolId: "eu-west-1_AbCdEf123",
      issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123",
      clientIds: ["client1"],
      tokenUse: "access",
      jwks,
      maxUploadBytes: env.processing.maxUploadBytes,
      publicSharing: false,
    });
    expect(parsed.allowedContentTypes).toEqual(
      expect.arrayContaining(["image/jpeg", "image/png", "image/webp", "image/heic", "image/avif"]),
    );
    expect(bake(true).publicSharing).toBe(true);
  });

  it("refuses to synthesize without a bundle, saying how to build it", () => {
    const empty = mkdtempSync(join(tmpdir(), "edge-empty-"));
    expect(() => buildStack({ bundleDir: empty })).toThrow(/pnpm build:functions/);
  });
});
