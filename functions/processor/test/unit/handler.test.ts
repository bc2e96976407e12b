import {
  AccessDeniedException,
  DetectFacesCommand,
  DetectModerationLabelsCommand,
} from "@aws-sdk/client-rekognition";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ConfigError, defaultProcessing } from "@photogate/core";
import type { S3Event } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type ProcessorHarness, processorHarness } from "../harness";
import { fixture, moderation, OWNER, PHOTO_ID, photoJpeg, putEvent } from "../helpers";

async function loadHandler() {
  vi.resetModules();
  return (await import("../../src/handler")).handler;
}

describe("handler", () => {
  let harness: ProcessorHarness;
  beforeEach(() => {
    harness = processorHarness();
    vi.stubEnv("PHOTOGATE_PHOTO_TABLE", "photogate-dev-photos-table");
    vi.stubEnv("PHOTOGATE_PROCESSING", JSON.stringify(defaultProcessing));
    vi.stubEnv("PHOTOGATE_ENVIRONMENT", "dev");
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  });
  afterEach(() => {
    harness.restore();
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it("fails the cold start with a ConfigError naming the bad variable", async () => {
    vi.stubEnv("PHOTOGATE_PROCESSING", JSON.stringify({ ...defaultProcessing, thumbnailSizes: [] }));
    // resetModules gives the handler its own copy of core, so match the error by name and code.
    const error = await loadHandler().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: ConfigError.name, code: "INVALID_CONFIG" });
    expect((error as Error).message).toMatch(/PHOTOGATE_PROCESSING.*thumbnailSizes/s);
  });

  it("returns normally for the s3:TestEvent", async () => {
    const handler = await loadHandler();
    await expect(handler(fixture<S3Event>("test-event.json"))).resolves.toEqual([]);
  });

  it.each([
    ["an array", []],
    ["a string", "reprocess"],
    ["an object that is neither", { hello: "world" }],
    ["a reprocess without a photo id", { action: "reprocess", owner: OWNER }],
    ["an upper-case owner", { action: "reprocess", owner: OWNER.toUpperCase(), photoId: PHOTO_ID }],
    ["an unknown action", { action: "delete", owner: OWNER, photoId: PHOTO_ID }],
    ["an extra field", { action: "reprocess", owner: OWNER, photoId: PHOTO_ID, bucket: "x" }],
    ["a reconcile with fields", { action: "reconcile", owner: OWNER }],
  ])("refuses %s as INVALID_INVOCATION, touching nothing", async (_name, payload) => {
    const handler = await loadHandler();
    await expect(handler(payload)).rejects.toMatchObject({ code: "INVALID_INVOCATION" });
    expect([...harness.s3.calls(), ...harness.dynamo.calls(), ...harness.rekognition.calls()]).toEqual([]);
  });

  it("names the field a reprocess request gets wrong", async () => {
    const handler = await loadHandler();
    await expect(handler({ action: "reprocess", owner: OWNER })).rejects.toThrow(
      /expected string, received undefined\n\s+→ at photoId$/,
    );
  });

  it("runs the reconciler on the schedule's payload with the limits from the environment", async () => {
    vi.stubEnv("PHOTOGATE_BUCKET", "photogate-dev-photos");
    vi.stubEnv(
      "PHOTOGATE_RECONCILE",
      JSON.stringify({ olderThanSeconds: 60, maxKeysPerRun: 3, maxRedrivesPerRun: 1 }),
    );
    const { ListObjectsV2Command } = await import("@aws-sdk/client-s3");
    const { QueryCommand } = await import("@aws-sdk/lib-dynamodb");
    harness.dynamo.on(QueryCommand).resolves({ Items: [], ScannedCount: 0 });
    harness.s3.on(ListObjectsV2Command).resolves({ Contents: [], IsTruncated: false });
    const handler = await loadHandler();
    const report = await handler({ action: "reconcile" }, { getRemainingTimeInMillis: () => 60_000 });
    expect(report).toMatchObject({ listed: 0, found: [], coveredAll: true });
    // The walk asks for no more keys than the configured bound.
    const pages = harness.s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);
    expect(pages.every((p) => p.Prefix === "uploads/" && (p.MaxKeys ?? 0) <= 3)).toBe(true);
  });

  it("refuses a reprocess request for a photo that has no record", async () => {
    vi.stubEnv("PHOTOGATE_BUCKET", "photogate-dev-photos");
    const handler = await loadHandler();
    await expect(handler({ action: "reprocess", owner: OWNER, photoId: PHOTO_ID })).rejects.toMatchObject({
      code: "REPROCESS_NO_RECORD",
    });
    expect(harness.s3.calls()).toEqual([]);
  });

  it("writes to the table named in the environment", async () => {
    const handler = await loadHandler();
    harness.s3
      .on(GetObjectCommand)
      .rejects(Object.assign(new Error("The specified key does not exist."), { name: "NoSuchKey" }));
    await handler(putEvent() as unknown as S3Event);
    const tables = harness.dynamo.commandCalls(UpdateCommand).map((c) => c.args[0].input.TableName);
    expect(new Set(tables)).toEqual(new Set(["photogate-dev-photos-table"]));
    expect(harness.photos.items.get(`${OWNER}/${PHOTO_ID}`)).toMatchObject({ status: "failed" });
  });

  it("throws so Lambda retries when Rekognition refuses permanently", async () => {
    const handler = await loadHandler();
    const body = await photoJpeg(600, 800);
    harness.s3.on(GetObjectCommand).resolves({
      ETag: '"9b2cf535f27731c974343645a3985328"',
      Body: { transformToByteArray: async () => new Uint8Array(body) } as never,
    });
    harness.rekognition
      .on(DetectFacesCommand)
      .rejects(new AccessDeniedException({ message: "not authorised", $metadata: { httpStatusCode: 403 } }))
      .on(DetectModerationLabelsCommand)
      .resolves(moderation());
    await expect(handler(putEvent({ size: body.length }) as unknown as S3Event)).rejects.toMatchObject({
      code: "REKOGNITION_FAILED",
    });
    expect(harness.photos.items.get(`${OWNER}/${PHOTO_ID}`)).toMatchObject({
      status: "failed",
      failure: { code: "REKOGNITION_FAILED" },
    });
  });
});
