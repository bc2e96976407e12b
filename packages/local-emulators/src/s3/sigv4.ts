import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { CredentialStore, RoleCredentials, Session } from "../credentials";
import { S3Error } from "./errors";

/**
 * Who signed a request: the local stack's own services (full access), a role's long-lived keys
 * (a function's execution role, the edge's origin access; held to the role's policy), or an
 * identity-pool session.
 */
export type Caller =
  | { kind: "service"; accessKeyId: string }
  | { kind: "role"; role: RoleCredentials }
  | { kind: "session"; session: Session };

export interface SignedRequest {
  method: string;
  /** The raw request target, path and query exactly as received (`req.url`). */
  url: string;
  headers: IncomingHttpHeaders;
}

export interface VerifyOptions {
  credentials: CredentialStore;
  region: string;
  now: () => Date;
}

/** The query parameters that carry presigned-URL authentication; dropped before proxying. */
export const QUERY_AUTH_PARAMS = new Set([
  "X-Amz-Algorithm",
  "X-Amz-Credential",
  "X-Amz-Date",
  "X-Amz-Expires",
  "X-Amz-SignedHeaders",
  "X-Amz-Signature",
  "X-Amz-Security-Token",
]);

/**
 * Whether a query parameter says how a request is signed rather than what it does: the
 * presigned-URL parameters, and x-amz-* headers a presigner hoisted into the query (the SDK's
 * presigner puts `X-Amz-Content-Sha256=UNSIGNED-PAYLOAD` there), whatever their letter case.
 */
export function isSigningParameter(name: string): boolean {
  return QUERY_AUTH_PARAMS.has(name) || name.toLowerCase().startsWith("x-amz-");
}

const ALGORITHM = "AWS4-HMAC-SHA256";
/** S3 refuses header-signed requests more than 15 minutes off its clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;
/** Presigned URLs live at most 7 days. */
const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;
const PAYLOAD_HASH =
  /^([0-9a-f]{64}|UNSIGNED-PAYLOAD|STREAMING-UNSIGNED-PAYLOAD-TRAILER|STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER)?)$/;
const sha256 = Hash.bind(null, "sha256");

/**
 * Authenticates an S3 request as S3 does: finds the access key, checks the session token and its
 * expiry, and recomputes the SigV4 signature with @smithy/signature-v4 (the SDK's own signer) over
 * the received method, path, query and signed headers, with the payload hash the client declared.
 * Throws S3Error with S3's code for each way it can fail.
 */
export async function verifySignature(request: SignedRequest, options: VerifyOptions): Promise<Caller> {
  const { path, query } = splitUrl(request.url);
  if (typeof request.headers.authorization === "string") {
    return verifyHeaderAuth(request, path, query, options);
  }
  if (query["X-Amz-Algorithm"] !== undefined) return verifyQueryAuth(request, path, query, options);
  // No credentials at all: an anonymous request, which the private bucket refuses.
  throw new S3Error("AccessDenied", "Access Denied: anonymous requests are refused; sign with SigV4");
}

interface Scope {
  accessKeyId: string;
  date: string;
  region: string;
}

