import { RekognitionClient } from "@aws-sdk/client-rekognition";

/** A real SDK client aimed at the local endpoint; the endpoint accepts any credentials. */
export function localClient(url: string): RekognitionClient {
  return new RekognitionClient({
    region: "us-east-1",
    endpoint: url,
    credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local-secret" },
    maxAttempts: 1,
  });
}
