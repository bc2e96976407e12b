import {
  DetectFacesCommand,
  DetectLabelsCommand,
  DetectModerationLabelsCommand,
  type RekognitionClient,
} from "@aws-sdk/client-rekognition";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { localRekognitionClient, type RekognitionEndpoint, startRekognitionEndpoint } from "../src/index";

import { landscape, oneFaceScene } from "./scenes";

let endpoint: RekognitionEndpoint;
let client: RekognitionClient;
const fetchSpy = vi.spyOn(globalThis, "fetch");

const handlers = () => [
  ...process.listeners("uncaughtException"),
  ...process.listeners("unhandledRejection"),
];
let handlersBefore: unknown[];

beforeAll(async () => {
  handlersBefore = handlers();
  endpoint = await startRekognitionEndpoint({ port: 0 });
  client = localRekognitionClient(endpoint.url);
});

afterAll(async () => {
  client?.destroy();
  await endpoint?.close();
  fetchSpy.mockRestore();
});

/** An incompressible PNG (random pixels) of at least `bytes` bytes. */
async function noisePng(bytes: number): Promise<Buffer> {
  const side = Math.ceil(Math.sqrt(bytes / 3));
  const png = await sharp({
    create: {
      width: side,
      height: side,
      channels: 3,
      background: "#808080",
      noise: { type: "gaussian", mean: 128, sigma: 90 },
    },
  })
    .png({ compressionLevel: 0 })
    .toBuffer();
  expect(png.byteLength).toBeGreaterThan(bytes);
  return png;
}

async function errorOf(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status?: number }> {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name: string; message: string; $metadata?: { httpStatusCode?: number } } | undefined;
  expect(error, "the call should have failed").toBeDefined();
  return { name: error?.name ?? "", message: error?.message ?? "", status: error?.$metadata?.httpStatusCode };
}

