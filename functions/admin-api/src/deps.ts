import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import type { S3Client } from "@aws-sdk/client-s3";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Logger, OperationsConfig, ReprocessRequest, VersionedPhotoRecord } from "@photogate/core";
import type { Caller } from "./auth";
import type { AdminApiConfig } from "./config";
import type { DeadLetters } from "./dead-letters";
import type { AdminApiMetrics } from "./metrics";

/** Starts the processor on a photo without waiting for it (Lambda `Event` invocation on AWS). */
export type ProcessorInvoker = (request: ReprocessRequest) => Promise<void>;

/**
 * Makes the bucket agree with an overridden record: status.json and the shared/ copies.
 * On AWS and locally this is `@photogate/publishing`'s `publishVerdict`, the processor's too.
 */
export interface VerdictPublisher {
  publishVerdict(record: VersionedPhotoRecord): Promise<unknown>;
}

export interface AdminApiDeps {
  cognito: CognitoIdentityProviderClient;
  dynamo: DynamoDBDocumentClient;
  s3: S3Client;
  config: Pick<
    AdminApiConfig,
    "photoTable" | "auditTable" | "bucket" | "userPoolId" | "presignSeconds" | "pictureBaseUrl"
  > & {
    /** The user directory (core's userTable); without it the users search walks Cognito. */
    userTable?: string | undefined;
  };
  invokeProcessor: ProcessorInvoker;
  publisher: VerdictPublisher;
  /** The processor's dead letters; without them the dead-letter routes answer NOT_SUPPORTED. */
  deadLetters?: DeadLetters;
  log: Logger;
  /** Counts 5xx answers (ServerErrors); the handler flushes once per request. */
  metrics?: AdminApiMetrics;
  /** The usage table and default limits; without them the usage routes answer NOT_SUPPORTED. */
  quota?: OperationsConfig["quota"];
  /** Clock and id source, injectable so tests can pin them. */
  now?: () => Date;
  newId?: () => string;
}

/** One request's context: who asks, under which request id, at what time. */
export interface RequestContext {
  caller: Caller;
  requestId: string;
  at: Date;
  log: Logger;
}
