import {
  InvalidKeyError,
  parseObjectKey,
  parseUploadKey,
  SHARED_PREFIX,
  UPLOAD_CONTENT_TYPE_BY_EXTENSION,
  UPLOAD_INTENT_HEADER,
  UPLOADS_PREFIX,
  type UploadExtension,
} from "@photogate/core/edge";
import type {
  CloudFrontHeaders,
  CloudFrontRequest,
  CloudFrontRequestEvent,
  CloudFrontRequestResult,
} from "aws-lambda";
import type { EdgeConfig } from "./config";
import {
  BadRequestError,
  EdgeRefusal,
  ForbiddenError,
  InternalRefusal,
  LengthRequiredError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from "./errors";
import { checkUploadIntent } from "./intent";
import { objectKeyFromUri } from "./path";
import { refusalResponse } from "./response";
import {
  type AccessTokenClaims,
  createAccessTokenCheck,
  tokenFromAuthorization,
  type VerifierDeps,
} from "./verifier";

export type ViewerRequestHandler = (event: CloudFrontRequestEvent) => Promise<CloudFrontRequestResult>;

/** One structured line per refusal. It never holds the token or the query string. */
export interface RefusalLogLine {
  level: "warn" | "error";
  message: "edge-auth refused request";
  code: string;
  status: number;
  method: string;
  uri: string;
  detail?: string;
  requestId?: string;
}

export interface ViewerRequestDeps extends VerifierDeps {
  log?: (line: RefusalLogLine) => void;
}

/** OPTIONS is here only for CORS preflights, which browsers send without credentials. */
export const ALLOWED_METHODS = ["GET", "HEAD", "PUT", "OPTIONS"] as const;

const MAX_LOGGED_URI = 256;

/**
 * The Lambda@Edge viewer-request handler: verifies the access token, then lets the request
 * through only if the method, key and upload headers fit the owner's own prefix. Allowed
 * requests reach the origin unchanged except that the Authorization header is removed;
 * everything else gets a 4xx JSON response. It never throws.
 */
export function createViewerRequestHandler(
  config: EdgeConfig,
  deps: ViewerRequestDeps = {},
): ViewerRequestHandler {
  const verify = createAccessTokenCheck(config, deps);
  const log = deps.log ?? logLine;
  const allowedTypes = new Set(config.allowedContentTypes);

  // Synchronous up to the token check, which answers at once unless it must fetch keys: then
  // the rest of the checks run when it resolves.
  const authorise = (request: CloudFrontRequest): undefined | Promise<void> => {
    const method = request.method;
    if (!(ALLOWED_METHODS as readonly string[]).includes(method)) {
      throw new MethodNotAllowedError(method, ALLOWED_METHODS);
    }
    if (request.querystring) {
      throw new BadRequestError(
        "QUERY_NOT_ALLOWED",
        "Query strings are not accepted: they can make S3 address versions, ACLs or response overrides instead of the key",
      );
    }
    refuseS3Headers(request.headers, method);
    const key = objectKeyFromUri(request.uri);

    if (method === "OPTIONS") {
      if (isCorsPreflight(request.headers)) return;
      throw new MethodNotAllowedError(method, ALLOWED_METHODS);
    }

    const authorization = headerValues(request.headers, "authorization");
    // Public sharing: a guest (no Authorization header at all) may read shared/ objects. A
    // request that sends a token has it checked as usual, so a bad token is still a 401.
    if (authorization === undefined && config.publicSharing && (method === "GET" || method === "HEAD")) {
      if (key.startsWith(SHARED_PREFIX)) {
        const parts = parseKey(() => parseObjectKey(key));
        if (parts.area === "shared") return;
      }
    }
    const claims = verify(tokenFromAuthorization(authorization));
    if (claims instanceof Promise) return claims.then((later) => authoriseAccess(request, key, later));
    authoriseAccess(request, key, claims);
  };

  /** What the verified caller may do with this key. */
  const authoriseAccess = (request: CloudFrontRequest, key: string, claims: AccessTokenClaims): undefined => {
    if (request.method === "PUT") {
      const extension = authoriseUpload(key, claims);
      checkContentType(request.headers, extension, allowedTypes);
      checkContentLength(request.headers, config.maxUploadBytes);
    } else {
      authoriseRead(key, claims);
    }
  };

  return async (event) => {
    const record = event?.Records?.[0]?.cf;
    const request = record?.request;
    try {
      if (!request || typeof request !== "object" || !request.headers) {
        throw new InternalRefusal("event holds no CloudFront request");
      }
      const pending = authorise(request);
      if (pending) await pending;
      delete request.headers.authorization;
      return request;
    } catch (error) {
      const refusal =
        error instanceof EdgeRefusal
          ? error
          : new InternalRefusal(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      log({
        level: refusal.code === "INTERNAL" ? "error" : "warn",
        message: "edge-auth refused request",
        code: refusal.code,
        status: refusal.status,
        method: String(request?.method ?? "").slice(0, 16),
        uri: String(request?.uri ?? "").slice(0, MAX_LOGGED_URI),
        ...(refusal.detail === undefined ? {} : { detail: refusal.detail }),
        ...(record?.config?.requestId ? { requestId: record.config.requestId } : {}),
      });
      return refusalResponse(refusal);
    }
  };
}

/** PUT: only `uploads/{own sub}/{photoId}.{ext}`. Returns the key's extension. */
function authoriseUpload(key: string, claims: AccessTokenClaims): UploadExtension {
  if (!key.startsWith(UPLOADS_PREFIX)) {
    throw new ForbiddenError("Uploads may go only to uploads/{your sub}/{photoId}.{extension}");
  }
  const parts = parseKey(() => parseUploadKey(key));
  if (parts.owner !== claims.sub)
    throw new ForbiddenError("You may upload only under your own uploads/ prefix");
  return parts.extension;
}

/** GET/HEAD: own `uploads/` and `photos/` (status.json included); `shared/` is readable by every signed-in user. */
function authoriseRead(key: string, claims: AccessTokenClaims): void {
  if (key === "") throw new ForbiddenError("The bucket cannot be listed");
  const parts = parseKey(() => parseObjectKey(key));
  if (parts.area !== "shared" && parts.owner !== claims.sub) {
    throw new ForbiddenError("You may read only your own uploads/ and photos/");
  }
}

function parseKey<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InvalidKeyError) throw new ForbiddenError(error.message);
    throw error;
  }
}

