import { existsSync } from "node:fs";
import { join } from "node:path";
import { DataArchiveFile } from "@cdktf/provider-archive/lib/data-archive-file";
import type { ArchiveProvider } from "@cdktf/provider-archive/lib/provider";
import type { CloudfrontDistributionOrderedCacheBehaviorLambdaFunctionAssociation } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudfrontOriginAccessControl } from "@cdktf/provider-aws/lib/cloudfront-origin-access-control";
import { CloudfrontOriginRequestPolicy } from "@cdktf/provider-aws/lib/cloudfront-origin-request-policy";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataHttp } from "@cdktf/provider-http/lib/data-http";
import type { HttpProvider } from "@cdktf/provider-http/lib/provider";
import {
  cognitoIssuer,
  EDGE_RUNTIME,
  type EnvironmentConfig,
  edgeConfigJson,
  PHOTOS_PREFIX,
  resourceNames,
  SHARED_PREFIX,
  UPLOAD_INTENT_HEADER,
  UPLOADS_PREFIX,
} from "@photogate/core";
import { edgeOriginBucketStatements } from "@photogate/policies";
import { AssetType, Fn, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { lambdaRuntime } from "../lib/lambda-runtime";
import { type PolicyStatement, policyJson } from "../lib/policy-document";

/** AWS-managed CloudFront policies; their ids are fixed and documented, so no lookup is needed. */
export const MANAGED_POLICY_IDS = {
  cachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
  cachingOptimized: "658327ea-f89d-4fab-a63d-7e88639e58f6",
  /** Forwards Origin and Access-Control-Request-* so S3's CORS answers browser uploads. */
  corsS3Origin: "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
} as const;

const ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"];
const READ_METHODS = ["GET", "HEAD"];
const S3_ORIGIN_ID = "photos-bucket";

/** The bucket's side of the distribution, as PhotoStorage (or any bucket) exposes it. */
export interface EdgeBucketInput {
  arn: string;
  /** `bucket_regional_domain_name`: the regional name avoids redirects right after creation. */
  regionalDomainName: string;
}

/** The user pool the edge verifies tokens against, as Identity exposes it. */
export interface EdgeUserPoolInput {
  id: string;
  /** App clients whose access tokens are accepted (Identity's `edgeClientIds`). */
  clientIds: string[];
}

export interface EdgeDistributionOptions {
  env: EnvironmentConfig;
  bucket: EdgeBucketInput;
  userPool: EdgeUserPoolInput;
  /** An AWS provider alias in us-east-1: Lambda@Edge functions can only be created there. */
  usEast1Provider: AwsProvider;
  /** Reads the JWKS at deploy time. */
  httpProvider: HttpProvider;
  /** Zips the bundle and its config at deploy time. */
  archiveProvider: ArchiveProvider;
  /** Directory holding the edge bundle's index.mjs: `bundleDir("edge-auth", "x86_64")`. */
  bundleDir: string;
  /** Defaults to PriceClass_100 (North America and Europe edges, the cheapest). */
  priceClass?: "PriceClass_100" | "PriceClass_200" | "PriceClass_All";
  /** A WAFv2 web ACL (scope CLOUDFRONT) in front of the distribution; none by default. */
  webAclArn?: string;
}

/**
 * CloudFront in front of the photo bucket, reached only through Origin Access Control, with
 * a Lambda@Edge viewer-request authoriser on every behaviour. The function's config (issuer,
 * client ids, the pool's JWKS) is baked into its zip during the same `cdktf deploy` that
 * creates the user pool; see docs/edge.md.
 */
export class EdgeDistribution extends Construct {
  readonly distribution: CloudfrontDistribution;
  readonly originAccessControl: CloudfrontOriginAccessControl;
  readonly edgeFunction: LambdaFunction;
  readonly edgeRole: IamRole;
  readonly package: DataArchiveFile;
  /**
   * Statements the caller adds to the bucket's single policy: CloudFront (this distribution
   * only, by SourceArn) may read photos/ and uploads/ and write uploads/.
   */
  readonly bucketPolicyStatements: PolicyStatement[];

  constructor(scope: Construct, id: string, options: EdgeDistributionOptions) {
    super(scope, id);
    const { env, bucket, userPool, usEast1Provider } = options;
    const functionName = resourceNames(env).edgeFunction;

    const bundleFile = join(options.bundleDir, "index.mjs");
    if (!existsSync(bundleFile)) {
      throw new Error(`Edge bundle not found at ${bundleFile}: run \`pnpm build:functions\` before synth`);
    }
    // Copied into cdktf.out, so the synthesized stack does not point at this machine's paths.
    const bundle = new TerraformAsset(this, "bundle", { path: bundleFile, type: AssetType.FILE });

    // The URL names the pool id, so Terraform reads it only once the pool exists.
    const jwks = new DataHttp(this, "jwks", {
      provider: options.httpProvider,
      url: `${cognitoIssuer(env.region, userPool.id)}/.well-known/jwks.json`,
      requestHeaders: { Accept: "application/json" },
      retry: { attempts: 3, minDelayMs: 1000, maxDelayMs: 5000 },
      lifecycle: {
        postcondition: [
          {
            // A Terraform expression, evaluated against the data source's own result.
            condition: `\${self.status_code == 200}`,
            errorMessage:
              "The user pool's JWKS could not be read; the edge function would reject every token.",
          },
        ],
      },
    });

    // Core's shape, which the edge parses with core's schema; the values are Terraform references.
    const config = edgeConfigJson({
      region: env.region,
      userPoolId: userPool.id,
      clientIds: userPool.clientIds,
      jwks: Fn.jsondecode(jwks.responseBody),
      maxUploadBytes: env.processing.maxUploadBytes,
      publicSharing: env.publicSharing,
    });

    this.package = new DataArchiveFile(this, "package", {
      provider: options.archiveProvider,
      type: "zip",
      outputPath: `${functionName}.zip`,
      source: [
        { filename: "index.mjs", content: Fn.file(bundle.path) },
        { filename: "config.json", content: Fn.jsonencode(config) },
      ],
    });

    this.edgeRole = new IamRole(this, "edge-role", {
      provider: usEast1Provider,
      name: `${env.namePrefix}-edge-auth`,
      // edgelambda lets CloudFront run the replicas; lambda is needed to create the function.
      assumeRolePolicy: policyJson([
        {
          Effect: "Allow",
          Principal: { Service: ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] },
          Action: "sts:AssumeRole",
        },
      ]),
    });
    const account = new DataAwsCallerIdentity(this, "account", { provider: usEast1Provider });
    // Replicas log in the region that served the request, to "/aws/lambda/us-east-1.{name}".
    const logGroupArn = `arn:aws:logs:*:${account.accountId}:log-group:/aws/lambda/us-east-1.${functionName}`;
    new IamRolePolicy(this, "edge-logs", {
      provider: usEast1Provider,
      name: "edge-logs",
      role: this.edgeRole.id,
      policy: policyJson([
        {
          Sid: "EdgeLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: [logGroupArn, `${logGroupArn}:*`],
        },
      ]),
    });

    this.edgeFunction = new LambdaFunction(this, "edge-function", {
      provider: usEast1Provider,
      functionName,
      description: "photogate viewer-request authoriser (JWT + key-path rules)",
      role: this.edgeRole.arn,
      runtime: lambdaRuntime(this, functionName, EDGE_RUNTIME),
      architectures: ["x86_64"],
      handler: "index.handler",
      memorySize: 128,
      timeout: 5,
      // CloudFront takes only a numbered version, never $LATEST or an alias.
      publish: true,
      filename: this.package.outputPath,
      sourceCodeHash: this.package.outputBase64Sha256,
      // Replicas outlive the association for hours and block deletion; destroy forgets the
      // function instead of failing, and it can be removed by hand later.
      skipDestroy: true,
    });

    this.originAccessControl = new CloudfrontOriginAccessControl(this, "oac", {
      name: `${env.namePrefix}-photos`,
      description: "photogate: CloudFront signs every request to the photo bucket",
      originAccessControlOriginType: "s3",
      signingBehavior: "always",
      signingProtocol: "sigv4",
    });

    // CORS-S3Origin plus the upload intent (the edge checks its value), which S3 stores as user
    // metadata for the processor: the managed policy would drop it on the way to the bucket.
    const uploadOriginRequest = new CloudfrontOriginRequestPolicy(this, "upload-origin-request", {
      name: `${env.namePrefix}-uploads`,
      comment: "photogate uploads: CORS headers and the upload intent",
      headersConfig: {
        headerBehavior: "whitelist",
        headers: {
          items: [
            "origin",
            "access-control-request-headers",
            "access-control-request-method",
            UPLOAD_INTENT_HEADER,
          ],
        },
      },
      cookiesConfig: { cookieBehavior: "none" },
      queryStringsConfig: { queryStringBehavior: "none" },
    });

    const viewerRequest: CloudfrontDistributionOrderedCacheBehaviorLambdaFunctionAssociation[] = [
      { eventType: "viewer-request", lambdaArn: this.edgeFunction.qualifiedArn, includeBody: false },
    ];

    this.distribution = new CloudfrontDistribution(this, "distribution", {
      enabled: true,
      comment: `${env.namePrefix} photos`,
      priceClass: options.priceClass ?? "PriceClass_100",
      httpVersion: "http2and3",
      isIpv6Enabled: true,
      origin: [
        {
          originId: S3_ORIGIN_ID,
          domainName: bucket.regionalDomainName,
          originAccessControlId: this.originAccessControl.id,
        },
      ],
      orderedCacheBehavior: [
        {
          pathPattern: `${UPLOADS_PREFIX}*`,
          targetOriginId: S3_ORIGIN_ID,
          // CloudFront accepts PUT only as part of the full method set; the edge refuses the rest.
          allowedMethods: ALL_METHODS,
          cachedMethods: READ_METHODS,
          cachePolicyId: MANAGED_POLICY_IDS.cachingDisabled,
          originRequestPolicyId: uploadOriginRequest.id,
          // A redirect would turn a PUT into a bodiless GET in most clients: refuse plain HTTP.
          viewerProtocolPolicy: "https-only",
          compress: false,
          lambdaFunctionAssociation: viewerRequest,
        },
        {
          // The verdict changes in place and clients poll it. CachingOptimized's minimum TTL
          // (1 s) would override the object's no-store; this behaviour never caches it.
          pathPattern: `${PHOTOS_PREFIX}*/status.json`,
          targetOriginId: S3_ORIGIN_ID,
          allowedMethods: READ_METHODS,
          cachedMethods: READ_METHODS,
          cachePolicyId: MANAGED_POLICY_IDS.cachingDisabled,
          viewerProtocolPolicy: "redirect-to-https",
          compress: true,
          lambdaFunctionAssociation: viewerRequest,
        },
        {
          pathPattern: `${PHOTOS_PREFIX}*`,
          targetOriginId: S3_ORIGIN_ID,
          allowedMethods: READ_METHODS,
          cachedMethods: READ_METHODS,
          // Viewer-request runs before the cache lookup, so cached objects stay authorised.
          cachePolicyId: MANAGED_POLICY_IDS.cachingOptimized,
          viewerProtocolPolicy: "redirect-to-https",
          compress: true,
          lambdaFunctionAssociation: viewerRequest,
        },
        {
          // Approved copies, read by every signed-in user (guests with public sharing). Cached:
          // the edge function still runs per request; the copies' own max-age=60 bounds how long
          // a rejected or deleted photo can linger in an edge cache.
          pathPattern: `${SHARED_PREFIX}*`,
          targetOriginId: S3_ORIGIN_ID,
          allowedMethods: READ_METHODS,
          cachedMethods: READ_METHODS,
          cachePolicyId: MANAGED_POLICY_IDS.cachingOptimized,
          viewerProtocolPolicy: "redirect-to-https",
          compress: true,
          lambdaFunctionAssociation: viewerRequest,
        },
      ],
      defaultCacheBehavior: {
        targetOriginId: S3_ORIGIN_ID,
        allowedMethods: READ_METHODS,
        cachedMethods: READ_METHODS,
        cachePolicyId: MANAGED_POLICY_IDS.cachingDisabled,
        viewerProtocolPolicy: "https-only",
        lambdaFunctionAssociation: viewerRequest,
      },
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: { cloudfrontDefaultCertificate: true },
      ...(options.webAclArn ? { webAclId: options.webAclArn } : {}),
    });

    this.bucketPolicyStatements = edgeOriginBucketStatements(bucket.arn, this.distribution.arn);
  }

  get distributionId(): string {
    return this.distribution.id;
  }

  get distributionArn(): string {
    return this.distribution.arn;
  }

  get domainName(): string {
    return this.distribution.domainName;
  }

  /** The numbered version CloudFront runs, e.g. `arn:...:function:name:7`. */
  get edgeFunctionVersionArn(): string {
    return this.edgeFunction.qualifiedArn;
  }
}
