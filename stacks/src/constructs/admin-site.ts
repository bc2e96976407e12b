import { existsSync, readdirSync } from "node:fs";
import { join, posix, relative, sep } from "node:path";
import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudfrontFunction } from "@cdktf/provider-aws/lib/cloudfront-function";
import { CloudfrontOriginAccessControl } from "@cdktf/provider-aws/lib/cloudfront-origin-access-control";
import { CloudfrontResponseHeadersPolicy } from "@cdktf/provider-aws/lib/cloudfront-response-headers-policy";
import { S3Object } from "@cdktf/provider-aws/lib/s3-object";
import {
  adminSiteCsp,
  type EnvironmentConfig,
  HSTS_MAX_AGE_SECONDS,
  SITE_CONFIG_CACHE_CONTROL,
  SITE_SECURITY_HEADERS,
  SPA_ROUTING_CODE,
  siteCacheControl,
  siteContentType,
} from "@photogate/core";
import { AssetType, Fn, TerraformAsset, Token } from "cdktf";
import { Construct } from "constructs";
import { SecureBucket } from "./secure-bucket";

/** AWS-managed CloudFront policies (fixed, documented ids). */
export const ADMIN_SITE_POLICY_IDS = {
  cachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
  /** Honours the objects' own Cache-Control (set per file below). */
  cachingOptimized: "658327ea-f89d-4fab-a63d-7e88639e58f6",
  /** Every viewer header (Authorization included, allowed because caching is off) but Host. */
  allViewerExceptHostHeader: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
} as const;

/** Where the distribution forwards to the admin API; the app's `apiUrl` ends with it. */
export const ADMIN_API_PATH = "/api";
/** The app's runtime config, rendered by Terraform; never taken from the build. */
export const CONFIG_KEY = "config.json";
const SITE_ORIGIN_ID = "admin-site-bucket";
const API_ORIGIN_ID = "admin-api";
const ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"];
const READ_METHODS = ["GET", "HEAD"];

/** Viewer-request function of `/api/*`: the API sees the paths its routes table knows (`/users`). */
export const API_PREFIX_CODE = `function handler(event) {
  var request = event.request;
  request.uri = request.uri.slice(${ADMIN_API_PATH.length}) || "/";
  return request;
}
`;

export { adminSiteCsp, HSTS_MAX_AGE_SECONDS, SPA_ROUTING_CODE } from "@photogate/core";

/** The config.json the admin app fetches at start-up (one build serves every environment). */
export interface AdminAppConfig {
  /** `https://{site domain}/api`: same origin as the app. */
  apiUrl: string;
  region: string;
  userPoolId: string;
  userPoolClientId: string;
}

export interface AdminSiteOptions {
  env: EnvironmentConfig;
  /** The built app (apps/admin/dist): index.html at its root, hashed files under assets/. */
  siteDir: string;
  /** The AdminApi's `apiEndpoint` (`https://{id}.execute-api.{region}.amazonaws.com`). */
  apiEndpoint: string;
  /** The user pool the app signs in to, and its admin app client. */
  userPool: { id: string; adminClientId: string };
  /** The photo bucket, whose presigned image URLs the CSP must allow. */
  photoBucketName: string;
  /** Defaults to `{env.bucketName}-admin-site` (bucket names are global). */
  bucketName?: string;
  /** Defaults to PriceClass_100 (North America and Europe edges, the cheapest). */
  priceClass?: "PriceClass_100" | "PriceClass_200" | "PriceClass_All";
  /**
   * Adds 'unsafe-inline' to style-src, for a component library that injects <style> at run
   * time. Off by default: prefer one that ships static CSS.
   */
  allowInlineStyles?: boolean;
}

/** Host presigned GETs use: virtual-hosted and regional, path-style when the name has dots. */
export function presignedHost(bucketName: string, region: string): string {
  if (!Token.isUnresolved(bucketName) && bucketName.includes("."))
    return `https://s3.${region}.amazonaws.com`;
  return `https://${bucketName}.s3.${region}.amazonaws.com`;
}

