import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "@photogate/core";
import type { S3Event } from "aws-lambda";
import { silentLogger } from "./logger";

/** One notification that was accepted and not yet delivered (processed or dead-lettered). */
export interface JournalEntry {
  id: string;
  event: S3Event;
}

export interface EventJournal {
  /** `<dataDir>/pending`: one JSON file per undelivered notification. */
  readonly directory: string;
  /** Writes the event durably (temp file, fsync, rename, fsync of the folder); resolves after. */
  add(event: S3Event): Promise<JournalEntry>;
  /** Forgets a delivered entry; a missing file is not an error (delivered twice). */
  remove(id: string): Promise<void>;
  /**
   * Every pending entry in write order. Unreadable entries are moved to `pending/unreadable/`
   * and logged; temp files of writes a kill interrupted are deleted (their request never got a 2xx).
   */
  pending(): Promise<JournalEntry[]>;
}

const TEMP_PREFIX = ".tmp-";
const SUFFIX = ".json";

/**
 * The local stand-in for S3's durable event queue: an upload is answered 2xx only once its
 * notification is in this folder, and an entry leaves it only once delivered, so a kill at any
 * moment loses nothing. File names start with the event's sequencer, so sorting them restores
 * write order on start.
 */
export function createEventJournal(dataDir: string, logger: Logger = silentLogger): EventJournal {
  const directory = join(dataDir, "pending");
  const unreadable = join(directory, "unreadable");
  let ready: Promise<unknown> | undefined;
  const ensureDirectory = () => {
    ready ??= mkdir(directory, { recursive: true });
    return ready;
  };

  return {
    directory,
    async add(event) {
      await ensureDirectory();
      const sequencer = event.Records[0]?.s3.object.sequencer ?? "0";
      const id = `${sequencer}-${randomBytes(4).toString("hex")}`;
      const temp = join(directory, `${TEMP_PREFIX}${id}`);
      const file = await open(temp, "w");
      try {
        await file.writeFile(JSON.stringify(event));
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, join(directory, id + SUFFIX));
      await syncDirectory(directory);
      return { id, event };
    },
    async remove(id) {
      await rm(join(directory, id + SUFFIX), { force: true });
    },
    async pending() {
      await ensureDirectory();
      const names = (await readdir(directory)).sort();
      const entries: JournalEntry[] = [];
      for (const name of names) {
        if (name.startsWith(TEMP_PREFIX)) {
          await rm(join(directory, name), { force: true });
          logger.warn("journal.incomplete-entry-removed", { file: name });
          continue;
        }
        if (!name.endsWith(SUFFIX)) continue;
        const id = name.slice(0, -SUFFIX.length);
        try {
          entries.push({ id, event: parseEvent(await readFile(join(directory, name), "utf8")) });
        } catch (error) {
          await mkdir(unreadable, { recursive: true });
          await rename(join(directory, name), join(unreadable, name));
          logger.error("journal.unreadable-entry", {
            file: name,
            movedTo: unreadable,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
      return entries;
    },
  };
}

function parseEvent(text: string): S3Event {
  const event = JSON.parse(text) as S3Event;
  const object = event?.Records?.[0]?.s3?.object;
  if (typeof object?.key !== "string" || typeof object.sequencer !== "string") {
    throw new Error("not an S3 event with a key and a sequencer");
  }
  return event;
}

/** Makes the rename itself durable (a power cut could otherwise forget it); a kill alone would not. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
