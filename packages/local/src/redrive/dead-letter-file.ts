import { createHash } from "node:crypto";
import { appendFile, readFile, rename, rm, writeFile } from "node:fs/promises";
import type { DeadLetter } from "@photogate/local-emulators";
import {
  type DeadLetterMessage,
  type DeadLetterSource,
  describeDeadLetterPayload,
  RedriveBusyError,
} from "@photogate/redrive";
import { isAlive } from "../endpoints";

/**
 * The local stack's dead letters (`<dataDir>/dlq.jsonl`, one DeadLetter per line) as a redrive
 * source. The notifier appends to the file at any time without a lock, so a run never rewrites
 * it: it renames it aside (`.redriving`; new failures start a fresh file), replays from the
 * renamed copy, and at the end appends back every line that was not replayed. Appends are never
 * lost that way, and a run that crashes leaves `.redriving`, which the next run puts back first.
 */
export function deadLetterFile(file: string): DeadLetterSource {
  const claimed = `${file}.redriving`;
  const lock = `${file}.lock`;
  let taken: DeadLetterMessage[] | undefined;
  let next = 0;
  const removed = new Set<string>();

  const claim = async () => {
    await acquireLock(lock);
    try {
      await restoreLeftover(claimed, file);
      await rename(file, claimed).catch(ignoreMissing);
      return parseLines(await readText(claimed));
    } catch (error) {
      await rm(lock, { force: true });
      throw error;
    }
  };

  return {
    async peek(max) {
      const lines = `${await readText(claimed)}${await readText(file)}`;
      return parseLines(lines).slice(0, max);
    },
    async receive(max) {
      taken ??= await claim();
      const batch = taken.slice(next, next + max);
      next += batch.length;
      return batch;
    },
    async remove(message) {
      removed.add(message.id);
    },
    async release() {
      if (!taken) return;
      try {
        // Read again: a line the notifier appended just as the file was renamed is kept too.
        const rest = linesOf(await readText(claimed)).filter((line) => !removed.has(line.id));
        if (rest.length > 0) await appendFile(file, rest.map((l) => `${l.text}\n`).join(""));
        await rm(claimed, { force: true });
      } finally {
        taken = undefined;
        next = 0;
        removed.clear();
        await rm(lock, { force: true });
      }
    },
    async count() {
      return linesOf(`${await readText(claimed)}${await readText(file)}`).length;
    },
  };
}

interface Line {
  id: string;
  text: string;
}

/** Ids are the line's content hash (plus its occurrence, for identical lines): stable across reads. */
function linesOf(text: string): Line[] {
  const seen = new Map<string, number>();
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const hash = createHash("sha256").update(line).digest("hex").slice(0, 16);
      const n = (seen.get(hash) ?? 0) + 1;
      seen.set(hash, n);
      return { id: n === 1 ? hash : `${hash}-${n}`, text: line };
    });
}

function parseLines(text: string): DeadLetterMessage[] {
  return linesOf(text).map(({ id, text: line }) => {
    let entry: DeadLetter;
    try {
      entry = JSON.parse(line) as DeadLetter;
      if (typeof entry?.failedAt !== "string" || !Array.isArray(entry.event?.Records)) {
        throw new Error("no failedAt or event.Records");
      }
    } catch (error) {
      const why = `unreadable dead-letter line (${(error as Error).message})`;
      return { id, key: "(unreadable line)", failedAt: "", error: why, payload: undefined, unreadable: why };
    }
    return {
      id,
      ...describeDeadLetterPayload(entry.event),
      failedAt: entry.failedAt,
      error: entry.error?.message ?? "failed (no error recorded)",
      payload: entry.event,
    };
  });
}

async function readText(path: string): Promise<string> {
  return readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw error;
  });
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== "ENOENT") throw error;
}

/** A run that crashed left its claimed lines aside: they are dead letters again. */
async function restoreLeftover(claimed: string, file: string): Promise<void> {
  const leftover = await readText(claimed);
  if (leftover.trim() !== "") await appendFile(file, leftover.endsWith("\n") ? leftover : `${leftover}\n`);
  await rm(claimed, { force: true });
}

/** One run at a time (the command and the admin API may both try); a dead holder's lock is taken over. */
async function acquireLock(lock: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lock, String(process.pid), { flag: "wx" });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(await readText(lock));
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new RedriveBusyError(`process ${holder} holds ${lock}`);
      }
      await rm(lock, { force: true });
    }
  }
  throw new RedriveBusyError(`${lock} was taken while this run tried to take it`);
}
