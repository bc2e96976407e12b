import {
  CognitoIdentityProviderClient,
  type CognitoIdentityProviderClientConfig,
} from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { InvokeCommand, LambdaClient, type LambdaClientConfig } from "@aws-sdk/client-lambda";
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { awsDeadLetters } from "@photogate/redrive";
import type { DeadLetters } from "./dead-letters";
import type { ProcessorInvoker } from "./deps";

export interface AdminApiClients {
  cognito: CognitoIdentityProviderClient;
  dynamo: DynamoDBDocumentClient;
  s3: S3Client;
}

export interface ClientOptions {
  /** Path-style S3 URLs, for S3-compatible servers (s3rver, LocalStack). */
  forcePathStyle?: boolean;
  cognito?: CognitoIdentityProviderClientConfig;
  dynamo?: DynamoDBClientConfig;
  s3?: S3ClientConfig;
}

export function createClients(options: ClientOptions = {}): AdminApiClients {
  return {
    cognito: new CognitoIdentityProviderClient({ ...options.cognito }),
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({ ...options.dynamo }), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    s3: new S3Client({
      // Flexible checksums by default break S3-compatible servers; S3 itself needs them only when required.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      forcePathStyle: options.forcePathStyle ?? false,
      ...options.s3,
    }),
  };
}

/**
 * Reprocessing on AWS: an asynchronous (`Event`) invocation of the processor with the reprocess
 * payload. The API answers 202 at once; the verdict arrives in the record and status.json.
 */
export function lambdaProcessorInvoker(
  functionName: string,
  client: LambdaClient = new LambdaClient({}),
): ProcessorInvoker {
  return async (request) => {
    const result = await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: "Event",
        Payload: new TextEncoder().encode(JSON.stringify(request)),
      }),
    );
    if (result.FunctionError) throw new Error(`Invoking ${functionName} failed: ${result.FunctionError}`);
  };
}

/**
 * Redrive on AWS: the processor's DLQ (SQS) and synchronous invocations of the processor. The API
 * Gateway integration gives up after 30 s and the function after its timeout, so a request starts
 * replays for a few seconds only; what is left waits, untouched, for the next request.
 */
export function awsRedrive(queueUrl: string, functionName: string): DeadLetters {
  const { source, replay } = awsDeadLetters({ queueUrl, functionName });
  return { source, replay, budgetMs: 8_000, concurrency: 3 };
}

export type { LambdaClientConfig };
