import { PHOTOS_PREFIX, SHARED_PREFIX, UPLOADS_PREFIX } from "@photogate/core";
import { type PolicyStatement, policyJson } from "./policy-statement";

// The identity-pool role policies as plain data, apart from the construct, so the local
// stack enforces exactly the statements the stacks synthesize.

/**
 * The IAM policy variable every identity-pool policy keys on. `$$` is Terraform's escape for a
 * literal `$`: unescaped, Terraform would try to interpolate `${aws:...}` and fail, so the
 * synthesized JSON says `$${aws:PrincipalTag/owner}` and AWS receives `${aws:PrincipalTag/owner}`.
 */
export const OWNER_POLICY_VARIABLE = "$${aws:PrincipalTag/owner}";

/** The session tag the identity pool sets from the user-pool token's `sub` (see DESIGN "Identity"). */
export const OWNER_PRINCIPAL_TAG = "owner";

const IDENTITY_SERVICE = "cognito-identity.amazonaws.com";

/**
 * Trust for an identity-pool role: only this pool (`aud`) and only its authenticated or guest
 * identities (`amr`). `sts:TagSession` lets the pool attach the `owner` principal tag.
 */
export function identityPoolTrustPolicy(
  identityPoolId: string,
  amr: "authenticated" | "unauthenticated",
): string {
  return policyJson([
    {
      Effect: "Allow",
      Principal: { Federated: IDENTITY_SERVICE },
      Action: ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
      Condition: {
        StringEquals: { [`${IDENTITY_SERVICE}:aud`]: identityPoolId },
        "ForAnyValue:StringLike": { [`${IDENTITY_SERVICE}:amr`]: amr },
      },
    },
  ]);
}

/**
 * What a signed-in user may do with identity-pool credentials: write, read and delete their
 * own uploads, read their own derivatives, list only those two prefixes, and read (never list)
 * every approved copy under shared/. The owner comes from the session tag, i.e. the user-pool
 * `sub`, never the identity id (`cognito-identity...:sub`).
 */
export function authenticatedRoleStatements(bucketArn: string): PolicyStatement[] {
  const ownUploads = `${UPLOADS_PREFIX}${OWNER_POLICY_VARIABLE}/*`;
  const ownPhotos = `${PHOTOS_PREFIX}${OWNER_POLICY_VARIABLE}/*`;
  return [
    {
      Sid: "OwnUploads",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
      Resource: `${bucketArn}/${ownUploads}`,
    },
    {
      Sid: "OwnPhotos",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: `${bucketArn}/${ownPhotos}`,
    },
    {
      // Protected level: any signed-in user reads an approved copy by its key. No ListBucket on
      // shared/: keys hold two UUIDs, so nobody can enumerate other people's photos.
      Sid: "ReadShared",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: `${bucketArn}/${SHARED_PREFIX}*`,
    },
    {
      // The trailing "/*" makes "uploads/{sub}" without the slash fail, so a prefix cannot
      // reach a longer owner id that merely starts with the caller's.
      Sid: "ListOwnPrefixes",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: bucketArn,
      Condition: { StringLike: { "s3:prefix": [ownUploads, ownPhotos] } },
    },
  ];
}

/**
 * Guests get nothing while public sharing is off: the pool refuses unauthenticated identities,
 * and this explicit deny keeps it so even if that switch is flipped or a policy is attached to
 * the role by hand.
 */
export const UNAUTHENTICATED_ROLE_STATEMENTS: PolicyStatement[] = [
  { Sid: "DenyEverything", Effect: "Deny", Action: "*", Resource: "*" },
];

/**
 * The guest role's statements. With public sharing on (`env.publicSharing`), guests may read
 * shared/ objects by key and nothing else: no listing, no writes, no other prefix.
 */
export function unauthenticatedRoleStatements(bucketArn: string, publicSharing: boolean): PolicyStatement[] {
  if (!publicSharing) return UNAUTHENTICATED_ROLE_STATEMENTS;
  return [
    {
      Sid: "ReadShared",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: `${bucketArn}/${SHARED_PREFIX}*`,
    },
  ];
}
