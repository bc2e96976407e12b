import type { IncomingHttpHeaders } from "node:http";
import { authenticatedRoleStatements, unauthenticatedRoleStatements } from "@photogate/policies";
import { createPolicySimulator } from "../iam/simulate-policy";
import type { Caller, Query } from "./sigv4";

/** One IAM check a request needs: `s3:GetObject` on `arn:aws:s3:::bucket/key`, with its context keys. */
export interface S3Permission {
  action: string;
  resource: string;
  context: Record<string, string>;
}

export interface S3Target {
  bucket: string;
  /** Decoded object key; undefined for bucket-level requests. */
  key?: string;
}

/** Query parameters that select how, not what: they never turn a request into another operation. */
const LIST_PARAMS = new Set([
  "prefix",
  "delimiter",
  "marker",
  "max-keys",
  "list-type",
  "continuation-token",
  "start-after",
  "fetch-owner",
  "encoding-type",
  "x-id",
]);
const OBJECT_READ_PARAMS = new Set(["x-id", "partNumber"]);
const RESPONSE_OVERRIDE = /^response-/;

/**
 * Maps a path-style S3 request to the IAM permissions S3 would check (the "Actions, resources
 * and condition keys for Amazon S3" table) for the operations photogate's clients use.
 * Returns undefined for every other operation; the gateway denies those to sessions.
 */
export function permissionsFor(
  method: string,
  target: S3Target,
  query: Query,
  headers: IncomingHttpHeaders,
): S3Permission[] | undefined {
  const bucketArn = `arn:aws:s3:::${target.bucket}`;
  const params = Object.keys(query);
  if (target.key === undefined) {
    if ((method === "GET" || method === "HEAD") && params.every((p) => LIST_PARAMS.has(p))) {
      // ListObjects(V2) and HeadBucket: s3:ListBucket; without a prefix parameter the s3:prefix key is absent.
      const prefix = query.prefix;
      const context: Record<string, string> = typeof prefix === "string" ? { "s3:prefix": prefix } : {};
      return [{ action: "s3:ListBucket", resource: bucketArn, context }];
    }
    if (method === "GET" && params.includes("uploads")) {
      // ListMultipartUploads: https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html
      return [{ action: "s3:ListBucketMultipartUploads", resource: bucketArn, context: {} }];
    }
    return undefined;
  }
  const objectArn = `${bucketArn}/${target.key}`;
  const object = (action: string): S3Permission => ({ action, resource: objectArn, context: {} });
  const only = (...allowed: string[]) => params.every((p) => allowed.includes(p) || p === "x-id");
  switch (method) {
    case "GET":
    case "HEAD":
      // GetObjectTagging: https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectTagging.html
      if (params.includes("tagging") && only("tagging", "versionId")) {
        return [object(params.includes("versionId") ? "s3:GetObjectVersionTagging" : "s3:GetObjectTagging")];
      }
      if (params.every((p) => OBJECT_READ_PARAMS.has(p) || RESPONSE_OVERRIDE.test(p))) {
        return [object("s3:GetObject")];
      }
      if (only("versionId")) return [object("s3:GetObjectVersion")];
      // ListParts: https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html
      if (params.includes("uploadId")) return [object("s3:ListMultipartUploadParts")];
      return undefined;
    case "PUT": {
      // PutObjectTagging: https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectTagging.html
      if (params.includes("tagging") && only("tagging", "versionId")) {
        return [object(params.includes("versionId") ? "s3:PutObjectVersionTagging" : "s3:PutObjectTagging")];
      }
      // PutObject, or UploadPart of a multipart upload; a copy also reads its source.
      if (!only() && !only("partNumber", "uploadId")) return undefined;
      const permissions = [object("s3:PutObject")];
      const copySource = copySourceArn(headers["x-amz-copy-source"]);
      if (copySource === null) return undefined;
      if (copySource) permissions.push({ action: "s3:GetObject", resource: copySource, context: {} });
      if (Object.keys(headers).some((h) => h === "x-amz-acl" || h.startsWith("x-amz-grant-"))) {
        permissions.push(object("s3:PutObjectAcl"));
      }
      if (headers["x-amz-tagging"] !== undefined) permissions.push(object("s3:PutObjectTagging"));
      return permissions;
    }
    case "POST":
      // CreateMultipartUpload and CompleteMultipartUpload are authorised as s3:PutObject.
      if (only("uploads") || only("uploadId")) return [object("s3:PutObject")];
      return undefined;
    case "DELETE":
      if (only()) return [object("s3:DeleteObject")];
      if (only("uploadId")) return [object("s3:AbortMultipartUpload")];
      if (only("versionId")) return [object("s3:DeleteObjectVersion")];
      return undefined;
    default:
      return undefined;
  }
}

