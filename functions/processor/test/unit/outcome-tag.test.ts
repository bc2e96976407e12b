import { AccessDeniedException, DetectFacesCommand } from "@aws-sdk/client-rekognition";
import { PutObjectTaggingCommand } from "@aws-sdk/client-s3";
import { UPLOAD_OUTCOME_TAG } from "@photogate/core";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { processS3Event } from "../../src/process-upload";
import { type ProcessorHarness, processorHarness } from "../harness";
import { faces, OWNER, photoJpeg } from "../helpers";

const lifecycle = { rejectedOriginalDays: 30, abandonedUploadDays: 7 };
const photoId = (n: number) => `${String(n).padStart(8, "0")}-aaaa-4789-8abc-def012345678`;
const keyOf = (id: string) => `uploads/${OWNER}/${id}.jpg`;

describe("the upload's outcome tag and original expiry", () => {
  let harness: ProcessorHarness;
  let portrait: Buffer;
  beforeAll(async () => {
    portrait = await photoJpeg(600, 800);
  });
  beforeEach(() => {
    harness = processorHarness();
  });
  afterEach(() => harness.restore());

  const deps = () => ({ ...harness.deps, operations: { storageLifecycle: lifecycle } });
  const tagOf = (id: string) => harness.bucket.objects.get(keyOf(id))?.tags?.[UPLOAD_OUTCOME_TAG];

  it("tags an approved original approved, with no expiry on the record", async () => {
    const [outcome] = await processS3Event(harness.upload(portrait, photoId(1)), deps());
    expect(outcome?.outcome).toBe("approved");
    expect(tagOf(photoId(1))).toBe("approved");
    expect(outcome?.outcome === "approved" && outcome.record.originalExpiresAt).toBeFalsy();
  });

  it("tags a rejected original rejected, expiring rejectedOriginalDays after the upload at midnight UTC", async () => {
    harness.rekognition.on(DetectFacesCommand).resolves(faces());
    const event = harness.upload(portrait, photoId(2));
    // The fixture's event time: 2025-03-14T09:27:10Z (the mock bucket gives no Last-Modified).
    const [outcome] = await processS3Event(event, deps());
    expect(outcome?.outcome).toBe("rejected");
    expect(tagOf(photoId(2))).toBe("rejected");
    // 2025-03-14T09:27:10Z + 30 days = 2025-04-13T09:27:10Z, rounded up to the next midnight.
    expect(outcome?.outcome === "rejected" && outcome.record.originalExpiresAt).toBe(
      "2025-04-14T00:00:00.000Z",
    );
  });

  it("tags failed only when the failure is final, with abandonedUploadDays", async () => {
    harness.rekognition
      .on(DetectFacesCommand)
      .rejects(new AccessDeniedException({ message: "no", $metadata: {} }));
    const event = harness.upload(portrait, photoId(3));
    const config = { ...harness.deps.config, maxAttempts: 2 };
    await expect(processS3Event(event, { ...deps(), config })).rejects.toThrow();
    expect(tagOf(photoId(3))).toBeUndefined();
    expect(harness.photos.items.get(`${OWNER}/${photoId(3)}`)?.originalExpiresAt).toBeUndefined();
    await expect(processS3Event(event, { ...deps(), config })).rejects.toThrow();
    expect(tagOf(photoId(3))).toBe("failed");
    expect(harness.photos.items.get(`${OWNER}/${photoId(3)}`)?.originalExpiresAt).toMatch(/T00:00:00\.000Z$/);
  });

  it("keeps the verdict when tagging fails (logged; the original is then kept, not deleted early)", async () => {
    harness.s3.on(PutObjectTaggingCommand).rejects(new Error("AccessDenied"));
    const [outcome] = await processS3Event(harness.upload(portrait, photoId(4)), deps());
    expect(outcome?.outcome).toBe("approved");
    expect(harness.logs.entries.some((e) => e.event === "upload.tag-failed")).toBe(true);
  });
});
