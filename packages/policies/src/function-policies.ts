import {
  auditTable,
  PHOTOS_PREFIX,
  photoTable,
  SHARED_PREFIX,
  type TableSchema,
  UPLOADS_PREFIX,
} from "@photogate/core";
import type { PolicyStatement } from "./policy-statement";

// The function roles' policies as plain data, apart from the constructs (which import them), so
// the local stack signs each function's calls with credentials held to exactly these statements.

const STATUS_INDEX: keyof typeof photoTable.indexes = "byStatus";

export interface ProcessorPolicyTargets {
  bucketArn: string;
  photoTableArn: string;
  deadLetterQueueArn: string;
  logGroupArn: string;
  /** The user pool whose `picture` approved profile-picture uploads set (absent without Cognito). */
  userPoolArn?: string;
  /** The quota's usage table (absent: no quota, no access). */
  usageTableArn?: string;
}

/** The processor's permissions; every statement names the one resource (or prefix) it needs. */
export function processorStatements(targets: ProcessorPolicyTargets): PolicyStatement[] {
  return [
    ...(targets.userPoolArn
      ? [
          {
            // Sets `picture` when a profile-picture upload is approved, and clears it when a new
            // upload or a reprocess turns the photo it names rejected; this one pool only.
            Sid: "SetProfilePicture",
            Effect: "Allow" as const,
            Action: [
              "cognito-idp:AdminUpdateUserAttributes",
              "cognito-idp:AdminGetUser",
              "cognito-idp:AdminDeleteUserAttributes",
            ],
            Resource: targets.userPoolArn,
          },
        ]
      : []),
    ...(targets.usageTableArn
      ? [
          {
            // Counts each upload against its owner's quota (conditional UpdateItem) and reads
            // the owner's limits override; no Put, Delete, Query or Scan.
            Sid: "CountQuotaUsage",
            Effect: "Allow" as const,
            Action: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
            Resource: targets.usageTableArn,
          },
        ]
      : []),
    {
      Sid: "ReadUploads",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: `${targets.bucketArn}/${UPLOADS_PREFIX}*`,
    },
    {
      // The verdict's outcome tag on the original, which the bucket's lifecycle rules expire by.
      Sid: "TagUploadOutcome",
      Effect: "Allow",
      Action: "s3:PutObjectTagging",
      Resource: `${targets.bucketArn}/${UPLOADS_PREFIX}*`,
    },
    {
      // Derived images and status.json.
      Sid: "WriteDerivatives",
      Effect: "Allow",
      Action: "s3:PutObject",
      Resource: `${targets.bucketArn}/${PHOTOS_PREFIX}*`,
    },
    {
      // Shared copies are made with CopyObject from photos/, which reads the source: the
      // processor reads back only what it wrote.
      Sid: "ReadDerivativesToShare",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: `${targets.bucketArn}/${PHOTOS_PREFIX}*`,
    },
    {
      Sid: "PublishShared",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:DeleteObject"],
      Resource: `${targets.bucketArn}/${SHARED_PREFIX}*`,
    },
    {
      // Unpublishing lists one photo's shared/ folder rather than guessing file names, so
      // copies made under an earlier thumbnail config are removed too. Nothing else is listable.
      Sid: "ListShared",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: targets.bucketArn,
      Condition: { StringLike: { "s3:prefix": `${SHARED_PREFIX}*` } },
    },
    {
      // The reconciler walks uploads/ (a bounded number of keys per run) to find objects whose
      // notification was lost. Only that prefix is listable.
      Sid: "ListUploadsToReconcile",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: targets.bucketArn,
      Condition: { StringLike: { "s3:prefix": `${UPLOADS_PREFIX}*` } },
    },
    {
      Sid: "PhotoRecords",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchGetItem"],
      Resource: targets.photoTableArn,
    },
    {
      // The reconciler reads `processing` records (claims whose lease may have ended) by status.
      Sid: "FindStaleClaims",
      Effect: "Allow",
      Action: "dynamodb:Query",
      Resource: `${targets.photoTableArn}/index/${STATUS_INDEX}`,
    },
    {
      // DetectFaces and DetectModerationLabels on image bytes have no resource to name:
      // Rekognition only accepts "*" for them. These two actions are the only "*" resource.
      Sid: "AnalyseImages",
      Effect: "Allow",
      Action: ["rekognition:DetectFaces", "rekognition:DetectModerationLabels"],
      Resource: "*",
    },
    {
      Sid: "DeadLetters",
      Effect: "Allow",
      Action: "sqs:SendMessage",
      Resource: targets.deadLetterQueueArn,
    },
    {
      Sid: "OwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${targets.logGroupArn}:*`,
    },
  ];
}

