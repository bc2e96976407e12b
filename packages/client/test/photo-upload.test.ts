import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type VerdictDocument, verdictFromRecord } from "@photogate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PhotoUploadError, VerdictReadError, VerdictTimeoutError } from "../src/errors";
import { uploadPhoto, waitForVerdict } from "../src/photo-upload";

/**
 * The client against a real HTTP server standing in for CloudFront: each test scripts what the
 * key answers. The full path (edge handler, S3, processor) is covered by the local stack's
 * end-to-end test, which uses this client for every upload and verdict.
 */
const OWNER = "6f1c2b9e-3a4d-4e5f-8a7b-9c0d1e2f3a4b";
const PHOTO = "0b6e8f3a-2c1d-4e7f-9a8b-7c6d5e4f3a2b";
const STATUS_PATH = `/photos/${OWNER}/${PHOTO}/status.json`;

type Answer = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;
let answer: Answer;
let requests: { method: string; url: string; authorization?: string; contentType?: string; bytes: number }[];
let server: Server;
let baseUrl: string;

function verdict(version: number, status: "approved" | "failed", final = true): VerdictDocument {
  const doc = verdictFromRecord(
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
  return doc;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
};
const s3Missing = (res: ServerResponse) =>
  res.writeHead(403, { "content-type": "application/xml" }).end("<Error><Code>AccessDenied</Code></Error>");

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      requests.push({
        method: req.method!,
        url: req.url!,
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        ...(req.headers["content-type"] ? { contentType: req.headers["content-type"] } : {}),
        bytes: body.length,
      });
      answer(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const cloudfront = () => ({ kind: "cloudfront" as const, baseUrl, accessToken: () => "access-token" });
const fast = { initialDelayMs: 5, maxDelayMs: 20 };

describe("uploadPhoto through CloudFront", () => {
  it("PUTs the bytes to uploads/{owner}/{photoId}.{ext} with the token and the content type", async () => {
    requests = [];
    answer = (_req, res) => res.writeHead(200).end();
    const uploaded = await uploadPhoto(cloudfront(), {
      owner: OWNER,
      photoId: PHOTO,
      extension: "png",
      body: new Uint8Array(321),
    });
    expect(uploaded).toEqual({ key: `uploads/${OWNER}/${PHOTO}.png`, owner: OWNER, photoId: PHOTO });
    expect(requests).toEqual([
      {
        method: "PUT",
        url: `/uploads/${OWNER}/${PHOTO}.png`,
        authorization: "Bearer access-token",
        contentType: "image/png",
        bytes: 321,
      },
    ]);
  });

  it("makes a lower-case UUID photo id when none is given", async () => {
    answer = (_req, res) => res.writeHead(200).end();
    const { photoId } = await uploadPhoto(cloudfront(), {
      owner: OWNER,
      extension: "jpg",
      body: new Uint8Array(1),
    });
    expect(photoId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("turns the edge's refusal into a PhotoUploadError carrying its status and body", async () => {
    answer = (_req, res) =>
      json(res, 403, { code: "FORBIDDEN", message: "You may upload only under your own uploads/ prefix" });
    const error = await uploadPhoto(cloudfront(), {
      owner: OWNER,
      extension: "jpg",
      body: new Uint8Array(1),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PhotoUploadError);
    expect(error).toMatchObject({ status: 403, code: "UPLOAD_REFUSED" });
    expect((error as Error).message).toContain("own uploads/ prefix");
  });
});

describe("waitForVerdict through CloudFront", () => {
  it("keeps polling while the document is missing or not final, then returns the final verdict", async () => {
    requests = [];
    const script = [
      (res: ServerResponse) => s3Missing(res),
      (res: ServerResponse) => res.writeHead(404, { "content-type": "application/xml" }).end("<Error/>"),
      (res: ServerResponse) => json(res, 200, verdict(1, "failed", false)),
      (res: ServerResponse) => json(res, 200, verdict(2, "approved")),
    ];
    answer = (_req, res) => (script.shift() ?? script.at(-1)!)(res);
    const seen: number[] = [];
    const result = await waitForVerdict(cloudfront(), OWNER, PHOTO, {
      ...fast,
      onVerdict: (v) => seen.push(v.version),
    });
    expect(result).toMatchObject({ version: 2, status: "approved", final: true });
    expect(seen).toEqual([1, 2]);
    expect(requests.map((r) => [r.method, r.url, r.authorization])).toEqual(
      Array(4).fill(["GET", STATUS_PATH, "Bearer access-token"]),
    );
  });

  it("with afterVersion, waits past an older final verdict (after asking for a reprocess)", async () => {
    const script = [verdict(1, "approved"), verdict(1, "approved"), verdict(2, "approved")];
    answer = (_req, res) => json(res, 200, script.shift() ?? verdict(2, "approved"));
    expect((await waitForVerdict(cloudfront(), OWNER, PHOTO, { ...fast, afterVersion: 1 })).version).toBe(2);
  });

  it("gives a VerdictTimeoutError naming the last state when no final verdict comes in time", async () => {
    answer = (_req, res) => json(res, 200, verdict(3, "failed", false));
    const error = await waitForVerdict(cloudfront(), OWNER, PHOTO, { ...fast, timeoutMs: 300 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VerdictTimeoutError);
    expect(error).toMatchObject({
      code: "VERDICT_TIMEOUT",
      last: { status: "failed", version: 3, final: false },
    });
    expect((error as Error).message).toMatch(/after 0\.3 s \(last seen: failed, version 3, not final\)/);
  });

  it("does not hang on a server that never answers: the request is cut at the deadline", async () => {
    answer = () => {}; // never responds
    const error = await waitForVerdict(cloudfront(), OWNER, PHOTO, { ...fast, timeoutMs: 300 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VerdictTimeoutError);
    expect((error as Error).message).toContain("the last request timed out");
  });

  it.each([
    ["the edge refuses the token (401)", 401, { code: "TOKEN_EXPIRED", message: "expired" }],
    ["the edge refuses another user's verdict (403 JSON)", 403, { code: "FORBIDDEN", message: "not yours" }],
  ])("fails at once, without waiting, when %s", async (_name, status, body) => {
    requests = [];
    answer = (_req, res) => json(res, status, body);
    const error = await waitForVerdict(cloudfront(), OWNER, PHOTO, { ...fast, timeoutMs: 60_000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VerdictReadError);
    expect(error).toMatchObject({ status, code: "VERDICT_UNREADABLE" });
    expect(requests).toHaveLength(1);
  });

  it("refuses a document that is not a verdict", async () => {
    answer = (_req, res) => json(res, 200, { status: "approved" });
    await expect(waitForVerdict(cloudfront(), OWNER, PHOTO, fast)).rejects.toBeInstanceOf(VerdictReadError);
  });
});
