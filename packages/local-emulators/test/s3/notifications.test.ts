import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { createLogger } from "@photogate/core";
import type { S3Event } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createS3Notifications, type DeadLetter, encodeS3EventKey } from "../../src/s3/notifications";
import { type S3Server, startS3Server } from "../../src/s3/s3-server";
import {
  bucket,
  gate,
  objectEvent,
  ownerA,
  photoId,
  recordingNotifications,
  region,
  s3Client,
  tempDir,
} from "./support";

/** S3 event keys are URL-encoded with `+` for a space (the documented encoding, not the processor's code). */
const decodeS3Key = (key: string) => decodeURIComponent(key.replace(/\+/g, " "));

const md5 = (body: string | Buffer) => createHash("md5").update(body).digest("hex");

describe("notifications from s3rver writes", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: S3Server;
  let s3: S3Client;
  let delivered: S3Event[];
  let notifications: ReturnType<typeof createS3Notifications>;

  beforeAll(async () => {
    dir = await tempDir();
    server = await startS3Server({ dataDir: dir.path, buckets: [{ name: bucket }], silent: true });
    s3 = s3Client(server.url, { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" });
    ({ notifications, delivered } = recordingNotifications(server, dir.path));
  });
  afterAll(async () => {
    s3.destroy();
    await server.close();
    await dir.remove();
  });
  beforeEach(() => {
    delivered.length = 0;
  });

  const put = async (key: string, body: string) => {
    const response = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    await notifications.idle();
    return response;
  };

  it("shapes a PutObject like S3: form-encoded key, ARN, size, unquoted ETag, hex sequencer", async () => {
    const key = `uploads/${ownerA}/été photo (1) 📷.jpg`;
    const body = "not really a jpeg, but bytes";
    const response = await put(key, body);

    expect(delivered).toHaveLength(1);
    const record = delivered[0]!.Records[0]!;
    expect(record).toMatchObject({
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: region,
      eventName: "ObjectCreated:Put",
      requestParameters: { sourceIPAddress: "127.0.0.1" },
      s3: {
        s3SchemaVersion: "1.0",
        bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
        object: { size: Buffer.byteLength(body), eTag: md5(body) },
      },
    });
    expect(record.userIdentity.principalId).toMatch(/^AWS:/);
    expect(record.s3.bucket.ownerIdentity.principalId).not.toBe("");
    expect(record.s3.configurationId).not.toBe("");
    expect(new Date(record.eventTime).toISOString()).toBe(record.eventTime);
    // The key is encoded as S3 encodes it: `+` for spaces, no raw unicode, `/` kept.
    expect(record.s3.object.key).toBe(`uploads/${ownerA}/%C3%A9t%C3%A9+photo+%281%29+%F0%9F%93%B7.jpg`);
    expect(decodeS3Key(record.s3.object.key)).toBe(key);
    expect(`"${record.s3.object.eTag}"`).toBe(response.ETag);
    expect(record.s3.object.sequencer).toMatch(/^[0-9A-F]{18}$/);
  });

  // That the processor accepts these events is tested with the processor (its integration tests).
  it("gives every write a larger sequencer", async () => {
    const key = `uploads/${ownerA}/${photoId}.jpg`;
    await put(key, "first");
    await put(key, "second");
    await put(key, "third");

    const sequencers = delivered.map((e) => e.Records[0]!.s3.object.sequencer);
    expect(new Set(sequencers).size).toBe(3);
    expect([...sequencers].sort()).toEqual(sequencers);
    expect(delivered[2]!.Records[0]!.s3.object).toMatchObject({ key, size: 5, eTag: md5("third") });
  });

  it("notifies only for object creation under uploads/", async () => {
    await put(`photos/${ownerA}/${photoId}/display.webp`, "derivative");
    await put(`shared/${ownerA}/${photoId}/display.webp`, "copy");
    await put("uploads", "no slash: not under the prefix");
    const key = `uploads/${ownerA}/${photoId}.png`;
    await put(key, "upload");
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    await notifications.idle();

    expect(delivered.map((e) => [e.Records[0]!.eventName, decodeS3Key(e.Records[0]!.s3.object.key)])).toEqual(
      [["ObjectCreated:Put", key]],
    );
  });

  it("names copies and completed multipart uploads as S3 does, with their ETag", async () => {
    const source = `photos/${ownerA}/${photoId}/display.webp`;
    await put(source, "source bytes");
    const copyKey = `uploads/${ownerA}/${photoId}.webp`;
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: copyKey, CopySource: `${bucket}/${source}` }));

    const multipartKey = `uploads/${ownerA}/${photoId}.heic`;
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: multipartKey }),
    );
    const part = await s3.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: multipartKey,
        UploadId,
        PartNumber: 1,
        Body: "only part",
      }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: multipartKey,
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    await notifications.idle();

    expect(delivered.map((e) => e.Records[0]!.eventName)).toEqual([
      "ObjectCreated:Copy",
      "ObjectCreated:CompleteMultipartUpload",
    ]);
    expect(delivered[0]!.Records[0]!.s3.object).toMatchObject({ size: 12, eTag: md5("source bytes") });
    expect(delivered[1]!.Records[0]!.s3.object).toMatchObject({ size: 9, eTag: md5("only part") });
  });

  it("keeps objects in dataDir across restarts", async () => {
    await put(`uploads/${ownerA}/${photoId}.gif`, "kept");
    const files = await readFile(
      join(server.directory, bucket, "uploads", ownerA, `${photoId}.gif._S3rver_object`),
      "utf8",
    );
    expect(files).toBe("kept");
    const again = await startS3Server({ dataDir: dir.path, buckets: [{ name: bucket }], silent: true });
    const client = s3Client(again.url, { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" });
    try {
      const object = await client.send(
        new GetObjectCommand({ Bucket: bucket, Key: `uploads/${ownerA}/${photoId}.gif` }),
      );
      expect(await object.Body?.transformToString()).toBe("kept");
    } finally {
      client.destroy();
      await again.close();
    }
  });
});

