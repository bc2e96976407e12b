import type { JsonWebKey } from "node:crypto";
import { createHmac, createSign, generateKeyPairSync, type KeyObject } from "node:crypto";

/** A test RSA key pair and a tiny JWT signer, so every token case is built from scratch. */
export interface TestKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as a JWKS entry, the way Cognito publishes it. */
  jwk: JsonWebKey & { kid: string; alg: "RS256"; use: "sig" };
}

export function makeKey(kid: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    kid,
    privateKey,
    publicKey,
    jwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" },
  };
}

const b64url = (value: Buffer | string) => Buffer.from(value).toString("base64url");

export type Signing = { key: KeyObject } | { hmacSecret: Buffer | string } | { none: true };

/** Signs `header.payload` as RS256 (key), HS256 (hmacSecret) or not at all (none). */
export function signJwt(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  signing: Signing,
): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  if ("none" in signing) return `${input}.`;
  if ("hmacSecret" in signing)
    return `${input}.${createHmac("sha256", signing.hmacSecret).update(input).digest("base64url")}`;
  return `${input}.${createSign("RSA-SHA256").update(input).sign(signing.key).toString("base64url")}`;
}