/** `/bucket/key` or `bucket/key` (URL-encoded, maybe with `?versionId=`) → its object ARN; null when malformed. */
function copySourceArn(header: string | string[] | undefined): string | undefined | null {
  if (header === undefined) return undefined;
  const raw = (Array.isArray(header) ? header[0]! : header).split("?")[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw).replace(/^\//, "");
  } catch {
    return null;
  }
  const slash = decoded.indexOf("/");
  return slash > 0 && slash < decoded.length - 1 ? `arn:aws:s3:::${decoded}` : null;
}

/** A caller held to a policy: an identity-pool session or a role's keys (never the service key). */
export type PolicyHolder = Exclude<Caller, { kind: "service" }>;

export interface PolicyEvaluator {
  /** True when the caller's policy (its identity-pool role's, or its role's own) allows every permission. */
  allows(caller: PolicyHolder, permissions: readonly S3Permission[]): Promise<boolean>;
}

export interface PolicyEvaluatorOptions {
  bucketArns: readonly string[];
  /** The account the simulated role lives in; any 12 digits. */
  accountId?: string;
  /** Decisions kept for repeated identical checks. */
  cacheSize?: number;
  /** env.publicSharing: the guest role may read shared/ (otherwise it is denied everything). */
  publicSharing?: boolean;
}

/**
 * Evaluates the identity-pool role policies, exactly the statements the stacks synthesize
 * (`authenticatedRoleStatements`, and `unauthenticatedRoleStatements` for guest sessions), and a
 * role's keys against the role's own policy, with the shared simulator (iam/simulate-policy.ts:
 * iam-simulate, a cache, and the `*`/`?` escape for keys). The session policies are built once.
 */
export function createPolicyEvaluator(options: PolicyEvaluatorOptions): PolicyEvaluator {
  const accountId = options.accountId ?? "000000000000";
  const multiple = options.bucketArns.length > 1;
  const policyOf = (statementsFor: (arn: string) => ReturnType<typeof authenticatedRoleStatements>) => {
    const statements = options.bucketArns.flatMap((arn, index) =>
      statementsFor(arn).map((s) => (multiple && s.Sid ? { ...s, Sid: `${s.Sid}${index}` } : s)),
    );
    // Terraform's `$${…}` escape is what the synthesized JSON holds; AWS receives `${…}`.
    return JSON.parse(
      JSON.stringify({ Version: "2012-10-17", Statement: statements }).replaceAll("$${", "${"),
    );
  };
  const policies = {
    authenticated: policyOf(authenticatedRoleStatements),
    unauthenticated: policyOf((arn) => unauthenticatedRoleStatements(arn, options.publicSharing ?? false)),
  };
  const simulate = createPolicySimulator(accountId, options.cacheSize);

  return {
    async allows(caller, permissions) {
      // The principal names the policy, so the simulator's cache never mixes two policies.
      const { principal, policy, tags } =
        caller.kind === "session"
          ? {
              principal: `arn:aws:sts::${accountId}:assumed-role/photogate-local-${caller.session.role}/CognitoIdentityCredentials`,
              policy: policies[caller.session.role],
              tags: caller.session.principalTags,
            }
          : {
              principal: `arn:aws:iam::${accountId}:role/${caller.role.roleName}`,
              policy: caller.role.policy,
              tags: {},
            };
      for (const { action, resource, context } of permissions) {
        const withTags: Record<string, string> = { ...context };
        for (const [tag, value] of Object.entries(tags)) withTags[`aws:PrincipalTag/${tag}`] = value;
        if (!(await simulate(principal, policy, { action, resource, context: withTags }))) return false;
      }
      return permissions.length > 0;
    },
  };
}
