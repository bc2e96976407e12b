import { readFileSync } from "node:fs";
import {
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
  type UserStatusType,
} from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type {
  AuditEntry,
  ErrorBody,
  PhotoRecord,
  ReprocessRequest,
  VersionedPhotoRecord,
} from "@photogate/core";
import { defaultQuota } from "@photogate/core";
import { mockClient } from "aws-sdk-client-mock";
import {
  type AdminApiDeps,
  type AdminApiEvent,
  createLogger,
  type DeadLetters,
  forgetEmails,
  handleAdminRequest,
} from "../src/index";

export const SUPPORT = "11111111-2222-4333-8444-555555555555";
export const ADMIN = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
export const PLAIN = "99999999-8888-4777-8666-555555555555";
export const OWNER = "0a0b0c0d-1e1f-4a2b-8c3d-4e5f6a7b8c9d";
export const PHOTO = "f0e1d2c3-b4a5-4968-8776-655443322110";
export const NOW = new Date("2026-03-04T05:06:07.000Z");

export const cognito = mockClient(CognitoIdentityProviderClient);
export const dynamo = mockClient(DynamoDBDocumentClient);
export const s3 = mockClient(S3Client);

export type Who = "none" | "plain" | "support" | "admins";

/** Clears the AWS mocks and the cached e-mail lookups; DynamoDB puts (the audit log's) succeed. */
export function resetAwsMocks(): void {
  cognito.reset();
  dynamo.reset();
  s3.reset();
  forgetEmails();
  dynamo.on(PutCommand).resolves({});
}

/** OWNER is a confirmed Cognito user in no group, with no photos in the table or the bucket. */
export function ownerWithoutPhotos(): void {
  cognito.on(AdminGetUserCommand).resolves(cognitoUser(OWNER));
  cognito.on(AdminListGroupsForUserCommand).resolves({ Groups: [] });
  dynamo.on(QueryCommand).resolves({ Items: [] });
  s3.on(ListObjectsV2Command).resolves({ Contents: [] });
}

/** Cognito answers for `sub` with a confirmed user whose `picture` attribute is `picture`, if given. */
export function userWithPicture(sub: string, picture?: string): void {
  const user = cognitoUser(sub);
  if (picture) user.UserAttributes.push({ Name: "picture", Value: picture });
  cognito.on(AdminGetUserCommand).resolves(user);
}

/** The photo table holds exactly these records, looked up by owner and photoId. */
export function storedPhotos(...items: PhotoRecord[]): void {
  dynamo.on(GetCommand).callsFake((input: { Key: { owner: string; photoId: string } }) => {
    const item = items.find((r) => r.owner === input.Key.owner && r.photoId === input.Key.photoId);
    return item ? { Item: item } : {};
  });
}

const base = JSON.parse(
  readFileSync(new URL("./fixtures/http-api-v2-jwt.json", import.meta.url), "utf8"),
) as AdminApiEvent;

/** The fixture event with another method, path, query, body and caller. */
export function event(
  method: string,
  path: string,
  options: { who?: Who; query?: Record<string, string>; body?: unknown; rawBody?: string } = {},
): AdminApiEvent {
  const e = structuredClone(base);
  const who = options.who ?? "support";
  e.rawPath = path;
  e.requestContext.http.method = method;
  e.requestContext.http.path = path;
  e.queryStringParameters = options.query;
  e.rawQueryString = new URLSearchParams(options.query ?? {}).toString();
  e.body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const claims = e.requestContext.authorizer.jwt.claims as Record<string, string>;
  if (who === "none") {
    (e.requestContext.authorizer.jwt as { claims: unknown }).claims = {};
  } else if (who === "plain") {
    claims.sub = PLAIN;
    claims.username = PLAIN;
    delete claims["cognito:groups"];
  } else if (who === "admins") {
    claims.sub = ADMIN;
    claims.username = ADMIN;
    claims["cognito:groups"] = "[admins]";
  }
  return e;
}

/** A request on one of the upload app's own routes, with that route's key; a plain user's unless `who` says. */
export function userRouteEvent(
  route: { method: string; path: string; routeKey: string },
  options: { who?: Who; method?: string; body?: unknown; rawBody?: string } = {},
): AdminApiEvent {
  const { method = route.method, who = "plain", ...request } = options;
  const e = event(method, route.path, { who, ...request });
  e.routeKey = route.routeKey;
  return e;
}

export interface TestDeps extends AdminApiDeps {
  published: VersionedPhotoRecord[];
  invoked: ReprocessRequest[];
  /** The dead letters behind the fake source; replaying `uploads/fail…` keys fails. */
  deadLetterKeys: string[];
}

/** An in-memory dead-letter source: taken messages are hidden until released, like SQS. */
function fakeDeadLetters(keys: string[]): DeadLetters {
  const message = (key: string) => ({
    id: `dl-${key}`,
    bucket: "photo-bucket",
    key,
    failedAt: "2026-03-04T05:00:00.000Z",
    error: "Throttled",
    payload: { key },
  });
  return {
    source: () => {
      const taken = new Set<string>();
      return {
        peek: async (max) => keys.slice(0, max).map(message),
        receive: async (max) => {
          const batch = keys.filter((k) => !taken.has(k)).slice(0, max);
          for (const k of batch) taken.add(k);
          return batch.map(message);
        },
        remove: async (m) => {
          keys.splice(keys.indexOf(m.key), 1);
        },
        release: async () => taken.clear(),
        count: async () => keys.length,
      };
    },
    replay: async (payload) => {
      if ((payload as { key: string }).key.startsWith("uploads/fail"))
        throw new Error("processor still failing");
    },
    budgetMs: 60_000,
    concurrency: 1,
  };
}

