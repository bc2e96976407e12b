/**
 * The bucket's CORS rule, as stacks/src/constructs/photo-storage.ts synthesizes it: browsers at
 * the upload origins may PUT, GET and HEAD with SigV4 headers (or presigned URLs) and read the
 * ETag. Kept as data here so the local bucket answers preflights the way the real one does.
 */
export const UPLOAD_CORS_RULE = {
  allowedMethods: ["PUT", "GET", "HEAD"],
  allowedHeaders: [
    "authorization",
    "content-type",
    "content-length",
    "content-md5",
    "x-amz-content-sha256",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-user-agent",
    "x-amz-checksum-crc32",
    "x-amz-sdk-checksum-algorithm",
  ],
  exposeHeaders: ["ETag"],
  maxAgeSeconds: 3000,
} as const;

/** The rule as S3's `CORSConfiguration` XML, which s3rver reads when it creates a bucket. */
export function corsConfigurationXml(allowedOrigins: readonly string[]): string {
  const r = UPLOAD_CORS_RULE;
  const tags = (tag: string, values: readonly string[]) =>
    values.map((v) => `<${tag}>${v}</${tag}>`).join("");
  return (
    "<CORSConfiguration><CORSRule>" +
    tags("AllowedOrigin", allowedOrigins) +
    tags("AllowedMethod", r.allowedMethods) +
    tags("AllowedHeader", r.allowedHeaders) +
    tags("ExposeHeader", r.exposeHeaders) +
    `<MaxAgeSeconds>${r.maxAgeSeconds}</MaxAgeSeconds>` +
    "</CORSRule></CORSConfiguration>"
  );
}