/** Every file under `dir`, as bucket keys (POSIX separators), sorted for a stable synth. */
function listFiles(dir: string): string[] {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join(posix.sep))
    .sort();
}

/**
 * The admin app: a private bucket (SecureBucket) served only through CloudFront with Origin
 * Access Control, an SPA routing function, security headers on every response, the admin API
 * proxied same-origin under `/api/*`, and a config.json rendered from Terraform references.
 */
export class AdminSite extends Construct {
  readonly bucket: SecureBucket;
  readonly distribution: CloudfrontDistribution;
  readonly originAccessControl: CloudfrontOriginAccessControl;
  readonly responseHeadersPolicy: CloudfrontResponseHeadersPolicy;
  readonly configObject: S3Object;
  /** Bucket keys of the uploaded build files, config.json excluded. */
  readonly fileKeys: string[];

  constructor(scope: Construct, id: string, options: AdminSiteOptions) {
    super(scope, id);
    const { env } = options;
    const name = `${env.namePrefix}-admin-site`;
    const bucketName = options.bucketName ?? `${env.bucketName}-admin-site`;
    if (bucketName.length > 63) {
      throw new Error(
        `Admin site bucket name "${bucketName}" is over 63 characters: pass a shorter bucketName`,
      );
    }

    if (!existsSync(join(options.siteDir, "index.html"))) {
      throw new Error(
        `No admin app build at ${options.siteDir} (index.html missing): build apps/admin (vite build) before synth`,
      );
    }

    // Build output is reproducible, so destroy may empty the bucket.
    this.bucket = new SecureBucket(this, "bucket", { bucketName, forceDestroy: true });

    // Per-file objects from one directory asset: Terraform can upload files but not unpack a
    // zip, and one resource per file makes apply an exact sync (stale hashed files are deleted).
    const site = new TerraformAsset(this, "files", { path: options.siteDir, type: AssetType.DIRECTORY });
    // Terraform's config.json, not a local one from the build, is what the app must read.
    this.fileKeys = listFiles(options.siteDir).filter((key) => key !== CONFIG_KEY);
    const ids = new Set<string>();
    for (const key of this.fileKeys) {
      const objectId = `file-${key.replace(/[^A-Za-z0-9]/g, "-")}`;
      if (ids.has(objectId)) throw new Error(`Two admin site files map to the same resource id: ${objectId}`);
      ids.add(objectId);
      const source = `${site.path}/${key}`;
      new S3Object(this, objectId, {
        bucket: this.bucket.bucketId,
        key,
        source,
        // Re-uploads exactly when the bytes change (etag would break under SSE-KMS).
        sourceHash: Fn.filemd5(source),
        contentType: siteContentType(key),
        cacheControl: siteCacheControl(key),
      });
    }

    this.originAccessControl = new CloudfrontOriginAccessControl(this, "oac", {
      name,
      description: "photogate: CloudFront signs every request to the admin site bucket",
      originAccessControlOriginType: "s3",
      signingBehavior: "always",
      signingProtocol: "sigv4",
    });

    this.responseHeadersPolicy = new CloudfrontResponseHeadersPolicy(this, "security-headers", {
      name: `${name}-security-headers`,
      comment: "photogate admin site: CSP, HSTS, no framing, no sniffing",
      securityHeadersConfig: {
        contentSecurityPolicy: {
          contentSecurityPolicy: adminSiteCsp({
            imageSources: [presignedHost(options.photoBucketName, env.region)],
            // The API is same-origin (/api); sign-in and token refresh go to the user pool's endpoint.
            connectSources: [`https://cognito-idp.${env.region}.amazonaws.com`],
            allowInlineStyles: options.allowInlineStyles ?? false,
          }),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAgeSec: HSTS_MAX_AGE_SECONDS,
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        frameOptions: { frameOption: SITE_SECURITY_HEADERS["x-frame-options"], override: true },
        // CloudFront's only value for it is nosniff.
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: SITE_SECURITY_HEADERS["referrer-policy"], override: true },
      },
    });

    const spaRouting = new CloudfrontFunction(this, "spa-routing", {
      name: `${name}-routes`,
      comment: "Serves index.html for app routes",
      runtime: "cloudfront-js-2.0",
      code: SPA_ROUTING_CODE,
      publish: true,
    });
    const apiPrefix = new CloudfrontFunction(this, "api-prefix", {
      name: `${name}-api-prefix`,
      comment: `Strips ${ADMIN_API_PATH} before the admin API`,
      runtime: "cloudfront-js-2.0",
      code: API_PREFIX_CODE,
      publish: true,
    });

    this.distribution = new CloudfrontDistribution(this, "distribution", {
      enabled: true,
      comment: `${env.namePrefix} admin app`,
      priceClass: options.priceClass ?? "PriceClass_100",
      httpVersion: "http2and3",
      isIpv6Enabled: true,
      defaultRootObject: "index.html",
      origin: [
        {
          originId: SITE_ORIGIN_ID,
          domainName: this.bucket.bucketRegionalDomainName,
          originAccessControlId: this.originAccessControl.id,
        },
        {
          originId: API_ORIGIN_ID,
          domainName: Fn.trimprefix(options.apiEndpoint, "https://"),
          customOriginConfig: {
            httpPort: 80,
            httpsPort: 443,
            originProtocolPolicy: "https-only",
            originSslProtocols: ["TLSv1.2"],
          },
        },
      ],
      // Same-origin API: no CORS preflight per call, connect-src stays 'self', and the API's
      // CORS never has to name this distribution (which, with the CSP naming the API, would be
      // a Terraform dependency cycle).
      orderedCacheBehavior: [
        {
          pathPattern: `${ADMIN_API_PATH}/*`,
          targetOriginId: API_ORIGIN_ID,
          allowedMethods: ALL_METHODS,
          cachedMethods: READ_METHODS,
          cachePolicyId: ADMIN_SITE_POLICY_IDS.cachingDisabled,
          originRequestPolicyId: ADMIN_SITE_POLICY_IDS.allViewerExceptHostHeader,
          responseHeadersPolicyId: this.responseHeadersPolicy.id,
          // A redirect would turn a POST into a bodiless GET: plain HTTP is refused instead.
          viewerProtocolPolicy: "https-only",
          compress: true,
          functionAssociation: [{ eventType: "viewer-request", functionArn: apiPrefix.arn }],
        },
      ],
      defaultCacheBehavior: {
        targetOriginId: SITE_ORIGIN_ID,
        allowedMethods: READ_METHODS,
        cachedMethods: READ_METHODS,
        cachePolicyId: ADMIN_SITE_POLICY_IDS.cachingOptimized,
        responseHeadersPolicyId: this.responseHeadersPolicy.id,
        viewerProtocolPolicy: "redirect-to-https",
        compress: true,
        functionAssociation: [{ eventType: "viewer-request", functionArn: spaRouting.arn }],
      },
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: { cloudfrontDefaultCertificate: true },
    });

    this.bucket.addPolicyStatements({
      Sid: "CloudFrontReadAdminSite",
      Effect: "Allow",
      Principal: { Service: "cloudfront.amazonaws.com" },
      Action: "s3:GetObject",
      Resource: `${this.bucket.bucketArn}/*`,
      Condition: { StringEquals: { "AWS:SourceArn": this.distribution.arn } },
    });

    const config: AdminAppConfig = {
      apiUrl: `${this.url}${ADMIN_API_PATH}`,
      region: env.region,
      userPoolId: options.userPool.id,
      userPoolClientId: options.userPool.adminClientId,
    };
    this.configObject = new S3Object(this, "config", {
      bucket: this.bucket.bucketId,
      key: CONFIG_KEY,
      content: Fn.jsonencode(config),
      contentType: siteContentType(CONFIG_KEY),
      cacheControl: SITE_CONFIG_CACHE_CONTROL,
    });
  }

  /** `https://{distribution domain}`: where support staff open the admin app. */
  get url(): string {
    return `https://${this.distribution.domainName}`;
  }

  get domainName(): string {
    return this.distribution.domainName;
  }

  get distributionArn(): string {
    return this.distribution.arn;
  }
}