export function testDeps(): TestDeps {
  const published: VersionedPhotoRecord[] = [];
  const invoked: ReprocessRequest[] = [];
  const deadLetterKeys = ["uploads/a.jpg", "uploads/fail-b.jpg"];
  const credentials = { accessKeyId: "AKIDTEST", secretAccessKey: "secret" };
  let id = 0;
  return {
    cognito: new CognitoIdentityProviderClient({ region: "eu-west-1", credentials }),
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-west-1", credentials })),
    s3: new S3Client({ region: "eu-west-1", credentials }),
    config: {
      photoTable: "photos",
      auditTable: "audit",
      bucket: "photo-bucket",
      userPoolId: "eu-west-1_Example1",
      presignSeconds: 300,
      pictureBaseUrl: "https://d111.cloudfront.net",
    },
    log: createLogger(() => {}),
    quota: { usageTable: "usage", limits: defaultQuota },
    now: () => NOW,
    newId: () => `id-${++id}`,
    published,
    invoked,
    deadLetterKeys,
    deadLetters: fakeDeadLetters(deadLetterKeys),
    publisher: {
      publishVerdict: async (record) => {
        published.push(record);
      },
    },
    invokeProcessor: async (request) => {
      invoked.push(request);
    },
  };
}

export interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: Record<string, unknown>;
}

export async function call<T = unknown>(deps: AdminApiDeps, e: AdminApiEvent): Promise<Answer<T>> {
  const result = await handleAdminRequest(e, deps);
  return { status: result.statusCode, body: JSON.parse(result.body) as T, headers: result.headers ?? {} };
}

export type ErrorAnswer = Answer<ErrorBody>;

/** The paths of the fields an error answer names, such as `body.photoId`. */
export function fieldPaths(answer: ErrorAnswer): string[] | undefined {
  return answer.body.error.fields?.map((f) => f.path);
}

/** The audit entries the API wrote, in order. */
export function auditWrites(): AuditEntry[] {
  return dynamo
    .commandCalls(PutCommand)
    .filter((c) => c.args[0].input.TableName === "audit")
    .map((c) => c.args[0].input.Item as AuditEntry);
}

/** The UpdateCommand inputs the API sent to DynamoDB, in order. */
export function dynamoUpdates() {
  return dynamo.commandCalls(UpdateCommand).map((c) => c.args[0].input);
}

export function record(overrides: Partial<PhotoRecord> = {}): PhotoRecord & { verdictVersion: number } {
  return {
    owner: OWNER,
    photoId: PHOTO,
    uploadKey: `uploads/${OWNER}/${PHOTO}.jpg`,
    status: "rejected",
    reasons: [
      {
        code: "BLURRY",
        message: "The face is blurry (sharpness 12.3, at least 20 needed)",
        measured: 12.3,
        threshold: 20,
      },
    ],
    width: 1200,
    height: 1600,
    format: "jpeg",
    bytes: 345678,
    thumbnails: [
      { key: `photos/${OWNER}/${PHOTO}/thumb-256.webp`, size: 256, width: 256, height: 256, bytes: 9000 },
      { key: `photos/${OWNER}/${PHOTO}/thumb-128.webp`, size: 128, width: 128, height: 128, bytes: 3000 },
    ],
    display: { key: `photos/${OWNER}/${PHOTO}/display.webp`, width: 1200, height: 1600, bytes: 120000 },
    face: {
      count: 1,
      confidence: 99.1,
      boundingBox: { left: 0.3, top: 0.2, width: 0.4, height: 0.5 },
      areaRatio: 0.2,
      pose: { yaw: 2, pitch: -3, roll: 1 },
      sharpness: 12.3,
      brightness: 70,
    },
    moderationLabels: [],
    createdAt: "2026-03-01T10:00:00.000Z",
    processedAt: "2026-03-01T10:00:05.000Z",
    attempts: 1,
    sourceETag: "etag",
    sourceSequencer: "0000000000000000000000000000000A",
    verdictVersion: 1,
    ...overrides,
  };
}

export function cognitoUser(
  sub: string,
  overrides: { status?: string; enabled?: boolean; email?: string } = {},
) {
  return {
    $metadata: {},
    Username: sub,
    UserStatus: (overrides.status ?? "CONFIRMED") as UserStatusType,
    Enabled: overrides.enabled ?? true,
    UserCreateDate: new Date("2026-01-01T00:00:00Z"),
    UserLastModifiedDate: new Date("2026-02-01T00:00:00Z"),
    UserAttributes: [
      { Name: "sub", Value: sub },
      { Name: "email", Value: overrides.email ?? "demo@example.com" },
      { Name: "email_verified", Value: "true" },
    ],
  };
}

/** An error shaped as the AWS SDK throws it for a service's JSON error answer. */
export function awsError(name: string, message = `${name} from AWS`) {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}
