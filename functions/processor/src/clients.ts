import {
  CognitoIdentityProviderClient,
  type CognitoIdentityProviderClientConfig,
} from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { RekognitionClient, type RekognitionClientConfig } from "@aws-sdk/client-rekognition";
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export interface ProcessorClients {
  s3: S3Client;
  dynamo: DynamoDBDocumentClient;
  rekognition: RekognitionClient;
  /** Sets `picture` when a profile-picture upload is approved. */
  cognito: CognitoIdentityProviderClient;
}

export interface ClientOptions {
  /** Path-style S3 URLs, for S3-compatible servers (s3rver, LocalStack). */
  forcePathStyle?: boolean;
  s3?: S3ClientConfig;
  dynamo?: DynamoDBClientConfig;
  rekognition?: RekognitionClientConfig;
  cognito?: CognitoIdentityProviderClientConfig;
}

/** The clients the handler uses; tests build the same ones pointed at local endpoints. */
export function createClients(options: ClientOptions = {}): ProcessorClients {
  return {
    s3: new S3Client({
      // Flexible checksums by default break S3-compatible servers; S3 itself needs them only when required.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      forcePathStyle: options.forcePathStyle ?? false,
      ...options.s3,
    }),
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({ ...options.dynamo }), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    // Retries are ours (faces.ts, with backoff and jitter); the SDK's would multiply them.
    rekognition: new RekognitionClient({ maxAttempts: 1, ...options.rekognition }),
    cognito: new CognitoIdentityProviderClient({ ...options.cognito }),
  };
}
