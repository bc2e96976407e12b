import { UPLOAD_CORS_RULE } from "@photogate/core";

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
