import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenRevocations } from "../../src/cognito/token-revocations";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "photogate-revocations-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

// Tokens carry `iat` in whole seconds; a sign-out and a new sign-in often fall in the same one.
describe("TokenRevocations", () => {
  const second = 1_700_000_000;
  const at = (ms: number) => () => second * 1000 + ms;

  it("revokes tokens issued before a sign-out, not those issued after it in the same second", async () => {
    const store = await TokenRevocations.open(join(dir, "a.json"), at(500));
    store.noteIssued("before");
    await store.signOut("alice");
    store.noteIssued("after");
    expect(store.isRevoked({ username: "alice", iat: second, jti: "before" })).toBe(true);
    expect(store.isRevoked({ username: "alice", iat: second, jti: "after" })).toBe(false);
    expect(store.isRevoked({ username: "bob", iat: second, jti: "before" })).toBe(false);
  });

  it("keeps sign-outs and single revocations across a restart; unseen tokens count by their iat", async () => {
    const file = join(dir, "b.json");
    const first = await TokenRevocations.open(file, at(500));
    await first.signOut("alice");
    await first.revoke("one-refresh-token");
    const reopened = await TokenRevocations.open(file, at(900));
    expect(reopened.isRevoked({ username: "alice", iat: second - 1, jti: "old" })).toBe(true);
    expect(reopened.isRevoked({ username: "alice", iat: second + 1, jti: "new" })).toBe(false);
    expect(reopened.isRevoked({ username: "carol", iat: second + 5, jti: "one-refresh-token" })).toBe(true);
  });
});
