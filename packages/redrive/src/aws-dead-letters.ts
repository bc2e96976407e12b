import { LambdaClient } from "@aws-sdk/client-lambda";
import { GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import { lambdaReplay } from "./lambda-replay";
import type { DeadLetterSource, Replay } from "./redrive";
import { sqsDeadLetters } from "./sqs-dead-letters";

export interface AwsDeadLetters {
  /** A fresh source per run: receipt handles belong to one run. */
  source(): DeadLetterSource;
  replay: Replay;
  destroy(): void;
}

/** The processor's DLQ and synchronous invocations of the processor, for the admin API and `pnpm redrive`. */
export function awsDeadLetters(
  target: { queueUrl: string; functionName: string },
  clients: { sqs?: SQSClient; lambda?: LambdaClient; region?: string } = {},
): AwsDeadLetters {
  const region = clients.region === undefined ? {} : { region: clients.region };
  const sqs = clients.sqs ?? new SQSClient(region);
  const lambda = clients.lambda ?? new LambdaClient(region);
  return {
    source: () => sqsDeadLetters(target.queueUrl, sqs),
    replay: lambdaReplay(target.functionName, lambda),
    destroy() {
      sqs.destroy();
      lambda.destroy();
    },
  };
}

/** The queue's URL from its name (resourceNames(env).processorDlq), in the caller's account. */
export async function queueUrlByName(name: string, region?: string): Promise<string> {
  const sqs = new SQSClient(region === undefined ? {} : { region });
  try {
    const out = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    if (!out.QueueUrl) throw new Error(`SQS returned no URL for queue ${name}`);
    return out.QueueUrl;
  } finally {
    sqs.destroy();
  }
}
