import { createHash } from "node:crypto";

// Fixed namespace for the name-based ids below; changing it would give every user a new identity.
const IDENTITY_NAMESPACE = Buffer.from("5b0c7f9e3d2a4c1b8e6f0a9d7c5b3e21", "hex");

/**
 * The identity-pool identity of a user: `{region}:{uuid}`, where the uuid is a name-based
 * (version 5) UUID of pool, provider and sub. The same user always gets the same id, across
 * restarts, without storing anything; different users and pools get different ids.
 */
export function identityIdFor(
  region: string,
  identityPoolId: string,
  providerName: string,
  sub: string,
): string {
  const hash = createHash("sha1")
    .update(IDENTITY_NAMESPACE)
    .update(`${identityPoolId}\n${providerName}\n${sub}`)
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = hash.subarray(0, 16).toString("hex");
  return `${region}:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
