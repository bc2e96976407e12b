import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { crc32 } from "node:zlib";
import { AwsJsonError } from "./aws-json-server";
import type { CredentialStore } from "./credentials";
import { forwardBuffered, listen, type Upstream } from "./http-server";
import type { JsonAuthorizer, JsonPermission } from "./iam/json-authorizer";
import { verifyJsonSignature } from "./iam/json-sigv4";
import { readBody } from "./read-body";

export interface DynamoGatewayOptions {
  /** dynalite's URL (`startDynamoServer().url`). */
  upstreamUrl: string;
  /** dynalite's Unix socket (`startDynamoServer().socketPath`), used instead of the URL when set. */
  upstreamSocket?: string;
  credentials: CredentialStore;
  authorizer: JsonAuthorizer;
  region: string;
  accountId: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  now?: () => Date;
}

export interface DynamoGateway {
  url: string;
  close(): Promise<void>;
}

/** DynamoDB's largest request (BatchWriteItem) is 16 MB; a little more for the JSON around it. */
const MAX_BODY_BYTES = 17 * 1024 * 1024;
const TARGET_PREFIX = "DynamoDB_20120810.";
const WRITE_ACTION = {
  Put: "PutItem",
  Update: "UpdateItem",
  Delete: "DeleteItem",
  ConditionCheck: "ConditionCheckItem",
};

/**
 * DynamoDB's front door: every call must be SigV4-signed for `dynamodb` by a key the
 * CredentialStore knows, and is then held to the caller's IAM policy (a function role's or an
 * identity-pool role's statements, as the stacks synthesize them) before dynalite sees it.
 * Errors are DynamoDB's JSON 1.0 shape (`com.amazon.coral.service#…`, HTTP 400).
 */
export async function startDynamoGateway(options: DynamoGatewayOptions): Promise<DynamoGateway> {
  const upstream: Upstream = options.upstreamSocket
    ? { socketPath: options.upstreamSocket }
    : new URL(options.upstreamUrl);
  const tableArn = (name: string) =>
    name.startsWith("arn:") ? name : `arn:aws:dynamodb:${options.region}:${options.accountId}:table/${name}`;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const { body } = await readBody(req, { maxBytes: MAX_BODY_BYTES });
      if (!body)
        throw new AwsJsonError("RequestEntityTooLarge", "Request must be smaller than 16777216 bytes.", 413);
      const caller = await verifyJsonSignature(
        { method: req.method ?? "POST", url: req.url ?? "/", headers: req.headers, body },
        { credentials: options.credentials, region: options.region, service: "dynamodb", now: options.now },
      );
      const target = String(req.headers["x-amz-target"] ?? "");
      const input = parseJson(body);
      // An unknown target or a body that is not JSON reaches no data: dynalite answers it with
      // DynamoDB's UnknownOperationException or SerializationException.
      if (target.startsWith(TARGET_PREFIX) && input) {
        await options.authorizer.authorize(
          caller,
          dynamoPermissions(target.slice(TARGET_PREFIX.length), input, tableArn),
        );
      }
      forwardBuffered(req, res, body, upstream, (error) =>
        sendError(
          res,
          new AwsJsonError("InternalServerError", `The local DynamoDB did not answer: ${error.message}`, 500),
        ),
      );
    } catch (error) {
      if (!(error instanceof AwsJsonError)) throw error;
      sendError(res, error);
      req.resume();
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      sendError(
        res,
        new AwsJsonError("InternalServerError", `The local DynamoDB gateway failed: ${String(error)}`, 500),
      );
    });
  });
  return listen(server, options.port, options.host);
}

/**
 * The IAM checks DynamoDB makes for a call ("Actions, resources, and condition keys for Amazon
 * DynamoDB", https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html):
 * the action named after the operation on the table (or its index), one per table for batches,
 * and each item's own action (GetItem, PutItem, …) for transactions.
 */
function dynamoPermissions(
  operation: string,
  input: Record<string, unknown>,
  tableArn: (name: string) => string,
): JsonPermission[] {
  const action = `dynamodb:${operation}`;
  const on = (table: unknown, index?: unknown): string =>
    typeof index === "string" ? `${tableArn(String(table))}/index/${index}` : tableArn(String(table));
  switch (operation) {
    case "BatchGetItem":
    case "BatchWriteItem":
      return Object.keys(asRecord(input.RequestItems)).map((table) => ({ action, resource: on(table) }));
    case "TransactGetItems":
    case "TransactWriteItems":
      return asArray(input.TransactItems).flatMap((item) =>
        Object.entries(asRecord(item)).map(([kind, request]) => ({
          action: `dynamodb:${kind === "Get" ? "GetItem" : (WRITE_ACTION[kind as keyof typeof WRITE_ACTION] ?? kind)}`,
          resource: on(asRecord(request).TableName),
        })),
      );
    case "ListTables":
    case "DescribeLimits":
    case "DescribeEndpoints":
      return [{ action, resource: "*" }];
    default:
      if (typeof input.TableName === "string")
        return [{ action, resource: on(input.TableName, input.IndexName) }];
      if (typeof input.ResourceArn === "string") return [{ action, resource: input.ResourceArn }];
      return [{ action, resource: "*" }];
  }
}

function sendError(res: ServerResponse, error: AwsJsonError) {
  // DynamoDB spells the field "Message" for IAM denials and "message" for the rest.
  const field = error.type === "AccessDeniedException" ? "Message" : "message";
  const json = JSON.stringify({ __type: `com.amazon.coral.service#${error.type}`, [field]: error.message });
  res.writeHead(error.status, {
    "content-type": "application/x-amz-json-1.0",
    "content-length": Buffer.byteLength(json),
    "x-amzn-requestid": randomUUID(),
    "x-amz-crc32": String(crc32(json)),
  });
  res.end(json);
}

function parseJson(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
