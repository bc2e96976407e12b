import { Rekognition } from "@aws-sdk/client-rekognition";

/**
 * An AWS SDK Rekognition client aimed at a local endpoint. The endpoint does not authenticate,
 * but the SDK signs every request, so it gets placeholder credentials. The aggregated client
 * takes both `send(new DetectFacesCommand(...))` and `detectFaces(...)`.
 */
export function localRekognitionClient(url: string): Rekognition {
  return new Rekognition({
    region: "us-east-1",
    endpoint: url,
    credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local-secret" },
    maxAttempts: 1,
  });
}
