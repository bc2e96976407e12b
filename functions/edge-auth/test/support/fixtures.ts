import { readFileSync } from "node:fs";
import type { CloudFrontRequest, CloudFrontRequestEvent, CloudFrontResultResponse } from "aws-lambda";
import { type EdgeConfig, parseEdgeConfig } from "../../src/config";
import { makeKey, signJwt, type TestKey } from "./tokens";

export const REGION = "us-east-1";
export const USER_POOL_ID = "us-east-1_Ph0toGate";
export const ISSUER = `https://cognito-idp.${REGION}.amazonaws.com/${USER_POOL_ID}`;
export const CLIENT_ID = "4m5n6o7p8q9r0s1t2u3v4w5x6y";
export const OWNER = "6f1c2b9e-3a4d-4e5f-8a7b-9c0d1e2f3a4b";
export const OTHER = "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d";
export const PHOTO_ID = "0b6e8f3a-2c1d-4e7f-9a8b-7c6d5e4f3a2b";
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

// Generated once per test file: RSA key generation is the slow part of these tests.
export const poolKey: TestKey = makeKey("pool-key-1");

export function edgeConfig(overrides: Record<string, unknown> = {}): EdgeConfig {
  return parseEdgeConfig({
    region: REGION,
    userPoolId: USER_POOL_ID,
    issuer: ISSUER,
    clientIds: [CLIENT_ID],
    tokenUse: "access",
    jwks: { keys: [poolKey.jwk] },
    maxUploadBytes: MAX_UPLOAD_BYTES,
    allowedContentTypes: ["image/jpeg", "image/png", "image/webp", "image/heic"],
    ...overrides,
  });
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The claims of a Cognito access token, as the pool issues them. */
export function accessClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = nowSeconds() - 60;
  return {
    sub: OWNER,
    iss: ISSUER,
    client_id: CLIENT_ID,
    origin_jti: "a1b2c3d4-0000-4000-8000-000000000001",
    event_id: "e1e2e3e4-0000-4000-8000-000000000002",
    token_use: "access",
    scope: "aws.cognito.signin.user.admin",
    auth_time: iat,
    iat,
    exp: iat + 3600,
    jti: "j1j2j3j4-0000-4000-8000-000000000003",
    username: OWNER,
    ...overrides,
  };
}

/** A valid access token for OWNER, signed by the pool key; claims and header can be changed. */
export function accessToken(
  claims: Record<string, unknown> = {},
  options: { key?: TestKey; header?: Record<string, unknown> } = {},
): string {
  const key = options.key ?? poolKey;
  return signJwt({ kid: key.kid, alg: "RS256", ...options.header }, accessClaims(claims), {
    key: key.privateKey,
  });
}

export interface RequestShape {
  method?: string;
  uri?: string;
  querystring?: string;
  /** Lower-case header name → value; `null` removes a header of the fixture. */
  headers?: Record<string, string | string[] | null>;
  authorization?: string | null;
}

const fixture = readFileSync(new URL("../fixtures/viewer-request.json", import.meta.url), "utf8");

/** The fixture viewer-request event (a PUT of OWNER's photo), reshaped per test. */
export function viewerEvent(shape: RequestShape = {}): CloudFrontRequestEvent {
  const event = JSON.parse(fixture) as CloudFrontRequestEvent;
  const request = event.Records[0]!.cf.request as {
    -readonly [K in keyof CloudFrontRequest]: CloudFrontRequest[K];
  };
  if (shape.method !== undefined) request.method = shape.method;
  if (shape.uri !== undefined) request.uri = shape.uri;
  if (shape.querystring !== undefined) request.querystring = shape.querystring;
  const headers: Record<string, string | string[] | null> = { ...shape.headers };
  if (shape.authorization !== null && !("authorization" in headers)) {
    headers.authorization = shape.authorization ?? `Bearer ${accessToken()}`;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (value === null) delete request.headers[name];
    else
      request.headers[name] = (Array.isArray(value) ? value : [value]).map((v) => ({ key: name, value: v }));
  }
  return event;
}

export function requestOf(event: CloudFrontRequestEvent): CloudFrontRequest {
  return event.Records[0]!.cf.request;
}

export function uploadUri(owner = OWNER, file = `${PHOTO_ID}.jpg`): string {
  return `/uploads/${owner}/${file}`;
}

/** Narrows a handler result to a generated response, failing the test if it was forwarded. */
export function asResponse(result: unknown): CloudFrontResultResponse & { status: string; body: string } {
  if (!result || typeof result !== "object" || !("status" in result)) {
    throw new Error(`expected a refusal response, got a forwarded request: ${JSON.stringify(result)}`);
  }
  return result as CloudFrontResultResponse & { status: string; body: string };
}

export function errorBody(result: unknown): { code: string; message: string } {
  return (JSON.parse(asResponse(result).body) as { error: { code: string; message: string } }).error;
}
