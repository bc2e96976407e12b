import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { listen } from "./http-server";
import { readBody } from "./read-body";

/**
 * The AWS JSON 1.1 protocol, server side, for the local stand-ins of services nothing else
 * emulates (Rekognition, Cognito Identity): `POST /` with `X-Amz-Target: {prefix}{Operation}`,
 * a JSON object body, and errors as `{"__type", "message"}` so the AWS SDK raises the same
 * exception classes it would against AWS.
 */
export class AwsJsonError<Type extends string = string> extends Error {
  constructor(
    readonly type: Type,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export type AwsJsonOperation = (body: Record<string, unknown>) => Promise<unknown>;

export interface AwsJsonServerOptions {
  /** The service's name in error messages, e.g. "Rekognition". */
  service: string;
  /** `X-Amz-Target` prefix, e.g. "RekognitionService.". */
  targetPrefix: string;
  operations: Record<string, AwsJsonOperation>;
  port?: number;
  host?: string;
  /** Bodies past this are refused with `tooLarge()`; they are drained (up to `maxDrainBytes`) first,
   * because the SDK reports a reset connection as a network error, not as the exception. */
  maxBodyBytes: number;
  maxDrainBytes?: number;
  tooLarge: (bytes: number) => AwsJsonError;
  /** The `__type` of an unexpected failure (a bug): InternalServerError, InternalErrorException… */
  internalErrorType: string;
  /** Headers added to every successful answer. */
  responseHeaders?: Record<string, string>;
  /**
   * Authenticates and authorises a call before it runs (SigV4 and IAM); throws the AwsJsonError
   * to answer with. Without it the server does not authenticate.
   */
  authorize?: (request: SignedJsonRequest, operation: string) => Promise<void>;
}

export interface SignedJsonRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface AwsJsonServer {
  url: string;
  close(): Promise<void>;
}

const CONTENT_TYPE = "application/x-amz-json-1.1";

export async function startAwsJsonServer(options: AwsJsonServerOptions): Promise<AwsJsonServer> {
  const server = createServer((request, response) => {
    handle(request, response, options).catch((error: unknown) => {
      // handle() answers every expected failure itself; reaching here is a bug in an endpoint.
      const message = error instanceof Error ? error.message : String(error);
      if (!response.headersSent) send(response, 500, { __type: options.internalErrorType, message });
      else response.destroy();
    });
  });
  return listen(server, options.port, options.host);
}

async function handle(request: IncomingMessage, response: ServerResponse, options: AwsJsonServerOptions) {
  const { targetPrefix, operations } = options;
  try {
    if (request.method !== "POST") {
      request.resume();
      throw new AwsJsonError(
        "UnknownOperationException",
        `${options.service}'s JSON protocol takes POST, not ${request.method}.`,
      );
    }
    const target = String(request.headers["x-amz-target"] ?? "");
    const operation = target.startsWith(targetPrefix)
      ? operations[target.slice(targetPrefix.length)]
      : undefined;
    const raw = await readJsonBody(request, options);
    await options.authorize?.(
      { method: request.method, url: request.url ?? "/", headers: request.headers, body: raw },
      target.slice(targetPrefix.length),
    );
    if (!operation) {
      const served = Object.keys(operations)
        .map((name) => targetPrefix + name)
        .join(" and ");
      throw new AwsJsonError(
        "UnknownOperationException",
        `${target || "A request without X-Amz-Target"} is not served by the local ${options.service} endpoint; it serves ${served}.`,
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      throw new AwsJsonError("SerializationException", "The request body is not valid JSON.");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new AwsJsonError("SerializationException", "The request body must be a JSON object.");
    }
    send(response, 200, await operation(body as Record<string, unknown>), options.responseHeaders);
  } catch (error) {
    if (!(error instanceof AwsJsonError)) throw error;
    send(
      response,
      error.status,
      { __type: error.type, message: error.message },
      { "x-amzn-ErrorType": error.type },
    );
  }
}

async function readJsonBody(request: IncomingMessage, options: AwsJsonServerOptions): Promise<Buffer> {
  const { body, bytes } = await readBody(request, {
    maxBytes: options.maxBodyBytes,
    maxDrainBytes: options.maxDrainBytes ?? options.maxBodyBytes,
  });
  if (!body) throw options.tooLarge(bytes);
  return body;
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  // JSON 1.1 sends timestamps as epoch seconds (fractions allowed), which is what the SDK parses.
  const json = JSON.stringify(body, function (this: Record<string, unknown>, key, value) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : value;
  });
  response.writeHead(status, {
    "content-type": CONTENT_TYPE,
    "content-length": Buffer.byteLength(json),
    "x-amzn-RequestId": randomUUID(),
    ...headers,
  });
  response.end(json);
}
