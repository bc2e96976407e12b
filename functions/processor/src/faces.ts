import {
  DetectFacesCommand,
  DetectModerationLabelsCommand,
  type FaceDetail,
  type RekognitionClient,
  type ModerationLabel as RekognitionModerationLabel,
} from "@aws-sdk/client-rekognition";
import { isTransientAwsError, type RetryOptions, withRetry } from "@photogate/core";
import { RekognitionError } from "./errors";

export interface FaceAnalysis {
  faces: FaceDetail[];
  moderationLabels: RekognitionModerationLabel[];
}

export type RekognitionRetry = Omit<RetryOptions, "isRetryable">;

/**
 * Our one retry policy for Rekognition (the default client is built with maxAttempts 1 so the
 * SDK's retries do not multiply with these). Five tries with full jitter ride out throttling
 * bursts from concurrent processors within a few seconds.
 */
export const defaultRekognitionRetry: RekognitionRetry = { attempts: 5, baseDelayMs: 200, maxDelayMs: 5_000 };

/** What the metrics count of the calls: each retry, and each throttling answer (retried or not). */
export interface RekognitionObserver {
  retried(): void;
  throttled(): void;
}

const THROTTLING = new Set(["ThrottlingException", "ProvisionedThroughputExceededException"]);

/** Runs DetectFaces (all attributes) and DetectModerationLabels on one JPEG, concurrently. */
export async function analyseFaces(
  client: RekognitionClient,
  jpeg: Uint8Array,
  retry: RekognitionRetry = defaultRekognitionRetry,
  observer?: RekognitionObserver,
): Promise<FaceAnalysis> {
  const options: RetryOptions = {
    ...retry,
    isRetryable: isTransientAwsError,
    onRetry: () => observer?.retried(),
  };
  const observed = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      if (THROTTLING.has((error as { name?: string }).name ?? "")) observer?.throttled();
      throw error;
    }
  };
  const call = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await withRetry(() => observed(fn), options);
    } catch (error) {
      throw new RekognitionError(operation, { cause: error });
    }
  };
  const [faces, moderation] = await Promise.all([
    call("DetectFaces", () =>
      client.send(new DetectFacesCommand({ Image: { Bytes: jpeg }, Attributes: ["ALL"] })),
    ),
    call("DetectModerationLabels", () =>
      client.send(new DetectModerationLabelsCommand({ Image: { Bytes: jpeg } })),
    ),
  ]);
  return { faces: faces.FaceDetails ?? [], moderationLabels: moderation.ModerationLabels ?? [] };
}
