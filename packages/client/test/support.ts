import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type VerdictDocument, verdictFromRecord } from "@photogate/core";

export const OWNER = "6f1c2b9e-3a4d-4e5f-8a7b-9c0d1e2f3a4b";
export const PHOTO = "0b6e8f3a-2c1d-4e7f-9a8b-7c6d5e4f3a2b";
export const STATUS_PATH = `/photos/${OWNER}/${PHOTO}/status.json`;

export function verdict(version: number, status: "approved" | "failed", final = true): VerdictDocument {
  return verdictFromRecord(
    {
      owner: OWNER,
      photoId: PHOTO,
      uploadKey: `uploads/${OWNER}/${PHOTO}.jpg`,
      status,
      reasons: [],
      bytes: 1234,
      thumbnails: [],
      moderationLabels: [],
      createdAt: "2025-03-14T09:27:11.000Z",
      processedAt: "2025-03-14T09:27:12.000Z",
      attempts: 1,
      sourceETag: "e",
      sourceSequencer: "0".repeat(32),
      verdictVersion: version,
      ...(status === "failed" ? { failure: { code: "REKOGNITION_FAILED", message: "down" } } : {}),
    },
    { final },
  );
}

export type Answer = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

export interface SeenRequest {
  method: string;
  url: string;
  authorization?: string;
  contentType?: string;
  bytes: number;
}

/** A real HTTP server standing in for CloudFront or S3: each test scripts what it answers. */
export interface ScriptedServer {
  url: string;
  requests: SeenRequest[];
  answer: Answer;
  close(): Promise<void>;
}

export async function startScriptedServer(): Promise<ScriptedServer> {
  const scripted: ScriptedServer = {
    url: "",
    requests: [],
    answer: (_req, res) => res.writeHead(500).end(),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      scripted.requests.push({
        method: req.method!,
        url: req.url!,
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        ...(req.headers["content-type"] ? { contentType: req.headers["content-type"] } : {}),
        bytes: body.length,
      });
      scripted.answer(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  scripted.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return scripted;
}

export const json = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
};

/** What S3 behind CloudFront answers for a key that is not written yet (no ListBucket). */
export const s3Missing = (res: ServerResponse) =>
  res.writeHead(403, { "content-type": "application/xml" }).end("<Error><Code>AccessDenied</Code></Error>");

/** An error answered the way S3 does, in XML, with `{code} for the test` as its message. */
export const xmlError =
  (status: number, code: string, headers: Record<string, string> = {}) =>
  (res: ServerResponse) =>
    res
      .writeHead(status, { "content-type": "application/xml", ...headers })
      .end(`<Error><Code>${code}</Code><Message>${code} for the test</Message></Error>`);
