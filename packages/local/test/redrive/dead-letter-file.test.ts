import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { redriveDeadLetters } from "@photogate/redrive";
import type { S3Event } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deadLetterFile } from "../../src/redrive/dead-letter-file";

const OWNER = "3f1c9a52-7d4e-4b8a-9c2f-5e6d7a8b9c0d";
const keyOf = (n: number) => `uploads/${OWNER}/0000000${n}-e5f6-4789-8abc-def012345678.jpg`;

/** A line as the local notifier writes it (packages/local-emulators/src/s3/notifications.ts). */
function line(n: number, message = "processor down"): string {
  const event = {
    Records: [
      { s3: { bucket: { name: "photogate-local-photos" }, object: { key: keyOf(n), sequencer: `0${n}` } } },
    ],
  } as unknown as S3Event;
  return `${JSON.stringify({ failedAt: `2025-03-14T09:0${n}:00.000Z`, attempts: 3, error: { name: "Error", message }, event })}\n`;
}

const keysIn = async (file: string) =>
  (await readFile(file, "utf8"))
    .split("\n")
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { event: S3Event }).event.Records[0]!.s3.object.key);

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "photogate-dlq-"));
  file = join(dir, "dlq.jsonl");
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("deadLetterFile", () => {
  it("removes replayed lines, keeps failed ones, and keeps a line appended during the run", async () => {
    await writeFile(file, line(1) + line(2) + line(3));
    const summary = await redriveDeadLetters(
      deadLetterFile(file),
      async (payload) => {
        const key = (payload as S3Event).Records[0]!.s3.object.key;
        // The notifier dead-letters another event while the redrive runs.
        if (key === keyOf(1)) await appendFile(file, line(4));
        if (key === keyOf(2)) throw new Error("still failing");
      },
      { max: 10 },
    );
    expect(summary.replayed).toBe(2);
    expect(summary.failed).toEqual([expect.objectContaining({ key: keyOf(2), error: "still failing" })]);
    expect((await keysIn(file)).sort()).toEqual([keyOf(2), keyOf(4)].sort());
    expect(summary.remaining).toBe(2);
  });

  it("lists bucket, key, failedAt and the last error without changing the file (dry run)", async () => {
    const text = line(1, "throttled") + line(2);
    await writeFile(file, text);
    const summary = await redriveDeadLetters(
      deadLetterFile(file),
      async () => {
        throw new Error("a dry run must not replay");
      },
      { max: 10, dryRun: true },
    );
    expect(summary.results[0]).toMatchObject({
      bucket: "photogate-local-photos",
      key: keyOf(1),
      failedAt: "2025-03-14T09:01:00.000Z",
      error: "throttled",
      outcome: "would-replay",
    });
    expect(await readFile(file, "utf8")).toBe(text);
  });

  it("replays at most max lines and keeps the rest", async () => {
    await writeFile(file, line(1) + line(2) + line(3));
    const summary = await redriveDeadLetters(deadLetterFile(file), async () => {}, { max: 2 });
    expect(summary.replayed).toBe(2);
    expect(await keysIn(file)).toEqual([keyOf(3)]);
  });

  it("keeps an unreadable line as it is and reports it", async () => {
    await writeFile(file, `{"torn": \n${line(1)}`);
    const summary = await redriveDeadLetters(deadLetterFile(file), async () => {}, { max: 10 });
    expect(summary.replayed).toBe(1);
    expect(summary.failed[0]!.error).toMatch(/unreadable dead-letter line/);
    expect(await readFile(file, "utf8")).toBe(`{"torn": \n`);
  });

  it("puts back the lines of a run that crashed before replaying them", async () => {
    await writeFile(`${file}.redriving`, line(1));
    await writeFile(file, line(2));
    const source = deadLetterFile(file);
    expect(await source.count()).toBe(2);
    const summary = await redriveDeadLetters(source, async () => {}, { max: 10 });
    expect(summary.replayed).toBe(2);
    // Nothing left: the file is gone until the notifier dead-letters the next event.
    await expect(readFile(file, "utf8")).rejects.toMatchObject({ code: "ENOENT" });
    await expect(readFile(`${file}.redriving`, "utf8")).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("refuses a second run while a live process holds the lock", async () => {
    await writeFile(file, line(1));
    await writeFile(`${file}.lock`, String(process.pid));
    await expect(redriveDeadLetters(deadLetterFile(file), async () => {}, { max: 10 })).rejects.toMatchObject(
      {
        code: "REDRIVE_IN_PROGRESS",
      },
    );
    expect(await keysIn(file)).toEqual([keyOf(1)]);
  });

  it("an empty or missing file is no dead letters", async () => {
    const summary = await redriveDeadLetters(deadLetterFile(file), async () => {}, { max: 10 });
    expect(summary).toMatchObject({ replayed: 0, failed: [], remaining: 0 });
  });
});
