import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { describe, expect, it } from "vitest";
import { environment, photoBucketPolicy, resourceWhere, type Synthesized, synthStack } from "./support";

/**
 * Runs the synthesized processor role policy (and the bucket policy) through an IAM policy
 * simulator. Terraform references are replaced by the ARNs AWS would give the resources,
 * so the simulator judges exactly the JSON Terraform would send.
 */
const env = environment("dev");
const account = "111122223333";
const { synth } = synthStack(env);

const arnOf: Record<string, (config: Record<string, unknown>) => string> = {
  aws_s3_bucket: (c) => `arn:aws:s3:::${c.bucket}`,
  aws_dynamodb_table: (c) => `arn:aws:dynamodb:${env.region}:${account}:table/${c.name}`,
  aws_sqs_queue: (c) => `arn:aws:sqs:${env.region}:${account}:${c.name}`,
  aws_cloudfront_distribution: () => `arn:aws:cloudfront::${account}:distribution/E2EXAMPLE0DIST`,
  aws_cloudwatch_log_group: (c) => `arn:aws:logs:${env.region}:${account}:log-group:${c.name}`,
  aws_cognito_user_pool: () => `arn:aws:cognito-idp:${env.region}:${account}:userpool/${env.region}_Pool1`,
};

function resolveArns(text: string, from: Synthesized): string {
  return text.replace(/\$\{(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.arn\}/g, (ref, type: string, name: string) => {
    const config = from.resource[type]?.[name];
    const arn = arnOf[type];
    if (!config || !arn) throw new Error(`cannot resolve ${ref}`);
    return arn(config);
  });
}

const processorRole = resourceWhere(
  synth,
  "aws_iam_role",
  (c) => c.name === `${env.namePrefix}-processor-role`,
);
const rolePolicy = JSON.parse(
  resolveArns(
    resourceWhere(synth, "aws_iam_role_policy", (c) => c.role === `\${aws_iam_role.${processorRole.name}.id}`)
      .config.policy,
    synth,
  ),
);
const bucketPolicy = JSON.parse(resolveArns(photoBucketPolicy(synth, env).config.policy, synth));
const roleArn = `arn:aws:iam::${account}:role/${env.namePrefix}-processor-role`;
const bucket = `arn:aws:s3:::${env.bucketName}`;
const photoTable = `arn:aws:dynamodb:${env.region}:${account}:table/${env.namePrefix}-photos`;
const auditTable = `arn:aws:dynamodb:${env.region}:${account}:table/${env.namePrefix}-audit`;
const usageTable = `arn:aws:dynamodb:${env.region}:${account}:table/${env.namePrefix}-usage`;
const dlq = `arn:aws:sqs:${env.region}:${account}:${env.namePrefix}-processor-dlq`;
const logGroup = `arn:aws:logs:${env.region}:${account}:log-group:/aws/lambda/${env.namePrefix}-processor`;
const userPool = `arn:aws:cognito-idp:${env.region}:${account}:userpool/${env.region}_Pool1`;
const owner = "0f8fad5b-d9cb-469f-a165-70867728950e";
const photo = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

async function decide(
  action: string,
  resource: string,
  secureTransport = true,
  identityPolicy: unknown = rolePolicy,
  context: Record<string, string> = {},
): Promise<string> {
  const isBucket = resource.startsWith("arn:aws:s3:::");
  const simulation: Simulation = {
    request: {
      principal: roleArn,
      action,
      resource: { resource, accountId: account },
      contextVariables: { "aws:SecureTransport": String(secureTransport), ...context },
    },
    identityPolicies: [{ name: "least-privilege", policy: identityPolicy }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(isBucket ? { resourcePolicy: bucketPolicy } : {}),
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === "error") throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

describe("processor role, simulated", () => {
  it.each([
    ["s3:GetObject", `${bucket}/uploads/${owner}/${photo}.jpg`],
    ["s3:PutObject", `${bucket}/photos/${owner}/${photo}/thumb-128.webp`],
    ["s3:PutObject", `${bucket}/photos/${owner}/${photo}/status.json`],
    // shared/ copies are CopyObject from photos/ (reads the source) and removed on rejection
    ["s3:GetObject", `${bucket}/photos/${owner}/${photo}/display.webp`],
    ["s3:PutObject", `${bucket}/shared/${owner}/${photo}/display.webp`],
    ["s3:DeleteObject", `${bucket}/shared/${owner}/${photo}/thumb-128.webp`],
    ["dynamodb:GetItem", photoTable],
    ["dynamodb:PutItem", photoTable],
    ["dynamodb:UpdateItem", photoTable],
    // the reconciler: records by BatchGet, `processing` claims from the status index
    ["dynamodb:BatchGetItem", photoTable],
    ["dynamodb:Query", `${photoTable}/index/byStatus`],
    ["rekognition:DetectFaces", "*"],
    ["rekognition:DetectModerationLabels", "*"],
    ["sqs:SendMessage", dlq],
    ["logs:PutLogEvents", `${logGroup}:log-stream:2024/01/01/[$LATEST]abc`],
    // sets `picture` when a profile-picture upload is approved, reads and clears it when the
    // photo it names turns rejected
    ["cognito-idp:AdminUpdateUserAttributes", userPool],
    ["cognito-idp:AdminGetUser", userPool],
    ["cognito-idp:AdminDeleteUserAttributes", userPool],
    // the quota: counts each upload (conditional UpdateItem) and reads the owner's override
    ["dynamodb:UpdateItem", usageTable],
    ["dynamodb:GetItem", usageTable],
    // the outcome tag the lifecycle rules expire originals by
    ["s3:PutObjectTagging", `${bucket}/uploads/${owner}/${photo}.jpg`],
  ])("may %s on %s", async (action, resource) => {
    expect(await decide(action, resource)).toBe("Allowed");
  });

  it.each([
    ["s3:PutObject", `${bucket}/uploads/${owner}/${photo}.jpg`],
    ["s3:PutObject", `${bucket}/other.txt`],
    ["s3:PutObject", `${bucket}/shared`],
    ["s3:DeleteObject", `${bucket}/uploads/${owner}/${photo}.jpg`],
    ["s3:DeleteObject", `${bucket}/photos/${owner}/${photo}/display.webp`],
    ["s3:DeleteObject", `${bucket}/photos/${owner}/${photo}/status.json`],
    ["s3:GetObject", `${bucket}/shared/${owner}/${photo}/display.webp`],
    ["s3:ListBucket", bucket],
    ["s3:PutBucketPolicy", bucket],
    ["s3:GetObject", `arn:aws:s3:::another-bucket/uploads/${owner}/${photo}.jpg`],
    ["dynamodb:GetItem", auditTable],
    ["dynamodb:PutItem", auditTable],
    ["dynamodb:DeleteItem", photoTable],
    ["dynamodb:Scan", photoTable],
    ["dynamodb:Query", photoTable],
    ["dynamodb:Query", `${photoTable}/index/byOwner`],
    ["dynamodb:BatchWriteItem", photoTable],
    ["rekognition:IndexFaces", `arn:aws:rekognition:${env.region}:${account}:collection/faces`],
    ["sqs:ReceiveMessage", dlq],
    ["sqs:SendMessage", `arn:aws:sqs:${env.region}:${account}:someone-elses-queue`],
    ["logs:PutLogEvents", `arn:aws:logs:${env.region}:${account}:log-group:/aws/lambda/other:log-stream:x`],
    ["logs:CreateLogGroup", `arn:aws:logs:${env.region}:${account}:log-group:/aws/lambda/other`],
    ["iam:PassRole", roleArn],
    [
      "cognito-idp:AdminUpdateUserAttributes",
      `arn:aws:cognito-idp:${env.region}:${account}:userpool/${env.region}_Other`,
    ],
    [
      "cognito-idp:AdminDeleteUserAttributes",
      `arn:aws:cognito-idp:${env.region}:${account}:userpool/${env.region}_Other`,
    ],
    ["cognito-idp:AdminDeleteUser", userPool],
    ["cognito-idp:AdminCreateUser", userPool],
    ["cognito-idp:UpdateUserPoolClient", userPool],
    ["dynamodb:PutItem", usageTable],
    ["dynamodb:DeleteItem", usageTable],
    ["dynamodb:Query", usageTable],
    ["dynamodb:Scan", usageTable],
    ["s3:PutObjectTagging", `${bucket}/photos/${owner}/${photo}/display.webp`],
    ["s3:PutObjectTagging", `${bucket}/shared/${owner}/${photo}/display.webp`],
  ])("may not %s on %s", async (action, resource) => {
    expect(await decide(action, resource)).not.toBe("Allowed");
  });

  it("may list one photo's shared/ folder (to unpublish it) and uploads/ (to reconcile), no other prefix", async () => {
    const list = (prefix: string) =>
      decide("s3:ListBucket", bucket, true, rolePolicy, { "s3:prefix": prefix });
    expect(await list(`shared/${owner}/${photo}/`)).toBe("Allowed");
    expect(await list("uploads/")).toBe("Allowed");
    expect(await list(`uploads/${owner}/`)).toBe("Allowed");
    for (const prefix of ["", "shared", `photos/${owner}/`, "photos/", "upload", "photos/uploads/"]) {
      expect(await list(prefix), prefix).not.toBe("Allowed");
    }
  });

  it("would catch a bucket-wide write (the denials above are not vacuous)", async () => {
    const widened = {
      ...rolePolicy,
      Statement: [
        ...rolePolicy.Statement,
        { Effect: "Allow", Action: "s3:PutObject", Resource: `${bucket}/*` },
      ],
    };
    expect(await decide("s3:PutObject", `${bucket}/uploads/${owner}/${photo}.jpg`, true, widened)).toBe(
      "Allowed",
    );
  });

  it("is refused reads of uploads over plain HTTP by the bucket policy", async () => {
    expect(await decide("s3:GetObject", `${bucket}/uploads/${owner}/${photo}.jpg`, false)).toBe(
      "ExplicitlyDenied",
    );
  });
});
