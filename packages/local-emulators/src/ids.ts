import { createHash } from "node:crypto";

/** A stable, lower-case UUID-shaped id from a name, so ids survive restarts without being stored. */
export function nameBasedUuid(name: string): string {
  const hex = createHash("sha256").update(name).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
