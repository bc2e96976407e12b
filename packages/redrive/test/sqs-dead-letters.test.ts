import { readFileSync } from "node:fs";
import { join } from "node:path";
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from "@aws-sdk/client-lambda";
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import {
  lambdaReplay,
  parseDeadLetterMessage,
  ReplayFailedError,
  redriveDeadLetters,
  sqsDeadLetters,
} from "../src";

const QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/photogate-dev-processor-dlq";
const fixtures = join(import.meta.dirname, "fixtures");
/** What Lambda's on-failure destination puts in the message body (an invocation record). */
const recordText = readFileSync(join(fixtures, "dlq-invocation-record.json"), "utf8");
const putEvent = JSON.parse(readFileSync(join(fixtures, "put-upload.json"), "utf8"));
const UPLOAD_KEY = "uploads/3f1c9a52-7d4e-4b8a-9c2f-5e6d7a8b9c0d/a1b2c3d4-e5f6-4789-8abc-def012345678.jpg";

const message = (id: string, body = recordText): Message => ({
  MessageId: id,
  ReceiptHandle: `handle-${id}`,
  Body: body,
  Attributes: { SentTimestamp: "1741944662200" },
});

/** Lambda's response payload (the SDK types it as a blob adapter; the bytes are what matter). */
const payload = (text: string) => new TextEncoder().encode(text) as InvokeCommandOutput["Payload"];

const sqs = mockClient(SQSClient);
const lambda = mockClient(LambdaClient);

beforeEach(() => {
  sqs.reset();
  lambda.reset();
  sqs.on(GetQueueAttributesCommand).resolves({
    Attributes: { ApproximateNumberOfMessages: "1", ApproximateNumberOfMessagesNotVisible: "0" },
  });
});

describe("parseDeadLetterMessage", () => {
  it("reads the original S3 event, the upload key, the time and the last error from the invocation record", () => {
    const parsed = parseDeadLetterMessage(message("m1"));
    expect(parsed.payload).toEqual(putEvent);
    expect(parsed).toMatchObject({
      id: "m1",
      bucket: "photogate-dev-photos",
      key: UPLOAD_KEY,
      failedAt: "2025-03-14T09:31:02.118Z",
      error:
        "ProvisionedThroughputExceededException: The level of configured provisioned throughput for the table was exceeded.",
    });
    expect(parsed.unreadable).toBeUndefined();
  });

  it("keeps a body that is not an invocation record as unreadable, dated by SentTimestamp", () => {
    const parsed = parseDeadLetterMessage(message("m2", "hello"));
    expect(parsed.unreadable).toMatch(/not a Lambda invocation record/);
    expect(parsed.failedAt).toBe(new Date(1741944662200).toISOString());
  });
});

describe("sqsDeadLetters + lambdaReplay", () => {
  it("deletes a message only after its RequestResponse replay succeeded", async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message("m1")] })
      .resolves({ Messages: [] });
    sqs.on(DeleteMessageCommand).resolves({});
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload("[]") });

    const summary = await redriveDeadLetters(
      sqsDeadLetters(QUEUE, new SQSClient({ region: "eu-west-1" })),
      lambdaReplay("photogate-dev-processor", new LambdaClient({ region: "eu-west-1" })),
      { max: 10 },
    );

    expect(summary.replayed).toBe(1);
    const invoke = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(invoke.InvocationType).toBe("RequestResponse");
    expect(invoke.FunctionName).toBe("photogate-dev-processor");
    expect(JSON.parse(new TextDecoder().decode(invoke.Payload as Uint8Array))).toEqual(putEvent);
    expect(sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: QUEUE, ReceiptHandle: "handle-m1" },
    ]);
    // Received with a visibility timeout that covers the replay.
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input.VisibilityTimeout).toBe(300);
  });

  it("counts a FunctionError as a failure: not deleted, visible again, the error reported", async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message("m1")] })
      .resolves({ Messages: [] });
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: "Unhandled",
      Payload: payload(JSON.stringify({ errorType: "Error", errorMessage: "table is gone" })),
    });

    const summary = await redriveDeadLetters(
      sqsDeadLetters(QUEUE, new SQSClient({ region: "eu-west-1" })),
      lambdaReplay("photogate-dev-processor", new LambdaClient({ region: "eu-west-1" })),
      { max: 10 },
    );

    expect(summary.replayed).toBe(0);
    expect(summary.failed).toEqual([
      {
        id: "m1",
        key: UPLOAD_KEY,
        error: "photogate-dev-processor failed (Unhandled): Error: table is gone",
      },
    ]);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: QUEUE, ReceiptHandle: "handle-m1", VisibilityTimeout: 0 },
    ]);
    expect(summary.remaining).toBe(1);
  });

  it("never replays a message twice in a run when SQS hands it out again", async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message("m1")] })
      .resolvesOnce({ Messages: [{ ...message("m1"), ReceiptHandle: "handle-m1-again" }] })
      .resolves({ Messages: [] });
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: "Unhandled" });

    const summary = await redriveDeadLetters(
      sqsDeadLetters(QUEUE, new SQSClient({ region: "eu-west-1" })),
      lambdaReplay("fn", new LambdaClient({ region: "eu-west-1" })),
      { max: 10 },
    );
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
    expect(summary.failed).toHaveLength(1);
    // The newest receipt handle is the one that can change its visibility.
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]!.args[0].input.ReceiptHandle).toBe(
      "handle-m1-again",
    );
  });

  it("a dry run makes what it listed visible again and deletes nothing", async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message("m1"), message("m2")] })
      .resolves({ Messages: [] });
    sqs.on(ChangeMessageVisibilityCommand).resolves({});

    const summary = await redriveDeadLetters(
      sqsDeadLetters(QUEUE, new SQSClient({ region: "eu-west-1" })),
      async () => {
        throw new Error("a dry run must not replay");
      },
      { max: 10, dryRun: true },
    );
    expect(summary.results.map((r) => [r.id, r.outcome])).toEqual([
      ["m1", "would-replay"],
      ["m2", "would-replay"],
    ]);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(
      sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input.VisibilityTimeout),
    ).toEqual([0, 0]);
  });

  it("asks SQS for at most 10 and at most max", async () => {
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
    await redriveDeadLetters(sqsDeadLetters(QUEUE, new SQSClient({ region: "eu-west-1" })), async () => {}, {
      max: 3,
    });
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input.MaxNumberOfMessages).toBe(3);
  });

  it("ReplayFailedError carries a stable code", () => {
    expect(new ReplayFailedError("fn", "Unhandled", "x").code).toBe("REPLAY_FAILED");
  });
});
