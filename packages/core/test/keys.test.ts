import { describe, expect, it } from "vitest";
import {
  displayKey,
  InvalidKeyError,
  parseObjectKey,
  parseUploadKey,
  sharedPrefix,
  statusKey,
  thumbnailKey,
  uploadKey,
} from "../src";

const owner = "3f0c2b1a-8d4e-4c6b-9a7f-1e2d3c4b5a69";
const photoId = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d";

describe("upload keys", () => {
  it("builds and parses uploads/{owner}/{photoId}.{ext}", () => {
    const key = uploadKey(owner, photoId, "jpg");
    expect(key).toBe(`uploads/${owner}/${photoId}.jpg`);
    expect(parseUploadKey(key)).toEqual({ owner, photoId, extension: "jpg" });
  });

  it("accepts an upper-case extension as phone cameras write it, and reports it lower-cased", () => {
    expect(parseUploadKey(`uploads/${owner}/${photoId}.JPG`).extension).toBe("jpg");
  });

  it.each([
    ["outside uploads/", `photos/${owner}/${photoId}.jpg`, "must start with"],
    ["an extra segment", `uploads/${owner}/x/${photoId}.jpg`, "uploads/{owner}"],
    ["the prefix alone", "uploads/", "uploads/{owner}"],
    ["no extension", `uploads/${owner}/${photoId}`, "extension"],
    ["an owner that is not a UUID", `uploads/alice/${photoId}.jpg`, "owner must be"],
    ["an upper-case owner", `uploads/${owner.toUpperCase()}/${photoId}.jpg`, "owner must be"],
    ["a photo id that is not a UUID", `uploads/${owner}/cat.jpg`, "photoId must be"],
    ["a photo id with traversal", `uploads/${owner}/..${photoId}.jpg`, "photoId must be"],
    ["an extension not allowed", `uploads/${owner}/${photoId}.svg`, "extension must be"],
    ["a double extension", `uploads/${owner}/${photoId}.jpg.html`, "photoId must be"],
  ])("refuses %s", (_name, key, why) => {
    expect(() => parseUploadKey(key)).toThrowError(InvalidKeyError);
    expect(() => parseUploadKey(key)).toThrowError(why);
  });

  it("refuses to build a key from ids of the wrong shape", () => {
    expect(() => uploadKey("../etc", photoId, "png")).toThrowError(/owner must be/);
  });
});

describe("derived keys", () => {
  it("puts every derived object under photos/{owner}/{photoId}/", () => {
    const prefix = `photos/${owner}/${photoId}/`;
    expect(thumbnailKey(owner, photoId, 256)).toBe(`${prefix}thumb-256.webp`);
    expect(displayKey(owner, photoId)).toBe(`${prefix}display.webp`);
    expect(statusKey(owner, photoId)).toBe(`${prefix}status.json`);
    expect(sharedPrefix(owner, photoId)).toBe(`shared/${owner}/${photoId}/`);
  });
});

describe("parseObjectKey", () => {
  it("classifies each area with its owner and photo", () => {
    expect(parseObjectKey(uploadKey(owner, photoId, "png"))).toMatchObject({
      area: "uploads",
      owner,
      photoId,
    });
    expect(parseObjectKey(thumbnailKey(owner, photoId, 128))).toEqual({
      area: "photos",
      owner,
      photoId,
      file: "thumb-128.webp",
    });
    expect(parseObjectKey(`shared/${owner}/${photoId}/display.webp`).area).toBe("shared");
  });

  it.each([
    "",
    "index.html",
    `photos/${owner}/${photoId}`,
    `photos/${owner}/${photoId}/`,
    `photos/${owner}/${photoId}/a/b.webp`,
    `photos/${owner}/${photoId}/..`,
    `photos/${owner}/${photoId}/.hidden`,
    `photos/${owner}/${photoId}/Thumb.webp`,
    `photos//${photoId}/display.webp`,
    `shared/${owner}/../display.webp`,
  ])("refuses %j", (key) => {
    expect(() => parseObjectKey(key)).toThrowError(InvalidKeyError);
  });
});
