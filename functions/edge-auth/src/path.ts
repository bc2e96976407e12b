import { BadRequestError } from "./errors";

/**
 * Turns the viewer's URI into the S3 key it would address, refusing anything that could
 * mean two different keys to two different parsers. Keys are plain ASCII by design
 * (UUIDs, a short extension, `[a-z0-9._-]` file names), so a real client never needs
 * percent-encoding: refusing every `%` closes `%2e%2e`, `%2F`, `%5C`, `%25` (double
 * encoding), `%00` and encoded unicode look-alikes in one rule, instead of decoding and
 * hoping CloudFront, S3 and this code all decode the same way.
 */
const MAX_URI_LENGTH = 1024;
const KEY_CHARACTERS = /^[A-Za-z0-9._\-/]*$/;
// Any segment the loop below refuses: empty (leading, doubled or trailing /) or ending in a
// dot (which covers . and ..). One regex on every request; the loop runs only to name the fault.
const SUSPECT_SEGMENT = /(?:^|\/)(?:\/|$)|\.(?:\/|$)/;

export function objectKeyFromUri(uri: string): string {
  if (typeof uri !== "string" || !uri.startsWith("/")) {
    throw new BadRequestError("INVALID_PATH", "The path must start with /");
  }
  if (uri.length > MAX_URI_LENGTH) {
    throw new BadRequestError("INVALID_PATH", `The path is longer than ${MAX_URI_LENGTH} characters`);
  }
  const key = uri.slice(1);
  if (!KEY_CHARACTERS.test(key)) throw new BadRequestError("INVALID_PATH", describeBadCharacter(key));
  if (key === "" || !SUSPECT_SEGMENT.test(key)) return key;
  for (const segment of key.split("/")) {
    if (segment === "")
      throw new BadRequestError("INVALID_PATH", "The path has an empty segment (// or a trailing /)");
    if (segment === "." || segment === "..") {
      throw new BadRequestError("INVALID_PATH", "The path may not contain . or .. segments");
    }
    // Windows-style trailing dots are dropped by some tools, so `a.jpg.` could alias `a.jpg`.
    if (segment.endsWith("."))
      throw new BadRequestError("INVALID_PATH", "A path segment may not end with a dot");
  }
  throw new BadRequestError("INVALID_PATH", "The path has an invalid segment");
}

function describeBadCharacter(key: string): string {
  if (key.includes("%")) return "Percent-encoded paths are not accepted: object keys are plain ASCII";
  if (key.includes("\\")) return "Backslashes are not allowed in the path";
  const codes = Array.from(key, (c) => c.charCodeAt(0));
  if (codes.some((c) => c < 0x20 || c === 0x7f)) return "Control characters are not allowed in the path";
  if (codes.some((c) => c > 0x7f)) return "Non-ASCII characters are not allowed in the path";
  return "The path may hold only A-Z, a-z, 0-9, '.', '_', '-' and '/'";
}
