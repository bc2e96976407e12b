import { DetectFacesCommand, type FaceDetail, type RekognitionClient } from "@aws-sdk/client-rekognition";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localRekognitionClient, type RekognitionEndpoint, startRekognitionEndpoint } from "../src/index";

import { landscape, oneFaceScene, type Scene, scene } from "./scenes";

let endpoint: RekognitionEndpoint;
let client: RekognitionClient;

beforeAll(async () => {
  endpoint = await startRekognitionEndpoint({ port: 0 });
  client = localRekognitionClient(endpoint.url);
});

afterAll(async () => {
  client?.destroy();
  await endpoint?.close();
});

async function detect(jpeg: Buffer, attributes: ("ALL" | "DEFAULT")[] = ["ALL"]): Promise<FaceDetail[]> {
  const response = await client.send(
    new DetectFacesCommand({ Image: { Bytes: jpeg }, Attributes: attributes }),
  );
  expect(response.$metadata.httpStatusCode).toBe(200);
  return response.FaceDetails ?? [];
}

async function onlyFace(jpeg: Buffer, attributes?: ("ALL" | "DEFAULT")[]): Promise<FaceDetail> {
  const faces = await detect(jpeg, attributes);
  expect(faces).toHaveLength(1);
  return faces[0] as FaceDetail;
}

/** The face box in scene pixels. */
function pixelBox(face: FaceDetail, s: Scene) {
  const box = face.BoundingBox ?? {};
  const left = (box.Left ?? 0) * s.width;
  const top = (box.Top ?? 0) * s.height;
  return { left, top, right: left + (box.Width ?? 0) * s.width, bottom: top + (box.Height ?? 0) * s.height };
}

function landmark(face: FaceDetail, type: string): { x: number; y: number } {
  const found = face.Landmarks?.find((l) => l.Type === type);
  expect(found, `landmark ${type}`).toBeDefined();
  return { x: found?.X ?? Number.NaN, y: found?.Y ?? Number.NaN };
}

