import { resolve } from "node:path";
import { environments } from "@photogate/core";
import { TerraformStack, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { AdminApi } from "../src/constructs/admin-api";
import {
  ADMIN_SITE_POLICY_IDS,
  AdminSite,
  type AdminSiteOptions,
  API_PREFIX_CODE,
  HSTS_MAX_AGE_SECONDS,
  SPA_ROUTING_CODE,
} from "../src/constructs/admin-site";
import { Identity } from "../src/constructs/identity";
import { createAwsProvider } from "../src/lib/aws-provider";
import {
  fixtureBundleDir,
  normaliseSynth,
  onlyResource,
  parse,
  parsePolicy,
  resourcesOf,
  resourceWhere,
  type Synthesized,
  useTestRuntimePolicy,
} from "./support";

const env = environments.dev;
const siteDir = resolve(import.meta.dirname, "fixtures/admin-site");
const apiEndpoint = "https://abc123.execute-api.eu-west-1.amazonaws.com";

const baseOptions: AdminSiteOptions = {
  env,
  siteDir,
  apiEndpoint,
  userPool: { id: "eu-west-1_AdminTest1", adminClientId: "adminclient123" },
  photoBucketName: env.bucketName,
};

function synthSite(overrides: Partial<AdminSiteOptions> = {}) {
  const json = Testing.synthScope((scope) => {
    new AdminSite(scope, "admin-site", { ...baseOptions, ...overrides });
  });
  return { json, synth: parse(json) };
}

const { json, synth } = synthSite();
const distribution = onlyResource(synth, "aws_cloudfront_distribution");
const oac = onlyResource(synth, "aws_cloudfront_origin_access_control");
const headers = onlyResource(synth, "aws_cloudfront_response_headers_policy");
const bucket = onlyResource(synth, "aws_s3_bucket");
const ref = (type: string, name: string, attribute: string) => `\${${type}.${name}.${attribute}}`;
const bucketRef = (attribute: string) => ref("aws_s3_bucket", bucket.name, attribute);
const objects = resourcesOf(synth, "aws_s3_object").map(([, config]) => config);
const objectAt = (key: string) => {
  const matches = objects.filter((o) => o.key === key);
  expect(matches, `one object at ${key}`).toHaveLength(1);
  return matches[0]!;
};
const functionCode = (name: string) =>
  resourceWhere(synth, "aws_cloudfront_function", (c) => String(c.name).endsWith(name)).config;

/** Runs a CloudFront Function's code the way the viewer-request trigger would. */
function viewerRequest(code: string, uri: string): string {
  const handler = new Function(`${code}\nreturn handler;`)() as (event: unknown) => { uri: string };
  return handler({ request: { method: "GET", uri, querystring: {}, headers: {} } }).uri;
}

describe("AdminSite: bucket and files", () => {
  it("matches the snapshot", () => {
    expect(normaliseSynth(json)).toMatchSnapshot();
  });

  it("keeps the files in a private, encrypted, owner-enforced bucket (SecureBucket)", () => {
    expect(bucket.config).toMatchObject({ bucket: `${env.bucketName}-admin-site`, force_destroy: true });
    expect(onlyResource(synth, "aws_s3_bucket_public_access_block").config).toMatchObject({
      bucket: bucketRef("id"),
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(onlyResource(synth, "aws_s3_bucket_server_side_encryption_configuration").config.rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
    ]);
    expect(onlyResource(synth, "aws_s3_bucket_ownership_controls").config.rule).toEqual({
      object_ownership: "BucketOwnerEnforced",
    });
  });

  it("uploads every built file with its content type and cache policy, and not the build's config.json", () => {
    const files = objects
      .filter((o) => o.source !== undefined)
      .map((o) => [o.key, o.content_type, o.cache_control])
      .sort();
    expect(files).toEqual([
      ["assets/index-Bx7f3k2a.js", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"],
      ["assets/index-C9d1e0aa.css", "text/css; charset=utf-8", "public, max-age=31536000, immutable"],
      ["favicon.svg", "image/svg+xml", "no-cache"],
      ["index.html", "text/html; charset=utf-8", "no-cache"],
    ]);
    for (const object of objects) expect(object.bucket).toBe(bucketRef("id"));
  });

  it("uploads from the copied asset directory and re-uploads when a file's bytes change", () => {
    const index = objectAt("index.html");
    expect(index.source).toMatch(/^assets\/admin-site_files_[0-9A-F]+\/[0-9A-F]{32}\/index\.html$/);
    expect(index.source_hash).toBe(`\${filemd5("${index.source}")}`);
  });

  it("refuses to synthesize without a build", () => {
    expect(() => synthSite({ siteDir: fixtureBundleDir })).toThrow(
      /No admin app build .*index\.html missing/,
    );
  });

  it("refuses a bucket name S3 would refuse for length", () => {
    expect(() => synthSite({ bucketName: "x".repeat(64) })).toThrow(/over 63 characters/);
  });
});

describe("AdminSite: config.json", () => {
  const config = objectAt("config.json");

  it("is rendered by Terraform from the distribution, region, pool and admin client, never cached", () => {
    expect(config).toMatchObject({
      bucket: bucketRef("id"),
      content_type: "application/json",
      cache_control: "no-store",
    });
    expect(config).not.toHaveProperty("source");
    const domain = ref("aws_cloudfront_distribution", distribution.name, "domain_name");
    expect(config.content).toBe(
      `\${jsonencode({"apiUrl" = "https://${domain}/api", "region" = "${env.region}", ` +
        `"userPoolId" = "eu-west-1_AdminTest1", "userPoolClientId" = "adminclient123"})}`,
    );
  });
});

describe("AdminSite: CloudFront", () => {
  const d = distribution.config;
  const api = d.ordered_cache_behavior.find((b: { path_pattern: string }) => b.path_pattern === "/api/*");

  it("reaches the bucket only through an origin access control that always signs with SigV4", () => {
    expect(oac.config).toMatchObject({
      origin_access_control_origin_type: "s3",
      signing_behavior: "always",
      signing_protocol: "sigv4",
    });
    const siteOrigin = d.origin.find(
      (o: { origin_id: string }) => o.origin_id === d.default_cache_behavior.target_origin_id,
    );
    expect(siteOrigin).toEqual({
      origin_id: "admin-site-bucket",
      domain_name: bucketRef("bucket_regional_domain_name"),
      origin_access_control_id: ref("aws_cloudfront_origin_access_control", oac.name, "id"),
    });
  });

  it("lets only this distribution read the bucket, and still denies plain HTTP", () => {
    const policy = onlyResource(synth, "aws_s3_bucket_policy");
    const statements = parsePolicy(policy.config.policy).Statement;
    expect(statements.map((s) => s.Sid)).toEqual(["DenyInsecureTransport", "CloudFrontReadAdminSite"]);
    expect(statements[1]).toEqual({
      Sid: "CloudFrontReadAdminSite",
      Effect: "Allow",
      Principal: { Service: "cloudfront.amazonaws.com" },
      Action: "s3:GetObject",
      Resource: `${bucketRef("arn")}/*`,
      Condition: {
        StringEquals: { "AWS:SourceArn": ref("aws_cloudfront_distribution", distribution.name, "arn") },
      },
    });
  });

  it("serves index.html at the root and redirects plain HTTP to HTTPS", () => {
    expect(d.default_root_object).toBe("index.html");
    expect(d.default_cache_behavior).toMatchObject({
      target_origin_id: "admin-site-bucket",
      allowed_methods: ["GET", "HEAD"],
      viewer_protocol_policy: "redirect-to-https",
      cache_policy_id: ADMIN_SITE_POLICY_IDS.cachingOptimized,
    });
  });

  it("answers app routes with the SPA shell through a viewer-request function, not error pages", () => {
    const spa = functionCode("-routes");
    expect(spa).toMatchObject({ runtime: "cloudfront-js-2.0", code: SPA_ROUTING_CODE, publish: true });
    expect(d.default_cache_behavior.function_association).toEqual([
      { event_type: "viewer-request", function_arn: `\${aws_cloudfront_function.${nameOf(spa)}.arn}` },
    ]);
    // Error pages would apply to /api/* too and turn the API's 403s into index.html with 200.
    expect(d).not.toHaveProperty("custom_error_response");
  });

  it.each([
    ["/", "/index.html"],
    ["/users", "/index.html"],
    ["/users/0f8fad5b-d9cb-469f-a165-70867728950e", "/index.html"],
    ["/users/jane.doe@example.com", "/index.html"],
    ["/photos/abc/detail.view", "/index.html"],
    ["/assets/index-Bx7f3k2a.js", "/assets/index-Bx7f3k2a.js"],
    ["/assets/fonts/inter.woff2", "/assets/fonts/inter.woff2"],
    ["/favicon.svg", "/favicon.svg"],
    ["/config.json", "/config.json"],
    ["/index.html", "/index.html"],
  ])("routes %s to %s", (uri, expected) => {
    expect(viewerRequest(SPA_ROUTING_CODE, uri)).toBe(expected);
  });

  it("proxies /api/* to the admin API over HTTPS, uncached, with the caller's Authorization header", () => {
    const apiOrigin = d.origin.find((o: { origin_id: string }) => o.origin_id === "admin-api");
    expect(apiOrigin).toEqual({
      origin_id: "admin-api",
      domain_name: `\${trimprefix("${apiEndpoint}", "https://")}`,
      custom_origin_config: {
        http_port: 80,
        https_port: 443,
        origin_protocol_policy: "https-only",
        origin_ssl_protocols: ["TLSv1.2"],
      },
    });
    expect(api).toMatchObject({
      target_origin_id: "admin-api",
      allowed_methods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
      cache_policy_id: ADMIN_SITE_POLICY_IDS.cachingDisabled,
      origin_request_policy_id: ADMIN_SITE_POLICY_IDS.allViewerExceptHostHeader,
      viewer_protocol_policy: "https-only",
    });
    const prefix = functionCode("-api-prefix");
    expect(prefix.code).toBe(API_PREFIX_CODE);
    expect(api.function_association).toEqual([
      { event_type: "viewer-request", function_arn: `\${aws_cloudfront_function.${nameOf(prefix)}.arn}` },
    ]);
    expect(d.ordered_cache_behavior).toHaveLength(1);
  });

  it.each([
    ["/api/users", "/users"],
    ["/api/users/0f8f/disable", "/users/0f8f/disable"],
    ["/api/", "/"],
  ])("hands %s to the API as %s", (uri, expected) => {
    expect(viewerRequest(API_PREFIX_CODE, uri)).toBe(expected);
  });
});

describe("AdminSite: security headers", () => {
  const config = headers.config.security_headers_config;
  const policyId = ref("aws_cloudfront_response_headers_policy", headers.name, "id");

  it("are on the app and on the API responses", () => {
    const d = distribution.config;
    expect(d.default_cache_behavior.response_headers_policy_id).toBe(policyId);
    expect(d.ordered_cache_behavior[0].response_headers_policy_id).toBe(policyId);
  });

  it("set a CSP with nothing third-party: the user pool for sign-in, the photo bucket for images", () => {
    expect(config.content_security_policy).toEqual({
      override: true,
      content_security_policy: [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        `img-src 'self' data: https://${env.bucketName}.s3.${env.region}.amazonaws.com`,
        `connect-src 'self' https://cognito-idp.${env.region}.amazonaws.com`,
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ].join("; "),
    });
  });

  it("allow inline styles only when asked to", () => {
    const { synth: inline } = synthSite({ allowInlineStyles: true });
    const csp = onlyResource(inline, "aws_cloudfront_response_headers_policy").config.security_headers_config
      .content_security_policy.content_security_policy;
    expect(csp).toContain("style-src 'self' 'unsafe-inline';");
    expect(csp).toContain("script-src 'self';");
  });

  it("use path-style presigned hosts for a bucket name with dots", () => {
    const { synth: dotted } = synthSite({ photoBucketName: "photos.example.com" });
    const csp = onlyResource(dotted, "aws_cloudfront_response_headers_policy").config.security_headers_config
      .content_security_policy.content_security_policy;
    expect(csp).toContain(`img-src 'self' data: https://s3.${env.region}.amazonaws.com;`);
  });

  it("set HSTS for two years with subdomains and preload", () => {
    expect(HSTS_MAX_AGE_SECONDS).toBeGreaterThanOrEqual(365 * 24 * 3600);
    expect(config.strict_transport_security).toEqual({
      access_control_max_age_sec: HSTS_MAX_AGE_SECONDS,
      include_subdomains: true,
      preload: true,
      override: true,
    });
  });

  it("deny framing, sniffing and cross-origin referrers", () => {
    expect(config.frame_options).toEqual({ frame_option: "DENY", override: true });
    expect(config.content_type_options).toEqual({ override: true });
    expect(config.referrer_policy).toEqual({
      referrer_policy: "strict-origin-when-cross-origin",
      override: true,
    });
  });
});

function nameOf(config: Record<string, unknown>): string {
  const entry = Object.entries(synth.resource.aws_cloudfront_function ?? {}).find(([, c]) => c === config);
  if (!entry) throw new Error("function not found");
  return entry[0];
}

/** Resource → resources it references (interpolations and depends_on), by Terraform address. */
function dependencyGraph(s: Synthesized): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const [type, blocks] of Object.entries(s.resource)) {
    for (const [name, config] of Object.entries(blocks)) {
      const text = JSON.stringify(config);
      const edges = new Set<string>();
      for (const match of text.matchAll(/\b(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\b/g)) {
        if (s.resource[match[1]!]?.[match[2]!]) edges.add(`${match[1]}.${match[2]}`);
      }
      graph.set(`${type}.${name}`, edges);
    }
  }
  return graph;
}

function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === "done") return undefined;
    if (state.get(node) === "visiting") return [...path.slice(path.indexOf(node)), node];
    state.set(node, "visiting");
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe("AdminSite wired to AdminApi and Identity (as PhotogateStack would)", () => {
  function wiredStack() {
    const app = Testing.app();
    const stack = new TerraformStack(app, "admin-wiring");
    useTestRuntimePolicy(stack);
    createAwsProvider(stack, env);
    const arn = (kind: string) => `arn:aws:${kind}`;
    const identity = new Identity(stack, "identity", { env, bucketArn: arn("s3:::photos") });
    const api = new AdminApi(stack, "admin-api", {
      env,
      bundleDir: fixtureBundleDir,
      userPool: { id: identity.userPoolId, arn: identity.userPoolArn },
      adminClientId: identity.adminClient.id,
      photoTable: { name: "photos", arn: arn("dynamodb:eu-west-1:1:table/photos") },
      auditTable: { name: "audit", arn: arn("dynamodb:eu-west-1:1:table/audit") },
      photoBucket: { name: "photos", arn: arn("s3:::photos") },
      processor: { name: "processor", arn: arn("lambda:eu-west-1:1:function:processor") },
      deadLetterQueue: { url: "https://sqs.eu-west-1.amazonaws.com/1/dlq", arn: arn("sqs:eu-west-1:1:dlq") },
      corsAllowedOrigins: ["http://localhost:5173"],
    });
    const site = new AdminSite(stack, "admin-site", {
      env,
      siteDir,
      apiEndpoint: api.apiEndpoint,
      userPool: { id: identity.userPoolId, adminClientId: identity.adminClient.id },
      photoBucketName: env.bucketName,
    });
    return { stack, api, site };
  }

  it("has no dependency cycle (the API's CORS never names the site)", () => {
    const { stack } = wiredStack();
    const wired = parse(Testing.synth(stack));
    const graph = dependencyGraph(wired);
    expect(findCycle(graph)).toBeUndefined();
    // The distribution does depend on the API (its /api/* origin), so the check is not vacuous.
    const [distributionAddress] = [...graph.keys()].filter((k) =>
      k.startsWith("aws_cloudfront_distribution."),
    );
    expect([...graph.get(distributionAddress!)!].some((k) => k.startsWith("aws_apigatewayv2_api."))).toBe(
      true,
    );
  });

  it("detects the cycle the naive wiring would make (site domain as the API's CORS origin)", () => {
    const { stack } = wiredStack();
    const wired = parse(Testing.synth(stack));
    const graph = dependencyGraph(wired);
    const apiAddress = [...graph.keys()].find((k) => k.startsWith("aws_apigatewayv2_api."))!;
    const distributionAddress = [...graph.keys()].find((k) => k.startsWith("aws_cloudfront_distribution."))!;
    graph.get(apiAddress)!.add(distributionAddress);
    expect(findCycle(graph)).toEqual(expect.arrayContaining([apiAddress, distributionAddress]));
  });

  it("config.json names the pool and admin client by reference", () => {
    const { stack } = wiredStack();
    const wired = parse(Testing.synth(stack));
    const config = resourceWhere(wired, "aws_s3_object", (c) => c.key === "config.json").config;
    const pool = onlyResource(wired, "aws_cognito_user_pool").name;
    const client = resourceWhere(wired, "aws_cognito_user_pool_client", (c) =>
      String(c.name).endsWith("-admin"),
    );
    expect(config.content).toContain(`"userPoolId" = aws_cognito_user_pool.${pool}.id`);
    expect(config.content).toContain(`"userPoolClientId" = aws_cognito_user_pool_client.${client.name}.id`);
  });
});
