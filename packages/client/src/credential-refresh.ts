/**
 * The error names by which AWS says the signing credentials are no longer good: S3's
 * `InvalidAccessKeyId`, `ExpiredToken` and `InvalidToken`, and the JSON APIs'
 * `ExpiredTokenException` and `UnrecognizedClientException`. A plain `AccessDenied` is a
 * policy's answer, which new credentials would not change.
 */
export const STALE_CREDENTIAL_ERRORS: ReadonlySet<string> = new Set([
  "InvalidAccessKeyId",
  "ExpiredToken",
  "InvalidToken",
  "ExpiredTokenException",
  "UnrecognizedClientException",
]);

export function isStaleCredentialError(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === "string" && STALE_CREDENTIAL_ERRORS.has(name);
}

// Each client types its own handler arguments; this middleware only passes them through.
// biome-ignore lint/suspicious/noExplicitAny: the one shape every SDK client's stack accepts
type Handler = (args: any) => Promise<any>;

/** What `withCredentialRefresh` needs of an AWS SDK v3 client (S3Client, DynamoDBClient, ...). */
export interface CredentialRefreshClient {
  config: {
    /** The client's resolved provider; `forceRefresh` makes it (and a provider that honours it) fetch anew. */
    credentials: (options?: { forceRefresh?: boolean }) => Promise<{ accessKeyId: string }>;
  };
  middlewareStack: {
    add(
      middleware: (next: Handler) => Handler,
      options: { step: "initialize"; name: string; override?: boolean },
    ): void;
  };
}

/**
 * Makes an SDK client fetch new credentials once and retry the request once when AWS says its
 * credentials are stale (see STALE_CREDENTIAL_ERRORS): temporary credentials can be revoked or
 * expire early (a restarted local stack forgets every session), and the SDK alone would keep
 * signing with the cached ones until their stated expiry. Use it with a provider that honours
 * `forceRefresh`, such as `identityPoolCredentialProvider`. A streamed request body cannot be
 * sent twice; byte bodies (what `uploadPhoto` sends) can.
 */
export function withCredentialRefresh<C extends CredentialRefreshClient>(client: C): C {
  const credentials = client.config.credentials;
  client.middlewareStack.add(
    (next) => async (args) => {
      const signedWith = (await credentials()).accessKeyId;
      try {
        return await next(args);
      } catch (error) {
        if (!isStaleCredentialError(error)) throw error;
        // A concurrent request may have refreshed them already: then use those, fetch nothing.
        if ((await credentials()).accessKeyId === signedWith) await credentials({ forceRefresh: true });
        return next(args);
      }
    },
    { step: "initialize", name: "photogateCredentialRefresh", override: true },
  );
  return client;
}
