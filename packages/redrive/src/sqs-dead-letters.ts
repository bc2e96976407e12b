import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  type QueueAttributeName,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { describeDeadLetterPayload } from "./dead-letter-payload";
import type { DeadLetterMessage, DeadLetterSource } from "./redrive";

export interface SqsDeadLettersOptions {
  /** How long a taken message stays hidden from other consumers; covers its replay. Default 300 s. */
  visibilityTimeoutSeconds?: number;
  /** Long polling on each receive, so an almost empty queue still answers what it holds. Default 1 s. */
  waitTimeSeconds?: number;
}

/** SQS returns at most 10 messages per ReceiveMessage. */
const SQS_BATCH = 10;

/**
 * The processor's DLQ on AWS: the on-failure destination of its asynchronous invocations, so each
 * body is a Lambda invocation record whose `requestPayload` is the original event. A message is
 * deleted only after its replay succeeded; the others are made visible again when the run ends.
 */
export function sqsDeadLetters(
  queueUrl: string,
  client: SQSClient = new SQSClient({}),
  options: SqsDeadLettersOptions = {},
): DeadLetterSource {
  const visibility = options.visibilityTimeoutSeconds ?? 300;
  const wait = options.waitTimeSeconds ?? 1;
  const taken = new Set<string>();
  const held = new Map<string, string>(); // message id → receipt handle, until removed or released

  const receiveBatch = async (max: number, visibilityTimeout: number, seen: Set<string>) => {
    const out = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(SQS_BATCH, max),
        VisibilityTimeout: visibilityTimeout,
        WaitTimeSeconds: wait,
        MessageSystemAttributeNames: ["SentTimestamp"],
      }),
    );
    const fresh: DeadLetterMessage[] = [];
    for (const raw of out.Messages ?? []) {
      if (!raw.MessageId || !raw.ReceiptHandle) continue;
      held.set(raw.MessageId, raw.ReceiptHandle);
      // A message seen earlier in this run came back (its visibility ran out): never replay it twice.
      if (seen.has(raw.MessageId)) continue;
      seen.add(raw.MessageId);
      fresh.push(parseDeadLetterMessage(raw));
    }
    return { fresh, got: out.Messages?.length ?? 0 };
  };

  const take = async (max: number, visibilityTimeout: number, seen: Set<string>) => {
    const messages: DeadLetterMessage[] = [];
    while (messages.length < max) {
      const { fresh, got } = await receiveBatch(max - messages.length, visibilityTimeout, seen);
      messages.push(...fresh);
      if (got === 0 || fresh.length === 0) break;
    }
    return messages;
  };

  const release = async () => {
    const handles = [...held.entries()];
    held.clear();
    await Promise.all(
      handles.map(([, ReceiptHandle]) =>
        client.send(
          new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle, VisibilityTimeout: 0 }),
        ),
      ),
    );
  };

  return {
    async peek(max) {
      // Hidden for a few seconds while listed, then visible again at once.
      try {
        return await take(max, 30, new Set());
      } finally {
        await release();
      }
    },
    receive: (max) => take(Math.min(max, SQS_BATCH), visibility, taken),
    async remove(message) {
      const ReceiptHandle = held.get(message.id);
      if (!ReceiptHandle) throw new Error(`message ${message.id} is not held by this run`);
      await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle }));
      held.delete(message.id);
    },
    release,
    async count() {
      const out = await client.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }),
      );
      const attribute = (name: QueueAttributeName) => Number(out.Attributes?.[name] ?? 0) || 0;
      return attribute("ApproximateNumberOfMessages") + attribute("ApproximateNumberOfMessagesNotVisible");
    },
  };
}

interface InvocationRecord {
  timestamp?: unknown;
  requestContext?: { condition?: unknown; approximateInvokeCount?: unknown };
  requestPayload?: unknown;
  responseContext?: { functionError?: unknown };
  responsePayload?: { errorMessage?: unknown; errorType?: unknown } | null;
}

/** Reads a Lambda invocation record; an unreadable body becomes a message that is kept and reported. */
export function parseDeadLetterMessage(raw: Message): DeadLetterMessage {
  const id = raw.MessageId ?? "(no id)";
  const sent = Number(raw.Attributes?.SentTimestamp);
  const sentAt = Number.isFinite(sent) ? new Date(sent).toISOString() : "";
  let record: InvocationRecord;
  try {
    record = JSON.parse(raw.Body ?? "") as InvocationRecord;
    if (typeof record !== "object" || record === null || !("requestPayload" in record)) {
      throw new Error("no requestPayload");
    }
  } catch (error) {
    const why = `not a Lambda invocation record (${(error as Error).message})`;
    return {
      id,
      key: "(unreadable message)",
      failedAt: sentAt,
      error: why,
      payload: undefined,
      unreadable: why,
    };
  }
  return {
    id,
    ...describeDeadLetterPayload(record.requestPayload),
    failedAt: typeof record.timestamp === "string" ? record.timestamp : sentAt,
    error: lastError(record),
    payload: record.requestPayload,
  };
}

function lastError(record: InvocationRecord): string {
  const response = record.responsePayload;
  const message = typeof response?.errorMessage === "string" ? response.errorMessage : undefined;
  const type = typeof response?.errorType === "string" ? response.errorType : undefined;
  const condition =
    typeof record.requestContext?.condition === "string" ? record.requestContext.condition : "";
  if (message) return type ? `${type}: ${message}` : message;
  return condition || "failed (no error recorded)";
}