describe("DetectFaces through the AWS SDK", () => {
  it("finds no face in a landscape", async () => {
    const jpeg = await landscape().jpeg({ quality: 90 }).toBuffer();
    expect(await detect(jpeg)).toEqual([]);
  });

  it("finds one frontal face, boxes it tightly and reports a near-frontal pose", async () => {
    const s = await oneFaceScene();
    const face = await onlyFace(s.jpeg);
    expect(face.Confidence).toBeGreaterThan(90);

    // The tile is 340 px wide; its eyes-to-mouth core (30–70 % across, 35–75 % down) is face
    // for certain, and the tile's edges (hair, collar, background) are not all face.
    const tile = s.tiles[0] ?? { left: 0, top: 0, width: 0, height: 0 };
    const box = pixelBox(face, s);
    expect(box.left).toBeLessThan(tile.left + 0.3 * tile.width);
    expect(box.right).toBeGreaterThan(tile.left + 0.7 * tile.width);
    expect(box.top).toBeLessThan(tile.top + 0.35 * tile.height);
    expect(box.bottom).toBeGreaterThan(tile.top + 0.75 * tile.height);
    expect(box.left).toBeGreaterThanOrEqual(tile.left);
    expect(box.right).toBeLessThanOrEqual(tile.left + tile.width);
    expect(box.top).toBeGreaterThanOrEqual(tile.top);
    expect(box.bottom).toBeLessThanOrEqual(tile.top + tile.height);

    const pose = face.Pose ?? {};
    expect(Math.abs(pose.Yaw ?? 99)).toBeLessThan(15);
    expect(Math.abs(pose.Roll ?? 99)).toBeLessThan(10);
    // The mesh reads frontal faces as pitched +5–13° (see README): near frontal, not zero.
    expect(pose.Pitch).toBeGreaterThan(-10);
    expect(pose.Pitch).toBeLessThan(20);
  });

  it("places Rekognition's 30 landmarks where a face has them, named from the viewer's side", async () => {
    const face = await onlyFace((await oneFaceScene()).jpeg);
    expect(new Set(face.Landmarks?.map((l) => l.Type))).toHaveProperty("size", 30);
    const eyeLeft = landmark(face, "eyeLeft");
    const eyeRight = landmark(face, "eyeRight");
    const nose = landmark(face, "nose");
    const mouthLeft = landmark(face, "mouthLeft");
    const mouthRight = landmark(face, "mouthRight");
    const chin = landmark(face, "chinBottom");
    const leftPupil = landmark(face, "leftPupil");
    expect(eyeLeft.x).toBeLessThan(eyeRight.x);
    expect(mouthLeft.x).toBeLessThan(mouthRight.x);
    expect(nose.x).toBeGreaterThan(eyeLeft.x);
    expect(nose.x).toBeLessThan(eyeRight.x);
    expect(nose.y).toBeGreaterThan(Math.max(eyeLeft.y, eyeRight.y));
    expect(mouthLeft.y).toBeGreaterThan(nose.y);
    expect(chin.y).toBeGreaterThan(mouthLeft.y);
    const rightPupil = landmark(face, "rightPupil");
    expect(Math.abs(leftPupil.x - eyeLeft.x)).toBeLessThan(0.02);
    expect(Math.abs(rightPupil.x - eyeRight.x)).toBeLessThan(0.02);
    const box = face.BoundingBox ?? {};
    for (const l of face.Landmarks ?? []) {
      expect(l.X).toBeGreaterThanOrEqual((box.Left ?? 0) - 1e-6);
      expect(l.X).toBeLessThanOrEqual((box.Left ?? 0) + (box.Width ?? 0) + 1e-6);
    }
  });

  it("reports open eyes and no sunglasses on a bare face, sunglasses on a face wearing them", async () => {
    const bare = await onlyFace((await oneFaceScene()).jpeg);
    expect(bare.EyesOpen).toMatchObject({ Value: true });
    expect(bare.EyesOpen?.Confidence).toBeGreaterThan(80);
    expect(bare.Sunglasses).toMatchObject({ Value: false });

    const shaded = await onlyFace(
      (await scene([{ face: "face-sunglasses.jpg", left: 470, top: 230, size: 340 }])).jpeg,
    );
    expect(shaded.Sunglasses).toMatchObject({ Value: true });
    expect(shaded.Sunglasses?.Confidence).toBeGreaterThan(80);
  });

  it("gives emotions and smile with ALL, and only the default fields with DEFAULT", async () => {
    const jpeg = (await scene([{ face: "face-smiling.jpg", left: 470, top: 230, size: 340 }])).jpeg;
    const all = await onlyFace(jpeg, ["ALL"]);
    expect(all.Smile).toMatchObject({ Value: true });
    expect(all.Emotions?.[0]).toMatchObject({ Type: "HAPPY" });
    const types = all.Emotions?.map((e) => e.Type) ?? [];
    expect(types).toEqual(
      expect.arrayContaining(["HAPPY", "CALM", "SAD", "ANGRY", "SURPRISED", "DISGUSTED", "FEAR"]),
    );
    // What the models cannot judge is left out, not guessed.
    expect(all.AgeRange).toBeUndefined();
    expect(all.Gender).toBeUndefined();
    expect(all.Eyeglasses).toBeUndefined();

    const basic = await onlyFace(jpeg, ["DEFAULT"]);
    expect(Object.keys(basic).sort()).toEqual(["BoundingBox", "Confidence", "Landmarks", "Pose", "Quality"]);
  });

  it("finds two faces, largest first, each inside its own tile", async () => {
    const s = await scene([
      { face: "face-frontal.jpg", left: 120, top: 260, size: 300 },
      { face: "face-smiling.jpg", left: 780, top: 200, size: 380 },
    ]);
    const faces = await detect(s.jpeg);
    expect(faces).toHaveLength(2);
    const [first, second] = faces.map((f) => pixelBox(f, s));
    expect(first?.left).toBeGreaterThanOrEqual(780);
    expect(second?.right).toBeLessThanOrEqual(120 + 300);
  });

  it("turns Roll by about the angle a face is rotated (positive = clockwise in the image)", async () => {
    const roll = async (rotate: number) =>
      (
        await onlyFace(
          (
            await scene([{ face: "face-frontal.jpg", left: 420, top: 160, size: 340, rotate }])
          ).jpeg,
        )
      ).Pose?.Roll ?? Number.NaN;
    const upright = await roll(0);
    const clockwise = await roll(25);
    const anticlockwise = await roll(-25);
    expect(clockwise - upright).toBeGreaterThan(19);
    expect(clockwise - upright).toBeLessThan(31);
    expect(anticlockwise - upright).toBeLessThan(-19);
    expect(anticlockwise - upright).toBeGreaterThan(-31);
  });

  it("measures lower sharpness on a blurred face and lower brightness on a darkened one", async () => {
    const sharpFace = await onlyFace((await oneFaceScene()).jpeg);
    const blurred = await onlyFace(
      (await scene([{ face: "face-frontal.jpg", left: 470, top: 230, size: 340, blur: 3 }])).jpeg,
    );
    expect(blurred.Quality?.Sharpness).toBeLessThan((sharpFace.Quality?.Sharpness ?? 0) * 0.7);
    // Either side of photogate's default minSharpness (20), so the local run rejects real blur.
    expect(sharpFace.Quality?.Sharpness).toBeGreaterThan(20);
    expect(blurred.Quality?.Sharpness).toBeLessThan(20);

    const { default: sharp } = await import("sharp");
    const dark = await sharp((await oneFaceScene()).jpeg)
      .linear(0.5, 0)
      .jpeg()
      .toBuffer();
    const darkFace = await onlyFace(dark);
    expect(darkFace.Quality?.Brightness).toBeLessThan((sharpFace.Quality?.Brightness ?? 0) * 0.7);
    for (const value of [sharpFace.Quality?.Sharpness, sharpFace.Quality?.Brightness]) {
      expect(value).toBeGreaterThan(0);
      expect(value).toBeLessThanOrEqual(100);
    }
  });
});
