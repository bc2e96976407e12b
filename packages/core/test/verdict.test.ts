import { describe, expect, it } from "vitest";
import {
  ReprocessRequest,
  sharedCopyKey,
  VerdictDocument,
  type VersionedPhotoRecord,
  verdictFromRecord,
} from "../src/verdict";

const OWNER = "6f1c2b9e-3a4d-4e5f-8a7b-9c0d1e2f3a4b";
const PHOTO = "0b6e8f3a-2c1d-4e7f-9a8b-7c6d5e4f3a2b";
const prefix = `photos/${OWNER}/${PHOTO}/`;

function record(change: Partial<VersionedPhotoRecord> = {}): VersionedPhotoRecord {
  return {
    owner: OWNER,
    photoId: PHOTO,
    uploadKey: `uploads/${OWNER}/${PHOTO}.jpg`,
    status: "approved",
    reasons: [],
    bytes: 1000,
    thumbnails: [{ key: `${prefix}thumb-128.webp`, size: 128, width: 128, height: 128, bytes: 10 }],
    display: { key: `${prefix}display.webp`, width: 900, height: 1200, bytes: 100 },
    moderationLabels: [],
    createdAt: "2025-03-14T09:27:10.000Z",
    processedAt: "2025-03-14T09:27:11.000Z",
    attempts: 1,
    sourceETag: "e",
    sourceSequencer: "0".repeat(32),
    verdictVersion: 4,
    ...change,
  };
}

describe("verdictFromRecord", () => {
  it("names the shared/ copies only for an approved photo", () => {
    const approved = verdictFromRecord(record());
    expect(approved.shared).toEqual({
      display: { key: `shared/${OWNER}/${PHOTO}/display.webp`, width: 900, height: 1200, bytes: 100 },
      thumbnails: [
        { key: `shared/${OWNER}/${PHOTO}/thumb-128.webp`, size: 128, width: 128, height: 128, bytes: 10 },
      ],
    });
    expect(verdictFromRecord(record({ status: "rejected" })).shared).toBeUndefined();
  });

  it("carries the record's version; approved and rejected are always final", () => {
    expect(verdictFromRecord(record(), { final: false })).toMatchObject({ version: 4, final: true });
    const failed = record({ status: "failed", failure: { code: "X", message: "y" } });
    expect(verdictFromRecord(failed, { final: false })).toMatchObject({ status: "failed", final: false });
    expect(verdictFromRecord(failed).final).toBe(true);
  });

  it("refuses records that are not finished", () => {
    expect(() => verdictFromRecord(record({ status: "processing" }))).toThrow();
    expect(() => verdictFromRecord(record({ status: "pending" }))).toThrow();
  });

  it("produces a document its own schema accepts, and the schema refuses a version of 0", () => {
    const doc = verdictFromRecord(record());
    expect(VerdictDocument.parse(JSON.parse(JSON.stringify(doc)))).toEqual(doc);
    expect(VerdictDocument.safeParse({ ...doc, version: 0 }).success).toBe(false);
  });
});

describe("sharedCopyKey", () => {
  it("maps photos/ to shared/ and refuses anything else", () => {
    expect(sharedCopyKey(`${prefix}thumb-128.webp`)).toBe(`shared/${OWNER}/${PHOTO}/thumb-128.webp`);
    expect(() => sharedCopyKey(`uploads/${OWNER}/${PHOTO}.jpg`)).toThrow(/Only derived images/);
  });
});

describe("ReprocessRequest", () => {
  it("accepts exactly the action and two lower-case UUIDs", () => {
    expect(ReprocessRequest.parse({ action: "reprocess", owner: OWNER, photoId: PHOTO })).toEqual({
      action: "reprocess",
      owner: OWNER,
      photoId: PHOTO,
    });
    for (const bad of [
      { action: "reprocess", owner: OWNER },
      { action: "reprocess", owner: OWNER.toUpperCase(), photoId: PHOTO },
      { action: "approve", owner: OWNER, photoId: PHOTO },
      { action: "reprocess", owner: OWNER, photoId: PHOTO, force: true },
    ]) {
      expect(ReprocessRequest.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