async function verifyHeaderAuth(
  request: SignedRequest,
  path: string,
  query: Query,
  options: VerifyOptions,
): Promise<Caller> {
  const authorization = request.headers.authorization as string;
  const space = authorization.indexOf(" ");
  const algorithm = space < 0 ? authorization : authorization.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw new S3Error("InvalidArgument", `Unsupported Authorization Type "${algorithm}": use ${ALGORITHM}`);
  }
  const fields = new Map<string, string>();
  for (const part of authorization.slice(space + 1).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get("Credential");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (!credential || !signedHeaders || !signature) {
    throw new S3Error(
      "AuthorizationHeaderMalformed",
      "The authorization header is malformed; it needs Credential, SignedHeaders and Signature",
    );
  }
  const amzDate = single(request.headers["x-amz-date"]);
  const signingDate = amzDate ? parseAmzDate(amzDate) : undefined;
  if (!signingDate) {
    throw new S3Error(
      "AccessDenied",
      "AWS authentication requires a valid X-Amz-Date header (yyyyMMddTHHmmssZ)",
    );
  }
  const scope = parseScope(credential, amzDate!, options.region, "AuthorizationHeaderMalformed");
  const payloadHash = single(request.headers["x-amz-content-sha256"]);
  if (!payloadHash) {
    throw new S3Error("InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
  }
  if (!PAYLOAD_HASH.test(payloadHash)) {
    throw new S3Error(
      "InvalidArgument",
      "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING-… value the SDK uses, or a hex SHA-256",
    );
  }
  const caller = findCaller(scope.accessKeyId, single(request.headers["x-amz-security-token"]), options);
  if (Math.abs(options.now().getTime() - signingDate.getTime()) > MAX_SKEW_MS) {
    throw new S3Error(
      "RequestTimeTooSkewed",
      "The difference between the request time and the current time is too large.",
    );
  }

  const names = signedHeaders.split(";").map((n) => n.trim().toLowerCase());
  const signer = signerFor(caller, options);
  const signed = await signer.sign(
    new HttpRequest({
      method: request.method,
      protocol: "http:",
      hostname: "",
      path,
      query,
      headers: pickHeaders(request.headers, names),
    }),
    { signingDate, signingRegion: scope.region, signableHeaders: new Set(names) },
  );
  const expected = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization))?.[1] ?? "";
  checkSignature(expected, signature);
  return caller;
}

async function verifyQueryAuth(
  request: SignedRequest,
  path: string,
  query: Query,
  options: VerifyOptions,
): Promise<Caller> {
  const param = (name: string) => {
    const value = query[name];
    return typeof value === "string" ? value : undefined;
  };
  const algorithm = param("X-Amz-Algorithm");
  const credential = param("X-Amz-Credential");
  const amzDate = param("X-Amz-Date");
  const expires = param("X-Amz-Expires");
  const signedHeaders = param("X-Amz-SignedHeaders");
  const signature = param("X-Amz-Signature");
  if (algorithm !== ALGORITHM) {
    throw new S3Error("AuthorizationQueryParametersError", `X-Amz-Algorithm only supports "${ALGORITHM}"`);
  }
  if (!credential || !amzDate || !expires || !signedHeaders || !signature) {
    throw new S3Error(
      "AuthorizationQueryParametersError",
      "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, " +
        "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
    );
  }
  const signingDate = parseAmzDate(amzDate);
  const expiresIn = Number(expires);
  if (!signingDate || !/^\d+$/.test(expires) || expiresIn > MAX_PRESIGNED_SECONDS) {
    throw new S3Error(
      "AuthorizationQueryParametersError",
      "X-Amz-Date must be yyyyMMddTHHmmssZ and X-Amz-Expires a number of seconds up to 604800",
    );
  }
  const scope = parseScope(credential, amzDate, options.region, "AuthorizationQueryParametersError");
  const caller = findCaller(scope.accessKeyId, param("X-Amz-Security-Token"), options);
  if (options.now().getTime() > signingDate.getTime() + expiresIn * 1000) {
    throw new S3Error("AccessDenied", "Request has expired");
  }

  const names = signedHeaders.split(";").map((n) => n.trim().toLowerCase());
  const headers = pickHeaders(request.headers, names);
  // Presigned S3 URLs sign "UNSIGNED-PAYLOAD". Given as a header it sets the payload hash;
  // unsignable and unhoistable, it changes neither the signed headers nor the query.
  const signsHash = names.includes("x-amz-content-sha256");
  if (!signsHash) headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
  const { "X-Amz-Signature": _signature, ...unsignedQuery } = query;
  const presigned = await signerFor(caller, options).presign(
    new HttpRequest({
      method: request.method,
      protocol: "http:",
      hostname: "",
      path,
      query: unsignedQuery,
      headers,
    }),
    {
      signingDate,
      expiresIn,
      signingRegion: scope.region,
      signableHeaders: new Set(names),
      unsignableHeaders: signsHash ? new Set() : new Set(["x-amz-content-sha256"]),
      // Signed x-amz-* headers stayed headers in the client's URL; keep them where they were.
      unhoistableHeaders: new Set([...names, "x-amz-content-sha256"]),
    },
  );
  checkSignature(String(presigned.query?.["X-Amz-Signature"] ?? ""), signature);
  return caller;
}