function checkContentType(
  headers: CloudFrontHeaders,
  extension: UploadExtension,
  allowed: ReadonlySet<string>,
): void {
  const values = headerValues(headers, "content-type");
  const expected = UPLOAD_CONTENT_TYPE_BY_EXTENSION[extension];
  const hint = `send Content-Type: ${expected} for a .${extension} key`;
  const type = values?.length === 1 ? values[0]!.trim().toLowerCase() : undefined;
  if (type === undefined)
    throw new UnsupportedMediaTypeError(`Exactly one Content-Type is required: ${hint}`);
  if (!allowed.has(type)) {
    throw new UnsupportedMediaTypeError(`Content-Type must be one of ${[...allowed].join(", ")}: ${hint}`);
  }
  if (type !== expected) throw new UnsupportedMediaTypeError(`Content-Type does not match the key: ${hint}`);
}

function checkContentLength(headers: CloudFrontHeaders, limit: number): void {
  const values = headerValues(headers, "content-length");
  if (!values || values.length === 0) throw new LengthRequiredError();
  const value = values.length === 1 ? (values[0] ?? "").trim() : "";
  if (!/^\d{1,15}$/.test(value)) {
    throw new BadRequestError("INVALID_CONTENT_LENGTH", "Content-Length must be one whole number of bytes");
  }
  const length = Number(value);
  if (length > limit) throw new PayloadTooLargeError(length, limit);
}

/**
 * S3 acts on request headers as well as the key: `x-amz-copy-source` turns a PUT into a copy
 * of any object the origin can read, others set ACLs, tags or redirects. Clients of this
 * distribution never need them, so none reach the origin. The one exception is the upload
 * intent (user metadata the processor reads), on a PUT, with a value photogate knows.
 */
function refuseS3Headers(headers: CloudFrontHeaders, method: string): void {
  // CloudFront gives header names in lower case.
  for (const name in headers) {
    if (name === UPLOAD_INTENT_HEADER && method === "PUT") {
      checkUploadIntent(headers);
      continue;
    }
    if (name.startsWith("x-amz-")) {
      throw new BadRequestError("HEADER_NOT_ALLOWED", `The ${name} header is not accepted`);
    }
  }
}

function isCorsPreflight(headers: CloudFrontHeaders): boolean {
  return Boolean(
    headerValues(headers, "origin")?.length && headerValues(headers, "access-control-request-method")?.length,
  );
}

function headerValues(headers: CloudFrontHeaders, name: string): string[] | undefined {
  const entries = headers[name];
  if (!Array.isArray(entries)) return undefined;
  return entries.map((entry) => String(entry?.value ?? ""));
}

function logLine(line: RefusalLogLine): void {
  console.log(JSON.stringify(line));
}
