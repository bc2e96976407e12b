import { decodeS3Key } from "@photogate/core";
import { describe, expect, it } from "vitest";
import { padSequencer, parseS3Event, SEQUENCER_WIDTH } from "../../src/s3-event";
import { captureLogs, fixture, OWNER, PHOTO_ID, putEvent } from "../helpers";

describe("decodeS3Key", () => {
  it.each([
    ["uploads/a+b.jpg", "uploads/a b.jpg"],
    ["uploads/a%2Bb.jpg", "uploads/a+b.jpg"],
    ["uploads/%C3%A9t%C3%A9.jpg", "uploads/été.jpg"],
    ["uploads/%E6%97%A5%E6%9C%AC.png", "uploads/日本.png"],
    ["uploads/100%25.jpg", "uploads/100%.jpg"],
    ["uploads/plain.jpg", "uploads/plain.jpg"],
  ])("%s → %s", (raw, decoded) => {
    expect(decodeS3Key(raw)).toBe(decoded);
  });

  it("throws on broken percent-encoding instead of guessing", () => {
    expect(() => decodeS3Key("uploads/%E6%97.jpg")).toThrow(URIError);
  });
});

describe("padSequencer", () => {
  it("orders sequencers of different lengths the way S3 documents", () => {
    // 0x0066F2A3D2 < 0x0066F2A3D20A once the shorter is left-padded.
    const shorter = padSequencer("66F2A3D2")!;
    const longer = padSequencer("0066F2A3D20A")!;
    expect(shorter).toHaveLength(SEQUENCER_WIDTH);
    expect(shorter < longer).toBe(true);
    expect(padSequencer("0066f2a3d20a")).toBe(longer);
  });

  it("refuses non-hex and over-long sequencers", () => {
    expect(padSequencer("XYZ")).toBeUndefined();
    expect(padSequencer("F".repeat(SEQUENCER_WIDTH + 1))).toBeUndefined();
  });
});

describe("parseS3Event", () => {
  it("reads a put event's upload", () => {
    const { log } = captureLogs();
    const [upload, ...rest] = parseS3Event(fixture("put-upload.json"), log);
    expect(rest).toEqual([]);
    expect(upload).toEqual({
      bucket: "photogate-dev-photos",
      key: `uploads/${OWNER}/${PHOTO_ID}.jpg`,
      owner: OWNER,
      photoId: PHOTO_ID,
      extension: "jpg",
      size: 245760,
      eTag: "9b2cf535f27731c974343645a3985328",
      sequencer: "0066F2A3D20A1B2C3D".padStart(SEQUENCER_WIDTH, "0"),
      eventTime: "2025-03-14T09:27:10.012Z",
    });
  });

  it("decodes a URL-encoded key with + spaces and unicode, then refuses it for breaking the layout", () => {
    const { log, entries } = captureLogs();
    expect(parseS3Event(fixture("put-encoded-key.json"), log)).toEqual([]);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      level: "warn",
      event: "record.refused",
      key: `uploads/${OWNER}/holiday photo été 日本+1.jpg`,
    });
    expect(entries[0]!.message).toMatch(/photoId must be a lower-case UUID/);
  });

  it("accepts the s3:TestEvent without error or uploads", () => {
    const { log, entries } = captureLogs();
    expect(parseS3Event(fixture("test-event.json"), log)).toEqual([]);
    expect(entries.map((e) => e.event)).toEqual(["event.test"]);
  });

  it.each([{ Records: [] }, {}])("accepts an event with no records (%j)", (event) => {
    const { log, entries } = captureLogs();
    expect(parseS3Event(event, log)).toEqual([]);
    expect(entries.map((e) => e.event)).toEqual(["event.empty"]);
  });

  it("reads every create record of a multi-record event and skips the delete", () => {
    const { log, entries } = captureLogs();
    const uploads = parseS3Event(fixture("multi-record.json"), log);
    expect(uploads.map((u) => [u.owner, u.photoId, u.extension, u.size, u.eTag])).toEqual([
      [OWNER, "0c7e5a1b-2d3f-4a5b-8c6d-7e8f9a0b1c2d", "png", 512000, "5d41402abc4b2a76b9719d911017c592"],
      [
        "8d9e0f1a-2b3c-4d5e-8f6a-7b8c9d0e1f2a",
        "4f5e6d7c-8b9a-4c0d-9e1f-2a3b4c5d6e7f",
        "webp",
        9437184,
        "a3f1e6b0c2d4e8f9a1b3c5d7e9f0a2b4-2",
      ],
    ]);
    expect(entries).toMatchObject([{ event: "record.ignored", eventName: "ObjectRemoved:Delete" }]);
  });

  it("ignores a key outside uploads/ with a log line", () => {
    const { log, entries } = captureLogs();
    expect(parseS3Event(fixture("outside-uploads.json"), log)).toEqual([]);
    expect(entries).toMatchObject([
      {
        level: "warn",
        event: "record.outside-uploads",
        key: `photos/${OWNER}/${PHOTO_ID}/thumb-128.webp`,
      },
    ]);
  });

  it("refuses an upload key with an upper-case id (two spellings of one photo)", () => {
    const { log, entries } = captureLogs();
    const event = putEvent({ key: `uploads/${OWNER}/${PHOTO_ID.toUpperCase()}.jpg` });
    expect(parseS3Event(event, log)).toEqual([]);
    expect(entries[0]).toMatchObject({ event: "record.refused" });
  });

  it("refuses a record without a sequencer rather than processing it without idempotency", () => {
    const { log, entries } = captureLogs();
    const event = putEvent();
    delete event.Records[0]!.s3.object.sequencer;
    expect(parseS3Event(event, log)).toEqual([]);
    expect(entries[0]).toMatchObject({ level: "error", event: "record.malformed" });
  });

  it("strips quotes from an ETag written by an emulator", () => {
    const { log } = captureLogs();
    expect(parseS3Event(putEvent({ eTag: '"abc123"' }), log)[0]?.eTag).toBe("abc123");
  });
});
