import { CognitoIdentityClient, DescribeIdentityPoolCommand } from "@aws-sdk/client-cognito-identity";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withCredentialRefresh } from "../src/credential-refresh";
import { json, type ScriptedServer, startScriptedServer, xmlError } from "./support";

/**
 * withCredentialRefresh on real SDK clients against a real server that refuses the first
 * credentials the way S3 (XML) or a JSON API (Cognito Identity) does.
 */
let server: ScriptedServer;
const clients: { destroy(): void }[] = [];

beforeAll(async () => {
  server = await startScriptedServer();
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await server.close();
});

/** A provider that hands out ASIA1, ASIA2, ... and fetches anew only when forced (as ours does). */
function countingProvider() {
  let fetched = 0;
  let current: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date };
  const next = () => {
    fetched += 1;
    current = {
      accessKeyId: `ASIA${fetched}`,
      secretAccessKey: `secret-${fetched}`,
      sessionToken: `token-${fetched}`,
      // Valid for hours: only the server knows they are no good.
      expiration: new Date(Date.now() + 6 * 3600_000),
    };
    return current;
  };
  const provider = async (options?: { forceRefresh?: boolean }) =>
    fetched === 0 || options?.forceRefresh ? next() : current;
  return { provider, fetched: () => fetched };
}

/** The access key each request was signed with, from its Authorization header. */
const signedWith = () => server.requests.map((r) => /Credential=(\w+)\//.exec(r.authorization ?? "")?.[1]);

function s3(provider: ReturnType<typeof countingProvider>["provider"]) {
  const client = new S3Client({
    endpoint: server.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: provider,
    maxAttempts: 1,
  });
  clients.push(client);
  return withCredentialRefresh(client);
}

const getObject = (client: S3Client) => client.send(new GetObjectCommand({ Bucket: "b", Key: "k" }));

function refuseFirstWithS3(code: string) {
  server.requests = [];
  server.answer = (_req, res) => {
    if (server.requests.length === 1) {
      xmlError(code === "InvalidAccessKeyId" ? 403 : 400, code)(res);
    } else res.writeHead(200, { "content-type": "text/plain" }).end("the object");
  };
}

describe("withCredentialRefresh", () => {
  it.each(["InvalidAccessKeyId", "ExpiredToken", "InvalidToken"])(
    "on S3's %s, fetches new credentials once and retries the request with them",
    async (code) => {
      refuseFirstWithS3(code);
      const credentials = countingProvider();
      const result = await getObject(s3(credentials.provider));
      expect(await result.Body?.transformToString()).toBe("the object");
      expect(signedWith()).toEqual(["ASIA1", "ASIA2"]);
      expect(credentials.fetched()).toBe(2);
    },
  );

  it.each(["ExpiredTokenException", "UnrecognizedClientException"])(
    "on a JSON API's %s, does the same",
    async (code) => {
      server.requests = [];
      server.answer = (_req, res) =>
        server.requests.length === 1
          ? json(res, 400, { __type: code, message: "stale" })
          : json(res, 200, { IdentityPoolId: "us-east-1:pool", IdentityPoolName: "photogate" });
      const credentials = countingProvider();
      const client = new CognitoIdentityClient({
        endpoint: server.url,
        region: "us-east-1",
        credentials: credentials.provider,
        maxAttempts: 1,
      });
      clients.push(client);
      const pool = await withCredentialRefresh(client).send(
        new DescribeIdentityPoolCommand({ IdentityPoolId: "us-east-1:pool" }),
      );
      expect(pool.IdentityPoolName).toBe("photogate");
      expect(signedWith()).toEqual(["ASIA1", "ASIA2"]);
    },
  );

  it("retries only once: a second refusal reaches the caller", async () => {
    server.requests = [];
    server.answer = (_req, res) => xmlError(400, "ExpiredToken")(res);
    const credentials = countingProvider();
    await expect(getObject(s3(credentials.provider))).rejects.toMatchObject({ name: "ExpiredToken" });
    expect(signedWith()).toEqual(["ASIA1", "ASIA2"]);
  });

  it("does not refresh on AccessDenied: new credentials would not change a policy's answer", async () => {
    server.requests = [];
    server.answer = (_req, res) => xmlError(403, "AccessDenied")(res);
    const credentials = countingProvider();
    await expect(getObject(s3(credentials.provider))).rejects.toMatchObject({ name: "AccessDenied" });
    expect(signedWith()).toEqual(["ASIA1"]);
    expect(credentials.fetched()).toBe(1);
  });

  it("refreshes once for requests that fail together", async () => {
    server.requests = [];
    server.answer = (req, res) =>
      req.headers.authorization?.includes("Credential=ASIA1/")
        ? xmlError(403, "InvalidAccessKeyId")(res)
        : res.writeHead(200).end("ok");
    const credentials = countingProvider();
    const client = s3(credentials.provider);
    await Promise.all([getObject(client), getObject(client), getObject(client)]);
    expect(credentials.fetched()).toBe(2);
    expect(signedWith().filter((key) => key === "ASIA2")).toHaveLength(3);
  });
});
