import {
  DetectFacesCommand,
  DetectModerationLabelsCommand,
  InvalidParameterException,
  ProvisionedThroughputExceededException,
  RekognitionClient,
  ThrottlingException,
} from "@aws-sdk/client-rekognition";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { RekognitionError } from "../../src/errors";
import { analyseFaces } from "../../src/faces";
import { moderation, oneFace } from "../helpers";

const rekognition = mockClient(RekognitionClient);
const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0]);

const throttled = () =>
  new ThrottlingException({ message: "Rate exceeded", $metadata: { httpStatusCode: 400 } });

describe("analyseFaces", () => {
  let sleeps: number[];
  const retry = () => ({
    attempts: 5,
    baseDelayMs: 200,
    maxDelayMs: 5_000,
    random: () => 1,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  });

  beforeEach(() => {
    rekognition.reset();
    sleeps = [];
  });

  it("asks for all face attributes and moderation labels on the same bytes", async () => {
    rekognition
      .on(DetectFacesCommand)
      .resolves(oneFace())
      .on(DetectModerationLabelsCommand)
      .resolves(moderation());
    const result = await analyseFaces(new RekognitionClient({}), jpeg, retry());
    expect(result.faces).toHaveLength(1);
    expect(rekognition.commandCalls(DetectFacesCommand)[0]!.args[0].input).toEqual({
      Image: { Bytes: jpeg },
      Attributes: ["ALL"],
    });
    expect(rekognition.commandCalls(DetectModerationLabelsCommand)[0]!.args[0].input.Image?.Bytes).toBe(jpeg);
  });

  it("retries throttling with growing backoff, then succeeds", async () => {
    rekognition
      .on(DetectFacesCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(new ProvisionedThroughputExceededException({ message: "slow down", $metadata: {} }))
      .resolves(oneFace())
      .on(DetectModerationLabelsCommand)
      .resolves(moderation());
    const result = await analyseFaces(new RekognitionClient({}), jpeg, retry());
    expect(result.faces[0]?.Confidence).toBe(99.99);
    expect(rekognition.commandCalls(DetectFacesCommand)).toHaveLength(3);
    expect(sleeps).toEqual([200, 400]);
  });

  it("gives up after the configured attempts with a RekognitionError naming the operation", async () => {
    rekognition
      .on(DetectFacesCommand)
      .resolves(oneFace())
      .on(DetectModerationLabelsCommand)
      .rejects(throttled());
    const error = await analyseFaces(new RekognitionClient({}), jpeg, retry()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RekognitionError);
    expect(error).toMatchObject({ code: "REKOGNITION_FAILED" });
    expect((error as Error).message).toMatch(/DetectModerationLabels.*ThrottlingException/);
    expect(rekognition.commandCalls(DetectModerationLabelsCommand)).toHaveLength(5);
  });

  it("does not retry a request Rekognition refuses outright", async () => {
    rekognition
      .on(DetectFacesCommand)
      .rejects(new InvalidParameterException({ message: "Request has invalid parameters", $metadata: {} }))
      .on(DetectModerationLabelsCommand)
      .resolves(moderation());
    await expect(analyseFaces(new RekognitionClient({}), jpeg, retry())).rejects.toBeInstanceOf(
      RekognitionError,
    );
    expect(rekognition.commandCalls(DetectFacesCommand)).toHaveLength(1);
  });
});
