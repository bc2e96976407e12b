/**
 * Tokens already verified, so a client repeating its token (every upload and status poll
 * does) skips the RSA check until the token expires. Looked up by the signature's last 32
 * bytes, but a hit needs the whole token to match: the same signature glued to another
 * header or payload, or another signature on the same payload, is a miss. Only successes
 * are stored; at the bound the oldest entry goes, which is also the one that expires first
 * for tokens of one lifetime.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, { token: string; value: T; expiresAtMs: number }>();
  // A miss is followed by a set for the same token: its key is cut and hashed once.
  private lastToken = "";
  private lastKey = "";

  constructor(
    readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new Error(`maxEntries must be a positive integer, got ${maxEntries}`);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value stored for exactly this token, if it has not expired. */
  get(token: string): T | undefined {
    const key = this.keyOf(token);
    const entry = this.entries.get(key);
    if (entry === undefined || entry.token !== token) return undefined;
    if (this.now() >= entry.expiresAtMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Stores a verified token's value until `exp` (seconds since the epoch, the JWT claim). */
  set(token: string, value: T, exp: number): void {
    const expiresAtMs = exp * 1000;
    if (!(expiresAtMs > this.now())) return;
    const key = this.keyOf(token);
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(key, { token, value, expiresAtMs });
  }

  private keyOf(token: string): string {
    if (token !== this.lastToken) {
      this.lastToken = token;
      this.lastKey = lookupKey(token);
    }
    return this.lastKey;
  }
}

// 43 base64url characters: 32 bytes of an RSA signature, unique enough to index by and far
// cheaper to hash than the whole ~340-character signature on every request.
const KEY_CHARS = 43;

function lookupKey(token: string): string {
  const dot = token.lastIndexOf(".");
  return token.slice(Math.max(dot + 1, token.length - KEY_CHARS));
}