describe("delivery", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir();
    return () => dir.remove();
  });

  it("retries a failed delivery with growing backoff, then succeeds without dead-lettering", async () => {
    const attempts: number[] = [];
    const delays: number[] = [];
    const logged: string[] = [];
    const notifications = createS3Notifications({
      region,
      dataDir: dir.path,
      baseDelayMs: 100,
      sleep: async (ms) => {
        delays.push(ms);
      },
      logger: createLogger((entry) => logged.push(entry.event)),
      deliver: () => {
        attempts.push(attempts.length + 1);
        if (attempts.length < 3) throw new Error(`transient failure ${attempts.length}`);
      },
    });
    notifications.accept(objectEvent(1));
    await notifications.idle();

    expect(attempts).toEqual([1, 2, 3]);
    expect(delays).toEqual([100, 200]);
    expect(logged).toEqual([
      "notification.queued",
      "notification.retry",
      "notification.retry",
      "notification.delivered",
    ]);
    await expect(readFile(notifications.deadLetterFile)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("appends the event and the error to dlq.jsonl when every attempt fails", async () => {
    let attempts = 0;
    const notifications = createS3Notifications({
      region,
      dataDir: dir.path,
      retries: 1,
      sleep: async () => {},
      deliver: () => {
        attempts++;
        throw Object.assign(new Error("DynamoDB is down"), { code: "SERVICE_DOWN" });
      },
    });
    const [first, second] = await Promise.all([
      notifications.accept(objectEvent(1)),
      notifications.accept(objectEvent(2)),
    ]);
    await notifications.idle();

    expect(attempts).toBe(4);
    expect(notifications.deadLetterFile).toBe(join(dir.path, "dlq.jsonl"));
    const lines = (await readFile(notifications.deadLetterFile, "utf8")).trim().split("\n");
    const letters = lines.map((line) => JSON.parse(line) as DeadLetter);
    expect(
      letters
        .map((l) => l.event)
        .sort((a, b) => (a.Records[0]!.s3.object.key < b.Records[0]!.s3.object.key ? -1 : 1)),
    ).toEqual([first, second]);
    for (const letter of letters) {
      expect(letter).toMatchObject({
        attempts: 2,
        error: { name: "Error", message: "DynamoDB is down", code: "SERVICE_DOWN" },
      });
      expect(Number.isNaN(Date.parse(letter.failedAt))).toBe(false);
    }
  });

  it("keeps at most `concurrency` deliveries in flight and idle() waits for all of them", async () => {
    const release = gate();
    let inFlight = 0;
    let maxInFlight = 0;
    const finished: number[] = [];
    const notifications = createS3Notifications({
      region,
      dataDir: dir.path,
      deliver: async (event) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await release.promise;
        inFlight--;
        finished.push(event.Records[0]!.s3.object.size);
      },
    });
    await Promise.all([1, 2, 3, 4, 5].map((n) => notifications.accept(objectEvent(n))));
    let finishedWhenIdle: number[] | undefined;
    const idle = notifications.idle().then(() => {
      finishedWhenIdle = [...finished];
    });
    expect(maxInFlight).toBe(2);
    release.open();
    await idle;

    expect(maxInFlight).toBe(2);
    expect(finishedWhenIdle?.sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it("idle() resolves at once when nothing was accepted, and ignores what the configuration filters out", async () => {
    let calls = 0;
    const notifications = createS3Notifications({
      region,
      dataDir: dir.path,
      deliver: () => {
        calls++;
      },
    });
    await notifications.idle();
    expect(
      await notifications.accept({ ...objectEvent(1), eventName: "ObjectRemoved:Delete" }),
    ).toBeUndefined();
    expect(
      await notifications.accept({ ...objectEvent(1), key: `photos/${ownerA}/${photoId}/status.json` }),
    ).toBeUndefined();
    await notifications.idle();
    expect(calls).toBe(0);
  });

  it("refuses a nonsensical configuration at creation", () => {
    const deliver = () => {};
    expect(() => createS3Notifications({ region, dataDir: dir.path, deliver, concurrency: 0 })).toThrow(
      RangeError,
    );
    expect(() => createS3Notifications({ region, dataDir: dir.path, deliver, retries: -1 })).toThrow(
      RangeError,
    );
  });
});

describe("encodeS3EventKey", () => {
  it.each([
    ["uploads/a b.jpg", "uploads/a+b.jpg"],
    ["uploads/a+b.jpg", "uploads/a%2Bb.jpg"],
    ["uploads/50%.jpg", "uploads/50%25.jpg"],
    ["uploads/ü/ä.png", "uploads/%C3%BC/%C3%A4.png"],
    ["uploads/x~y!'.jpg", "uploads/x%7Ey%21%27.jpg"],
    ["uploads/a*b_c-d.e", "uploads/a*b_c-d.e"],
  ])("%s → %s, and back", (key, encoded) => {
    expect(encodeS3EventKey(key)).toBe(encoded);
    expect(decodeS3Key(encoded)).toBe(key);
  });
});