describe("the local Rekognition endpoint", () => {
  it("loaded every model from file:// URLs and never called fetch", () => {
    expect(endpoint.modelUrls.length).toBeGreaterThanOrEqual(8);
    for (const name of ["blazeface", "facemesh", "iris", "emotion"]) {
      expect(endpoint.modelUrls.some((url) => url.endsWith(`/${name}.json`))).toBe(true);
      expect(endpoint.modelUrls.some((url) => url.endsWith(`/${name}.bin`))).toBe(true);
    }
    for (const url of endpoint.modelUrls) expect(url).toMatch(/^file:\/\//);
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it("leaves no process-wide error handlers of the WASM runtime behind", () => {
    expect(handlers()).toEqual(handlersBefore);
  });

  it("listens on loopback only", () => {
    expect(new URL(endpoint.url).hostname).toBe("127.0.0.1");
  });

  it("answers undecodable bytes with InvalidImageFormatException", async () => {
    const error = await errorOf(
      client.send(
        new DetectFacesCommand({ Image: { Bytes: Buffer.from("this is not an image, just text") } }),
      ),
    );
    expect(error.name).toBe("InvalidImageFormatException");
    expect(error.status).toBe(400);
  });

  it("refuses formats Rekognition does not take (GIF) with InvalidImageFormatException", async () => {
    const gif = await landscape(200, 200).gif().toBuffer();
    const error = await errorOf(client.send(new DetectFacesCommand({ Image: { Bytes: gif } })));
    expect(error.name).toBe("InvalidImageFormatException");
    expect(error.message).toMatch(/JPEG and PNG/);
  });

  it("refuses images over 5 MB with ImageTooLargeException, just over and far over", async () => {
    for (const bytes of [5 * 1024 * 1024 + 1000, 9 * 1024 * 1024]) {
      const png = await noisePng(bytes);
      const error = await errorOf(client.send(new DetectFacesCommand({ Image: { Bytes: png } })));
      expect(error.name).toBe("ImageTooLargeException");
      expect(error.status).toBe(400);
    }
  });

  it("refuses images under 80 px with InvalidParameterException", async () => {
    const tiny = await landscape(79, 200).png().toBuffer();
    const error = await errorOf(client.send(new DetectFacesCommand({ Image: { Bytes: tiny } })));
    expect(error.name).toBe("InvalidParameterException");
  });

  it("refuses S3Object images with InvalidParameterException that says why", async () => {
    const error = await errorOf(
      client.send(new DetectFacesCommand({ Image: { S3Object: { Bucket: "photos", Name: "a.jpg" } } })),
    );
    expect(error.name).toBe("InvalidParameterException");
    expect(error.message).toMatch(/S3Object is not supported/);
  });

  it("answers operations it does not serve with UnknownOperationException", async () => {
    const jpeg = await landscape(200, 200).jpeg().toBuffer();
    const error = await errorOf(client.send(new DetectLabelsCommand({ Image: { Bytes: jpeg } })));
    expect(error.name).toBe("UnknownOperationException");
    expect(error.message).toMatch(/DetectLabels/);
  });

  it("answers an out-of-range MinConfidence with ValidationException", async () => {
    const jpeg = await landscape(200, 200).jpeg().toBuffer();
    const error = await errorOf(
      client.send(new DetectModerationLabelsCommand({ Image: { Bytes: jpeg }, MinConfidence: 150 })),
    );
    expect(error.name).toBe("ValidationException");
  });

  it("speaks JSON 1.1: the content type, the error type header and body", async () => {
    const response = await fetch(endpoint.url, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "RekognitionService.DetectFaces",
      },
      body: "{not json",
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(response.headers.get("x-amzn-errortype")).toBe("SerializationException");
    expect(await response.json()).toMatchObject({ __type: "SerializationException" });
  });

  it("labels a neutral landscape and a neutral portrait with nothing at or above 50", async () => {
    for (const jpeg of [await landscape().jpeg().toBuffer(), (await oneFaceScene()).jpeg]) {
      const response = await client.send(new DetectModerationLabelsCommand({ Image: { Bytes: jpeg } }));
      expect(response.ModerationLabels).toEqual([]);
      expect(response.ModerationModelVersion).toBe("7.0");
    }
  });

  it("filters labels by MinConfidence", async () => {
    const jpeg = (await oneFaceScene()).jpeg;
    const all = await client.send(
      new DetectModerationLabelsCommand({ Image: { Bytes: jpeg }, MinConfidence: 0 }),
    );
    const labels = all.ModerationLabels ?? [];
    // At 0 every mapped label is reported, with its taxonomy place.
    expect(labels.map((l) => l.Name).sort()).toEqual([
      "Explicit",
      "Explicit Nudity",
      "Non-Explicit Nudity of Intimate parts and Kissing",
      "Swimwear or Underwear",
    ]);
    expect(labels.find((l) => l.Name === "Explicit Nudity")).toMatchObject({
      ParentName: "Explicit",
      TaxonomyLevel: 2,
    });
    expect(labels.find((l) => l.Name === "Explicit")).toMatchObject({ ParentName: "", TaxonomyLevel: 1 });
    const confidences = labels.map((l) => l.Confidence ?? Number.NaN);
    for (const c of confidences) {
      expect(c).toBeGreaterThanOrEqual(0);
      expect(c).toBeLessThan(50);
    }
    // A threshold between the lowest and highest confidence keeps exactly those at or above it.
    const cut = (Math.min(...confidences) + Math.max(...confidences)) / 2;
    expect(Math.max(...confidences)).toBeGreaterThan(Math.min(...confidences));
    const some = await client.send(
      new DetectModerationLabelsCommand({ Image: { Bytes: jpeg }, MinConfidence: cut }),
    );
    expect(some.ModerationLabels?.map((l) => l.Name).sort()).toEqual(
      labels
        .filter((l) => (l.Confidence ?? 0) >= cut)
        .map((l) => l.Name)
        .sort(),
    );
    expect(some.ModerationLabels?.length).toBeLessThan(labels.length);
  });

  it("serves concurrent requests one at a time with the same answers as sequential ones", async () => {
    const jpeg = (await oneFaceScene()).jpeg;
    const alone = await client.send(new DetectFacesCommand({ Image: { Bytes: jpeg } }));
    const together = await Promise.all(
      [1, 2, 3].map(() => client.send(new DetectFacesCommand({ Image: { Bytes: jpeg } }))),
    );
    for (const response of together) expect(response.FaceDetails).toEqual(alone.FaceDetails);
  });
});
