import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PhotoUploadError } from "../src/errors";
import { uploadPhoto } from "../src/photo-upload";
import { json, OWNER, PHOTO, type ScriptedServer, startScriptedServer } from "./support";

/**
 * The client against a real HTTP server standing in for CloudFront. The full path (edge
 * handler, S3, processor) is covered by the local stack's end-to-end test, which uses this
 * client for every upload and verdict.
 */
let server: ScriptedServer;

beforeAll(async () => {
  server = await startScriptedServer();
});

afterAll(() => server.close());

const cloudfront = () => ({
  kind: "cloudfront" as const,
  baseUrl: server.url,
  accessToken: () => "access-token",
});

describe("uploadPhoto through CloudFront", () => {
  it("PUTs the bytes to uploads/{owner}/{photoId}.{ext} with the token and the content type", async () => {
    server.requests = [];
    server.answer = (_req, res) => res.writeHead(200).end();
    const uploaded = await uploadPhoto(cloudfront(), {
      owner: OWNER,
      photoId: PHOTO,
      extension: "png",
      body: new Uint8Array(321),
    });
    expect(uploaded).toEqual({ key: `uploads/${OWNER}/${PHOTO}.png`, owner: OWNER, photoId: PHOTO });
    expect(server.requests).toEqual([
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
    server.answer = (_req, res) => res.writeHead(200).end();
    const { photoId } = await uploadPhoto(cloudfront(), {
      owner: OWNER,
      extension: "jpg",
      body: new Uint8Array(1),
    });
    expect(photoId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("turns the edge's refusal into a PhotoUploadError carrying its status and body", async () => {
    server.answer = (_req, res) =>
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
