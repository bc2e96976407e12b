import { describe, expect, it } from "vitest";
import { type DeadLetterMessage, type DeadLetterSource, redriveDeadLetters } from "../src";

/** An in-memory queue that behaves like the real sources: taken messages are hidden until released. */
function fakeSource(keys: string[]) {
  const stored = keys.map(
    (key, i): DeadLetterMessage => ({
      id: `m${i}`,
      bucket: "photos",
      key,
      failedAt: `2025-03-14T09:0${i}:00.000Z`,
      error: "boom",
      payload: { key },
    }),
  );
  const taken = new Set<string>();
  const removed: string[] = [];
  let released = 0;
  const source: DeadLetterSource = {
    peek: async (max) => stored.slice(0, max),
    receive: async (max) => {
      const batch = stored.filter((m) => !taken.has(m.id)).slice(0, Math.min(max, 2));
      for (const m of batch) taken.add(m.id);
      return batch;
    },
    remove: async (message) => {
      const at = stored.findIndex((m) => m.id === message.id);
      if (at < 0) throw new Error(`${message.id} is not there`);
      stored.splice(at, 1);
      removed.push(message.id);
    },
    release: async () => {
      taken.clear();
      released++;
    },
    count: async () => stored.length,
  };
  return { source, stored, removed, released: () => released };
}

describe("redriveDeadLetters", () => {
  it("replays each message once and removes it only after its replay succeeded", async () => {
    const { source, stored, removed } = fakeSource(["uploads/a.jpg", "uploads/b.jpg", "uploads/c.jpg"]);
    const replayed: unknown[] = [];
    const summary = await redriveDeadLetters(
      source,
      async (payload) => {
        // At replay time the message must still be stored: removal comes after success.
        expect(stored.some((m) => m.payload === payload)).toBe(true);
        replayed.push(payload);
      },
      { max: 10 },
    );
    expect(replayed).toEqual([{ key: "uploads/a.jpg" }, { key: "uploads/b.jpg" }, { key: "uploads/c.jpg" }]);
    expect(removed).toEqual(["m0", "m1", "m2"]);
    expect(summary).toMatchObject({ dryRun: false, replayed: 3, failed: [], remaining: 0 });
    expect(summary.results.map((r) => r.outcome)).toEqual(["replayed", "replayed", "replayed"]);
  });

  it("leaves a failing message in place with its error and still replays the others", async () => {
    const fake = fakeSource(["uploads/a.jpg", "uploads/bad.jpg", "uploads/c.jpg"]);
    const summary = await redriveDeadLetters(
      fake.source,
      async (payload) => {
        if ((payload as { key: string }).key === "uploads/bad.jpg") throw new Error("still throttled");
      },
      { max: 10 },
    );
    expect(fake.stored.map((m) => m.key)).toEqual(["uploads/bad.jpg"]);
    expect(summary.replayed).toBe(2);
    expect(summary.failed).toEqual([{ id: "m1", key: "uploads/bad.jpg", error: "still throttled" }]);
    expect(summary.remaining).toBe(1);
    expect(fake.released()).toBe(1);
  });

  it("a dry run lists what it would replay and replays and removes nothing", async () => {
    const fake = fakeSource(["uploads/a.jpg", "uploads/b.jpg"]);
    let replays = 0;
    const summary = await redriveDeadLetters(
      fake.source,
      async () => {
        replays++;
      },
      { max: 10, dryRun: true },
    );
    expect(replays).toBe(0);
    expect(fake.stored).toHaveLength(2);
    expect(summary).toMatchObject({ dryRun: true, replayed: 0, failed: [], remaining: 2 });
    expect(summary.results).toEqual([
      expect.objectContaining({
        key: "uploads/a.jpg",
        failedAt: "2025-03-14T09:00:00.000Z",
        error: "boom",
        outcome: "would-replay",
      }),
      expect.objectContaining({ key: "uploads/b.jpg", outcome: "would-replay" }),
    ]);
  });

  it("handles at most max messages per run and leaves the rest", async () => {
    const fake = fakeSource([
      "uploads/1.jpg",
      "uploads/2.jpg",
      "uploads/3.jpg",
      "uploads/4.jpg",
      "uploads/5.jpg",
    ]);
    let replays = 0;
    const summary = await redriveDeadLetters(
      fake.source,
      async () => {
        replays++;
      },
      { max: 3 },
    );
    expect(replays).toBe(3);
    expect(summary.replayed).toBe(3);
    expect(summary.remaining).toBe(2);
    expect(fake.stored.map((m) => m.key)).toEqual(["uploads/4.jpg", "uploads/5.jpg"]);
  });

  it("does not replay a message twice in one run when every replay fails", async () => {
    const fake = fakeSource(["uploads/a.jpg", "uploads/b.jpg", "uploads/c.jpg"]);
    const seen: string[] = [];
    const summary = await redriveDeadLetters(
      fake.source,
      async (payload) => {
        seen.push((payload as { key: string }).key);
        throw new Error("down");
      },
      { max: 10 },
    );
    expect(seen).toEqual(["uploads/a.jpg", "uploads/b.jpg", "uploads/c.jpg"]);
    expect(summary.failed).toHaveLength(3);
    expect(fake.stored).toHaveLength(3);
  });

  it("reports an unreadable message as failed without replaying it", async () => {
    const fake = fakeSource(["uploads/a.jpg"]);
    fake.stored[0]!.unreadable = "not a Lambda invocation record";
    let replays = 0;
    const summary = await redriveDeadLetters(
      fake.source,
      async () => {
        replays++;
      },
      { max: 5 },
    );
    expect(replays).toBe(0);
    expect(summary.failed).toEqual([
      { id: "m0", key: "uploads/a.jpg", error: "not a Lambda invocation record" },
    ]);
    expect(fake.stored).toHaveLength(1);
  });

  it("starts no replay once out of time, and releases what it took", async () => {
    const fake = fakeSource(["uploads/a.jpg", "uploads/b.jpg", "uploads/c.jpg"]);
    let replays = 0;
    const summary = await redriveDeadLetters(
      fake.source,
      async () => {
        replays++;
      },
      { max: 10, outOfTime: () => replays >= 1 },
    );
    expect(replays).toBe(1);
    expect(summary.remaining).toBe(2);
    expect(fake.released()).toBe(1);
  });

  it("refuses a max that is not a positive integer", async () => {
    const fake = fakeSource([]);
    await expect(redriveDeadLetters(fake.source, async () => {}, { max: 0 })).rejects.toThrow(/max must be/);
  });
});
