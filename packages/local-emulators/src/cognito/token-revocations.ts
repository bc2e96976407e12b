import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/** The claims of a user-pool token that revocation looks at. */
export interface RevocableToken {
  /** cognito-local's user name (`username` in access tokens, `cognito:username` in refresh tokens). */
  username: string;
  /** Issued-at, seconds. */
  iat: number;
  jti: string;
  /** The authentication an id or access token came from (the jti of its refresh token). */
  origin_jti?: unknown;
}

interface Persisted {
  /** username → when the user was last signed out everywhere (epoch ms). */
  signedOut: Record<string, number>;
  /** jti of refresh tokens revoked one by one (RevokeToken), with every token of their origin. */
  revoked: string[];
}

/**
 * What GlobalSignOut, AdminUserGlobalSignOut and RevokeToken leave behind (cognito-local keeps
 * none of it): every token a user held when signed out everywhere is revoked, and single refresh
 * tokens can be revoked. Kept in a JSON file so a restart keeps the revocations.
 *
 * A token's `iat` has one-second resolution, so tokens issued in the same second as a sign-out
 * are told apart by the order this process saw them (a counter); tokens it never saw issued
 * (from before a restart) count as issued before any sign-out of that second.
 */
export class TokenRevocations {
  private state: Persisted = { signedOut: {}, revoked: [] };
  private counter = 0;
  private readonly issuedOrder = new Map<string, number>();
  private readonly signOutOrder = new Map<string, number>();
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly now: () => number,
  ) {}

  static async open(file: string, now: () => number = Date.now): Promise<TokenRevocations> {
    const store = new TokenRevocations(file, now);
    try {
      store.state = JSON.parse(await readFile(file, "utf8")) as Persisted;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    return store;
  }

  /** Records a token this front handed out, in order. */
  noteIssued(jti: string): void {
    this.issuedOrder.set(jti, ++this.counter);
    // Only tokens of the current second need an order; keep the map small.
    if (this.issuedOrder.size > 10_000)
      this.issuedOrder.delete(this.issuedOrder.keys().next().value as string);
  }

  async signOut(username: string): Promise<void> {
    this.state.signedOut[username] = this.now();
    this.signOutOrder.set(username, ++this.counter);
    await this.save();
  }

  async revoke(jti: string): Promise<void> {
    this.state.revoked.push(jti);
    await this.save();
  }

  isRevoked(token: RevocableToken): boolean {
    if (this.state.revoked.includes(token.jti)) return true;
    if (typeof token.origin_jti === "string" && this.state.revoked.includes(token.origin_jti)) return true;
    const signedOutAt = this.state.signedOut[token.username];
    if (signedOutAt === undefined) return false;
    const issued = this.issuedOrder.get(token.jti);
    const signOut = this.signOutOrder.get(token.username);
    if (issued !== undefined && signOut !== undefined) return issued < signOut;
    return token.iat * 1000 <= signedOutAt;
  }

  private save(): Promise<void> {
    const json = JSON.stringify(this.state);
    // Written whole through a rename, one write at a time: a crash never leaves half a file.
    this.writing = this.writing.then(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      await writeFile(`${this.file}.tmp`, json);
      await rename(`${this.file}.tmp`, this.file);
    });
    return this.writing;
  }
}
