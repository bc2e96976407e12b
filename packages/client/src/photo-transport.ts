import type { S3Client } from "@aws-sdk/client-s3";

/**
 * How an app reaches its photos, from a browser or from Node: plain `fetch` through CloudFront
 * (the edge checks the access token), or the S3 SDK with identity-pool credentials.
 */
export type PhotoTransport =
  | {
      kind: "cloudfront";
      /** The distribution's URL, e.g. `https://d111111abcdef8.cloudfront.net`. */
      baseUrl: string;
      /**
       * The user-pool **access** token (the edge refuses ID tokens), or a getter for a fresh one
       * (asked again once after a 401).
       */
      accessToken: string | (() => string | Promise<string>);
      fetch?: typeof fetch;
    }
  | {
      kind: "s3";
      /** An S3 client with identity-pool credentials (`identityPoolCredentialProvider`). */
      s3: S3Client;
      bucket: string;
    };

export async function tokenOf(token: string | (() => string | Promise<string>)): Promise<string> {
  return typeof token === "function" ? token() : token;
}

/** `{baseUrl}/{key}` without a doubled slash. */
export function objectUrl(baseUrl: string, key: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/${key}`;
}

/** `Name: message` of an SDK or fetch error, for error details. */
export function errorText(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e.name ?? "Error"}: ${e.message ?? String(error)}`;
}

/** The HTTP status an SDK error carries, 0 when no response came. */
export function sdkStatus(error: unknown): number {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
}
