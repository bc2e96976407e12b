import { DeleteObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { deletePhotoDerivatives, PublishError, unpublishPhoto } from "../src";

const OWNER = "0f8fad5b-d9cb-469f-a165-70867728950e";
const PHOTO = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
const s3 = mockClient(S3Client);
const deps = { s3: new S3Client({ region: "eu-west-1" }), bucket: "b" };

beforeEach(() => {
  s3.reset();
  s3.on(ListObjectsV2Command, { Prefix: `shared/${OWNER}/${PHOTO}/` }).resolves({
    Contents: [{ Key: `shared/${OWNER}/${PHOTO}/display.webp` }],
  });
  s3.on(ListObjectsV2Command, { Prefix: `photos/${OWNER}/${PHOTO}/` }).resolves({
    Contents: [
      { Key: `photos/${OWNER}/${PHOTO}/display.webp` },
      { Key: `photos/${OWNER}/${PHOTO}/status.json` },
    ],
  });
  s3.on(DeleteObjectCommand).resolves({});
});

describe("unpublishPhoto and deletePhotoDerivatives", () => {
  it("unpublishing removes the shared/ copies only", async () => {
    expect(await unpublishPhoto(deps, OWNER, PHOTO)).toEqual([`shared/${OWNER}/${PHOTO}/display.webp`]);
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(1);
  });

  it("deleting derivatives removes shared/ and photos/, never the upload", async () => {
    const deleted = await deletePhotoDerivatives(deps, OWNER, PHOTO);
    expect(deleted).toHaveLength(3);
    expect(deleted.some((key) => key.startsWith("uploads/"))).toBe(false);
  });

  it("names the key it could not remove", async () => {
    s3.on(DeleteObjectCommand).rejects(new Error("AccessDenied"));
    const attempt = unpublishPhoto(deps, OWNER, PHOTO);
    await expect(attempt).rejects.toBeInstanceOf(PublishError);
    await expect(unpublishPhoto(deps, OWNER, PHOTO)).rejects.toThrow(
      /shared\/.*display\.webp: Error: AccessDenied/,
    );
  });
});
