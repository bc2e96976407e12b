import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import {
  identityPoolCredentialProvider,
  type PhotoTransport,
  uploadPhoto,
  type WaitForVerdictOptions,
  waitForVerdict as waitForVerdictDocument,
  withCredentialRefresh,
} from "@photogate/client";
import type { UploadExtension, VerdictDocument } from "@photogate/core";
import type { DevStackEndpoints } from "./endpoints";

/** Static credentials or a provider (e.g. identity-pool credentials that refresh). */
export type Credentials = NonNullable<S3ClientConfig["credentials"]>;

export interface PhotoUpload {
  owner: string;
  photoId: string;
  extension: UploadExtension;
  body: Uint8Array;
}

/** PUT through the edge (CloudFront locally: the real edge handler) with a user's access token. */
export async function uploadThroughEdge(
  edgeUrl: string,
  accessToken: string,
  photo: PhotoUpload,
): Promise<string> {
  return (await uploadPhoto({ kind: "cloudfront", baseUrl: edgeUrl, accessToken }, photo)).key;
}

/** PutObject straight to S3 with identity-pool credentials (confined to the owner's prefix by IAM). */
export async function uploadDirect(
  s3: { url: string; region: string; bucket: string },
  credentials: Credentials,
  photo: PhotoUpload,
): Promise<string> {
  const client = localS3Client(s3.url, s3.region, credentials);
  try {
    return (await uploadPhoto({ kind: "s3", s3: client, bucket: s3.bucket }, photo)).key;
  } finally {
    client.destroy();
  }
}

/**
 * An S3 client for the local gateway (path-style; checksums only when S3 requires them). With a
 * credential provider, credentials the gateway no longer honours (a restart forgets every
 * session) are fetched anew once per request.
 */
export function localS3Client(url: string, region: string, credentials: Credentials): S3Client {
  const client = new S3Client({
    endpoint: url,
    region,
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  return typeof credentials === "function" ? withCredentialRefresh(client) : client;
}

/** A signed-in user's identity-pool credentials from the local stack's identity endpoint (they refresh). */
export function localIdentityPoolCredentials(
  endpoints: Pick<DevStackEndpoints, "urls" | "region" | "identityPoolId" | "userPool">,
  idToken: () => string | Promise<string>,
): Credentials {
  return identityPoolCredentialProvider({
    clientConfig: { endpoint: endpoints.urls.cognitoIdentity, region: endpoints.region },
    identityPoolId: endpoints.identityPoolId,
    userPoolProvider: endpoints.userPool.providerName,
    idToken,
  });
}

/** How to read status.json: through the edge with the access token, or S3 with identity-pool credentials. */
export type VerdictSource =
  | { edgeUrl: string; accessToken: string }
  | { s3: { url: string; region: string; bucket: string }; credentials: Credentials };

/**
 * Waits for the verdict document the processor writes last (`@photogate/client`'s
 * waitForVerdict): what any client of photogate does, instead of reading DynamoDB.
 */
export async function waitForVerdict(
  owner: string,
  photoId: string,
  source: VerdictSource,
  options: WaitForVerdictOptions = {},
): Promise<VerdictDocument> {
  if ("edgeUrl" in source) {
    const transport: PhotoTransport = {
      kind: "cloudfront",
      baseUrl: source.edgeUrl,
      accessToken: source.accessToken,
    };
    return waitForVerdictDocument(transport, owner, photoId, options);
  }
  const client = localS3Client(source.s3.url, source.s3.region, source.credentials);
  try {
    return await waitForVerdictDocument(
      { kind: "s3", s3: client, bucket: source.s3.bucket },
      owner,
      photoId,
      options,
    );
  } finally {
    client.destroy();
  }
}