function parseScope(
  credential: string,
  amzDate: string,
  region: string,
  code: "AuthorizationHeaderMalformed" | "AuthorizationQueryParametersError",
): Scope {
  const [accessKeyId, date, scopeRegion, service, terminator, ...rest] = credential.split("/");
  if (
    !accessKeyId ||
    !date ||
    !scopeRegion ||
    service !== "s3" ||
    terminator !== "aws4_request" ||
    rest.length > 0
  ) {
    throw new S3Error(
      code,
      `Credential must be <access key>/<yyyyMMdd>/<region>/s3/aws4_request, got "${credential}"`,
    );
  }
  if (date !== amzDate.slice(0, 8)) {
    throw new S3Error(
      code,
      `The credential date "${date}" does not match the request date "${amzDate.slice(0, 8)}"`,
    );
  }
  if (scopeRegion !== region) {
    // S3 names the bucket's region in the body and in x-amz-bucket-region, so SDKs re-sign for it:
    // https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
    const what =
      code === "AuthorizationHeaderMalformed"
        ? "The authorization header is malformed"
        : "Error parsing the X-Amz-Credential parameter";
    throw new S3Error(
      code,
      `${what}; the region '${scopeRegion}' is wrong; expecting '${region}'`,
      { Region: region },
      { "x-amz-bucket-region": region },
    );
  }
  return { accessKeyId, date, region: scopeRegion };
}

function findCaller(accessKeyId: string, token: string | undefined, options: VerifyOptions): Caller {
  const store = options.credentials;
  if (store.isService(accessKeyId)) return { kind: "service", accessKeyId };
  const role = store.findRole(accessKeyId);
  if (role) return { kind: "role", role };
  const session = store.find(accessKeyId);
  if (!session) {
    throw new S3Error(
      "InvalidAccessKeyId",
      "The AWS Access Key Id you provided does not exist in our records.",
    );
  }
  if (token === undefined || !safeEqual(token, session.sessionToken)) {
    throw new S3Error("InvalidToken", "The provided token is malformed or otherwise invalid.");
  }
  if (store.isExpired(session)) throw new S3Error("ExpiredToken", "The provided token has expired.");
  return { kind: "session", session };
}

function signerFor(caller: Caller, options: VerifyOptions): SignatureV4 {
  const { accessKeyId, secretAccessKey } =
    caller.kind === "service"
      ? options.credentials.service
      : caller.kind === "role"
        ? caller.role
        : caller.session;
  // S3 signs the path as sent (no second round of escaping); the token, when signed, is one of
  // the received headers, so it is not passed here (the signer would add it again).
  return new SignatureV4({
    credentials: { accessKeyId, secretAccessKey },
    region: options.region,
    service: "s3",
    sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
}

function checkSignature(expected: string, provided: string): void {
  if (!expected || !safeEqual(expected, provided)) {
    throw new S3Error(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    );
  }
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** `20240102T030405Z` → Date, or undefined when it is not that shape. */
export function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export type Query = Record<string, string | string[]>;

/**
 * Splits a raw request target into its path (still encoded, as signed) and its decoded query.
 * `+` stays a plus: SigV4 clients encode spaces as %20, and a literal `+` must not become one.
 */
export function splitUrl(url: string): { path: string; query: Query } {
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const query: Query = {};
  if (q >= 0) {
    for (const pair of url.slice(q + 1).split("&")) {
      if (!pair) continue;
      const eq = pair.indexOf("=");
      const name = decode(eq < 0 ? pair : pair.slice(0, eq));
      const value = eq < 0 ? "" : decode(pair.slice(eq + 1));
      const existing = query[name];
      query[name] = existing === undefined ? value : [...[existing].flat(), value];
    }
  }
  return { path, query };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new S3Error("InvalidArgument", `The query string holds invalid percent-encoding: "${text}"`);
  }
}

function pickHeaders(headers: IncomingHttpHeaders, names: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (value !== undefined) picked[name] = Array.isArray(value) ? value.join(",") : value;
  }
  return picked;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
