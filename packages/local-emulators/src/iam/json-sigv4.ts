import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { AwsJsonError } from "../aws-json-server";
import type { CredentialStore, RoleCredentials, Session } from "../credentials";
import { parseAmzDate } from "../s3/sigv4";

/**
 * Who signed a JSON-protocol request (DynamoDB, Rekognition, the user pool's admin calls): the
 * local stack's own account-admin key, a function role, or an identity-pool session.
 */
export type JsonCaller =
  | { kind: "service" }
  | { kind: "role"; role: RoleCredentials }
  | { kind: "session"; session: Session };

export interface JsonRequest {
  method: string;
  /** Path and query as received (`req.url`). */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface JsonVerifyOptions {
  credentials: CredentialStore;
  region: string;
  /** The signing name in the credential scope: `dynamodb`, `rekognition`, `cognito-idp`. */
  service: string;
  now?: () => Date;
}

/** AWS services refuse header-signed requests more than 15 minutes off their clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;
const ALGORITHM = "AWS4-HMAC-SHA256";
const sha256 = Hash.bind(null, "sha256");

// The messages are AWS's own (DynamoDB's answers, as recorded in dynalite's sources and in the
// SigV4 troubleshooting guide: https://docs.aws.amazon.com/IAM/latest/UserGuide/signature-v4-troubleshooting.html).
const INVALID_TOKEN = "The security token included in the request is invalid.";
const SIGNATURE_MISMATCH =
  "The request signature we calculated does not match the signature you provided. " +
  "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/**
 * Authenticates a JSON-protocol request as the AWS services do: the Authorization header's
 * credential scope, the clock, the access key (and the session token for temporary keys), then
 * the SigV4 signature recomputed with the SDK's own signer over the received method, path,
 * signed headers and body. Throws AwsJsonError with the service's error type for each failure.
 */
export async function verifyJsonSignature(
  request: JsonRequest,
  options: JsonVerifyOptions,
): Promise<JsonCaller> {
  const authorization = single(request.headers.authorization)?.trim();
  if (!authorization?.startsWith("AWS4-")) {
    throw new AwsJsonError("MissingAuthenticationTokenException", "Request is missing Authentication Token");
  }
  const [algorithm = "", ...rest] = authorization.split(/\s+/);
  const fields = Object.fromEntries(
    rest
      .join(" ")
      .split(",")
      .map((part) => part.trim().split("=") as [string, string | undefined]),
  );
  const missing = ["Credential", "Signature", "SignedHeaders"].filter((name) => !fields[name]);
  const amzDate = single(request.headers["x-amz-date"]);
  if (missing.length > 0 || !amzDate) {
    const parts = missing.map((name) => `Authorization header requires '${name}' parameter.`);
    if (!amzDate)
      parts.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    throw new AwsJsonError(
      "IncompleteSignatureException",
      `${parts.join(" ")} Authorization=${authorization}`,
    );
  }
  if (algorithm !== ALGORITHM) {
    throw new AwsJsonError(
      "IncompleteSignatureException",
      `Unsupported AWS 'algorithm': '${algorithm}' (only ${ALGORITHM} for now). `,
    );
  }
  const signingDate = parseAmzDate(amzDate);
  if (!signingDate) {
    throw new AwsJsonError(
      "IncompleteSignatureException",
      `Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }
  const now = (options.now ?? (() => new Date()))();
  if (Math.abs(now.getTime() - signingDate.getTime()) > MAX_SKEW_MS) {
    const earliest = basicDate(new Date(now.getTime() - MAX_SKEW_MS));
    throw new AwsJsonError(
      "InvalidSignatureException",
      `Signature expired: ${amzDate} is now earlier than ${earliest} (${basicDate(now)} - 15 min.)`,
    );
  }
  const credential = fields.Credential as string;
  const [accessKeyId = "", date, region, service, terminator, ...extra] = credential.split("/");
  if (extra.length > 0 || terminator === undefined) {
    throw new AwsJsonError(
      "IncompleteSignatureException",
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const scopeErrors = [
    region === options.region ? "" : `Credential should be scoped to a valid region, not '${region}'. `,
    service === options.service
      ? ""
      : `Credential should be scoped to correct service: '${options.service}'. `,
    terminator === "aws4_request"
      ? ""
      : `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `,
    date === amzDate.slice(0, 8)
      ? ""
      : `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
  ].join("");
  if (scopeErrors) throw new AwsJsonError("InvalidSignatureException", scopeErrors.trim());

  const { caller, secretAccessKey } = findCaller(accessKeyId, options.credentials, request.headers);
  const names = (fields.SignedHeaders as string).split(";").map((n) => n.trim().toLowerCase());
  const headers: Record<string, string> = {};
  for (const name of names) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  const q = request.url.indexOf("?");
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey },
    region: options.region,
    service: options.service,
    sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: request.method,
      protocol: "http:",
      hostname: "",
      path: q < 0 ? request.url : request.url.slice(0, q),
      query: q < 0 ? {} : Object.fromEntries(new URLSearchParams(request.url.slice(q + 1))),
      headers,
      body: request.body,
    }),
    { signingDate, signableHeaders: new Set(names) },
  );
  const expected = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization))?.[1] ?? "";
  if (!expected || !safeEqual(expected, fields.Signature as string)) {
    throw new AwsJsonError("InvalidSignatureException", SIGNATURE_MISMATCH);
  }
  if (caller.kind === "session" && options.credentials.isExpired(caller.session)) {
    throw new AwsJsonError("ExpiredTokenException", "The security token included in the request is expired");
  }
  return caller;
}

function findCaller(
  accessKeyId: string,
  store: CredentialStore,
  headers: IncomingHttpHeaders,
): { caller: JsonCaller; secretAccessKey: string } {
  if (store.isService(accessKeyId)) {
    return { caller: { kind: "service" }, secretAccessKey: store.service.secretAccessKey };
  }
  const role = store.findRole(accessKeyId);
  if (role) return { caller: { kind: "role", role }, secretAccessKey: role.secretAccessKey };
  const session = store.find(accessKeyId);
  const token = single(headers["x-amz-security-token"]);
  if (!session || token === undefined || !safeEqual(token, session.sessionToken)) {
    throw new AwsJsonError("UnrecognizedClientException", INVALID_TOKEN);
  }
  return { caller: { kind: "session", session }, secretAccessKey: session.secretAccessKey };
}

function basicDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
