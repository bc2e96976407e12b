import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { createLogger } from "@photogate/core";
import type { S3Event } from "aws-lambda";
import { beforeEach, describe, expect, it } from "vitest";
import { createEventJournal } from "../../src/s3/event-journal";
import { createS3Notifications } from "../../src/s3/notifications";
import { startS3Server } from "../../src/s3/s3-server";
import { bucket, gate, objectEvent, ownerA, photoId, region, s3Client, tempDir } from "./support";

const entriesIn = async (directory: string) =>
  (await readdir(directory)).filter((name) => name.endsWith(".json"));

describe("the pending-event journal", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir();
    return () => dir.remove();
  });

  it("has an upload's notification on disk before the upload is answered, and forgets it once delivered", async () => {
    const server = await startS3Server({ dataDir: dir.path, buckets: [{ name: bucket }] });
    const s3 = s3Client(server.url, { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" });
    const release = gate();
    const delivered: S3Event[] = [];
    const notifications = createS3Notifications({
      region,
      dataDir: dir.path,
      deliver: async (event) => {
        await release.promise;
        delivered.push(event);
      },
    });
    notifications.connect(server.events);
    try {
      const key = `uploads/${ownerA}/${photoId}.jpg`;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "jpeg" }));

      const [entry] = await entriesIn(notifications.journalDirectory);
      expect(entry).toBeDefined();
      const onDisk = JSON.parse(
        await readFile(join(notifications.journalDirectory, entry!), "utf8"),
      ) as S3Event;
      expect(onDisk.Records[0]!.s3.object.key).toBe(key);
      expect(delivered).toEqual([]);

      release.open();
      await notifications.idle();
      expect(delivered).toEqual([onDisk]);
      expect(await entriesIn(notifications.journalDirectory)).toEqual([]);
    } finally {
      s3.destroy();
      await server.close();
    }
  });

  it("forgets a dead-lettered notification only after it is in dlq.jsonl", async () => {
    const notifications = createS3Notifications({
      region,
      dataDir: dir.path,
      retries: 0,
      deliver: () => {
        throw new Error("processor down");
      },
    });
    const event = await notifications.accept(objectEvent(1));
    await notifications.idle();
    const letters = (await readFile(notifications.deadLetterFile, "utf8")).trim().split("\n");
    expect(letters.map((line) => JSON.parse(line).event)).toEqual([event]);
    expect(await entriesIn(notifications.journalDirectory)).toEqual([]);
  });

  it("redelivers on start what an earlier run left, unchanged; sets aside what it cannot read", async () => {
    const earlier = createEventJournal(dir.path);
    const left = await earlier.add({
      Records: [{ s3: { object: { key: "uploads/x/1.jpg", sequencer: "0000000000000000AA" } } }],
    } as S3Event);
    await writeFile(join(earlier.directory, "0000000000000000AB-broken.json"), "");
    await writeFile(join(earlier.directory, ".tmp-0000000000000000AC-halfway"), "{");
    const errors: string[] = [];
    const delivered: S3Event[] = [];
    const notifications = createS3Notifications({
      region,
      dataDir: dir.path,
      logger: createLogger((entry) => entry.level !== "info" && errors.push(entry.event)),
      deliver: (event) => {
        delivered.push(event);
      },
    });

    expect(await notifications.redeliverPending()).toBe(1);
    await notifications.idle();
    expect(delivered).toEqual([left.event]);
    expect(await readdir(earlier.directory)).toEqual(["unreadable"]);
    expect(await readdir(join(earlier.directory, "unreadable"))).toEqual(["0000000000000000AB-broken.json"]);
    expect(errors).toEqual(["journal.incomplete-entry-removed", "journal.unreadable-entry"]);
  });

  it("on shutdown drains up to its bound, then keeps the rest (without dead-lettering) for the next start", async () => {
    const release = gate();
    const first = createS3Notifications({
      region,
      dataDir: dir.path,
      concurrency: 1,
      deliver: async () => {
        await release.promise;
        throw new Error("the emulators are gone");
      },
    });
    const events = await Promise.all([1, 2, 3].map((n) => first.accept(objectEvent(n))));

    expect(await first.drain(20)).toEqual({ drained: 0, pending: 3 });
    release.open();
    await first.idle();
    await expect(readFile(first.deadLetterFile)).rejects.toMatchObject({ code: "ENOENT" });
    expect(await entriesIn(first.journalDirectory)).toHaveLength(3);

    const delivered: S3Event[] = [];
    const next = createS3Notifications({
      region,
      dataDir: dir.path,
      deliver: (event) => void delivered.push(event),
    });
    expect(await next.redeliverPending()).toBe(3);
    await next.idle();
    expect(delivered).toEqual(events);
    expect(await next.drain(1000)).toEqual({ drained: 0, pending: 0 });
    expect(await entriesIn(next.journalDirectory)).toEqual([]);
  });

  it("reports what it drained when the deliveries finish within the bound", async () => {
    const release = gate();
    const notifications = createS3Notifications({
      region,
      dataDir: dir.path,
      deliver: () => release.promise,
    });
    await Promise.all([1, 2].map((n) => notifications.accept(objectEvent(n))));
    const drained = notifications.drain(30_000);
    release.open();
    expect(await drained).toEqual({ drained: 2, pending: 0 });
    expect(await entriesIn(notifications.journalDirectory)).toEqual([]);
  });
});