/** The Cognito admin calls the API makes, and nothing else (no cognito-idp:*). */
export const ADMIN_COGNITO_ACTIONS = [
  "cognito-idp:ListUsers",
  "cognito-idp:AdminGetUser",
  "cognito-idp:AdminListGroupsForUser",
  "cognito-idp:ListUsersInGroup",
  "cognito-idp:AdminDisableUser",
  "cognito-idp:AdminEnableUser",
  "cognito-idp:AdminResetUserPassword",
  // With MessageAction RESEND: the "resend invite" action.
  "cognito-idp:AdminCreateUser",
  "cognito-idp:AdminUserGlobalSignOut",
  "cognito-idp:AdminAddUserToGroup",
  "cognito-idp:AdminRemoveUserFromGroup",
  "cognito-idp:AdminDeleteUser",
  // Sets `picture` (support's action and the user's own choice of an approved photo).
  "cognito-idp:AdminUpdateUserAttributes",
  // Clears `picture` when support rejects or deletes the photo it names.
  "cognito-idp:AdminDeleteUserAttributes",
] as const;

export interface AdminApiPolicyTargets {
  userPoolArn: string;
  photoTableArn: string;
  auditTableArn: string;
  bucketArn: string;
  processorArn: string;
  deadLetterQueueArn: string;
  logGroupArn: string;
  /** The quota's usage table: support reads usage, admins write an owner's limits override. */
  usageTableArn?: string;
  /** The user directory (core's userTable): the users search reads it, changes write through. */
  userTableArn?: string;
}

/** A table and each of its indexes by name (from core's schema), with no `index/*` wildcard. */
function tableAndIndexes(tableArn: string, schema: TableSchema): string[] {
  return [tableArn, ...Object.keys(schema.indexes).map((index) => `${tableArn}/index/${index}`)];
}

/** The admin API's permissions; every statement names the one resource (or prefix) it needs. */
export function adminApiStatements(targets: AdminApiPolicyTargets): PolicyStatement[] {
  const bucket = targets.bucketArn;
  return [
    {
      Sid: "ManageUsersOfThisPool",
      Effect: "Allow",
      Action: [...ADMIN_COGNITO_ACTIONS],
      Resource: targets.userPoolArn,
    },
    {
      // Moderation (approve/reject are updates), detail, deletion; lists are Queries on the
      // base table (by owner) and its indexes (by status). No Scan, no batch writes.
      Sid: "PhotoRecords",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
      Resource: tableAndIndexes(targets.photoTableArn, photoTable),
    },
    {
      // Append-only: the API writes entries and lists them, and cannot update or delete one,
      // so a compromised or buggy admin API cannot rewrite what admins did.
      Sid: "AppendAndReadAudit",
      Effect: "Allow",
      Action: ["dynamodb:PutItem", "dynamodb:Query"],
      Resource: tableAndIndexes(targets.auditTableArn, auditTable),
    },
    ...(targets.usageTableArn
      ? [
          {
            // GET /users/{sub}/usage reads one owner's period items and override (GetItem, by
            // key); PUT /users/{sub}/quota writes the override. Counting is the processor's.
            Sid: "UsageAndQuotaOverride",
            Effect: "Allow" as const,
            Action: ["dynamodb:GetItem", "dynamodb:PutItem"],
            Resource: targets.usageTableArn,
          },
        ]
      : []),
    ...(targets.userTableArn
      ? [
          {
            // The search Queries one pool's partition; user actions and the scheduled re-sync
            // put and delete single entries. No Scan, no index, no batch writes.
            Sid: "UserDirectory",
            Effect: "Allow" as const,
            Action: ["dynamodb:Query", "dynamodb:PutItem", "dynamodb:DeleteItem"],
            Resource: targets.userTableArn,
          },
        ]
      : []),
    {
      // Presigned GETs are signed with this role, so the role itself must be able to read.
      Sid: "PresignImageReads",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: [`${bucket}/${UPLOADS_PREFIX}*`, `${bucket}/${PHOTOS_PREFIX}*`],
    },
    {
      // Manual approve/reject rewrites status.json; approval copies photos/ images to shared/
      // (CopyObject: GetObject on the source above, PutObject on the target here).
      Sid: "WriteStatusAndShared",
      Effect: "Allow",
      Action: "s3:PutObject",
      Resource: [`${bucket}/${PHOTOS_PREFIX}*/status.json`, `${bucket}/${SHARED_PREFIX}*`],
    },
    {
      // Deleting or re-publishing a photo lists its photos/ and shared/ folders (copies made
      // under an earlier thumbnail config have names nothing else knows). Those prefixes only.
      Sid: "ListPhotoFolders",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: bucket,
      Condition: { StringLike: { "s3:prefix": [`${PHOTOS_PREFIX}*`, `${SHARED_PREFIX}*`] } },
    },
    {
      Sid: "DeletePhotos",
      Effect: "Allow",
      Action: "s3:DeleteObject",
      Resource: [
        `${bucket}/${UPLOADS_PREFIX}*`,
        `${bucket}/${PHOTOS_PREFIX}*`,
        `${bucket}/${SHARED_PREFIX}*`,
      ],
    },
    {
      // Reprocess (an Event invocation) and redrive (RequestResponse, to know the result).
      Sid: "Reprocess",
      Effect: "Allow",
      Action: "lambda:InvokeFunction",
      Resource: targets.processorArn,
    },
    {
      // Redrive: take a message, delete it once replayed, make a failed one visible again.
      Sid: "RedriveDeadLetters",
      Effect: "Allow",
      Action: [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueAttributes",
      ],
      Resource: targets.deadLetterQueueArn,
    },
    {
      Sid: "OwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${targets.logGroupArn}:*`,
    },
  ];
}
