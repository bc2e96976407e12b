import { readFileSync } from "node:fs";
import { join } from "node:path";
import sharp, { type OverlayOptions, type Sharp } from "sharp";

/**
 * Scenes built from the small face crops in assets/faces/ (see its README) on a
 * generated landscape, so one or two committed crops yield every variant a test needs.
 */
const FIXTURES = join(import.meta.dirname, "../assets/faces");

export type FaceFixture = "face-frontal.jpg" | "face-smiling.jpg" | "face-sunglasses.jpg";

export function fixture(name: FaceFixture): Buffer {
  return readFileSync(join(FIXTURES, name));
}

/** A deterministic 8-bit RGB landscape: sky gradient, two ridges of hills and seeded grain. No faces. */
export function landscape(width = 1280, height = 800): Sharp {
  const data = Buffer.alloc(width * height * 3);
  let seed = 0x2545f491;
  const random = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  for (let x = 0; x < width; x++) {
    const far = height * (0.45 + 0.06 * Math.sin(x / 97) + 0.03 * Math.sin(x / 23));
    const near = height * (0.62 + 0.08 * Math.sin(x / 151 + 1.3) + 0.02 * Math.sin(x / 17));
    for (let y = 0; y < height; y++) {
      const grain = (random() - 0.5) * 24;
      let rgb: [number, number, number];
      if (y < far) rgb = [110 + (60 * y) / height, 160 + (50 * y) / height, 230];
      else if (y < near) rgb = [70, 110, 80];
      else rgb = [90 + (40 * (y - near)) / height, 130, 60];
      const i = (y * width + x) * 3;
      data[i] = clampByte(rgb[0] + grain);
      data[i + 1] = clampByte(rgb[1] + grain);
      data[i + 2] = clampByte(rgb[2] + grain);
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } });
}

export interface PlacedFace {
  face: FaceFixture;
  /** Top-left corner of the face tile in the scene, pixels. */
  left: number;
  top: number;
  /** Width the tile is scaled to, pixels. */
  size: number;
  /** Clockwise rotation in degrees (sharp's convention), applied to the tile before placing. */
  rotate?: number;
  /** Gaussian blur sigma applied to the tile. */
  blur?: number;
}

export interface Scene {
  jpeg: Buffer;
  width: number;
  height: number;
  /** Each tile's region in the scene, pixels, after scaling (and rotation). */
  tiles: { left: number; top: number; width: number; height: number }[];
}

/** Places face tiles on the landscape and encodes the scene as a JPEG. */
export async function scene(faces: PlacedFace[], width = 1280, height = 800): Promise<Scene> {
  const tiles: Scene["tiles"] = [];
  const layers: OverlayOptions[] = [];
  for (const placed of faces) {
    let tile = sharp(fixture(placed.face)).resize({ width: placed.size });
    if (placed.blur) tile = sharp(await tile.toBuffer()).blur(placed.blur);
    if (placed.rotate) tile = sharp(await tile.toBuffer()).rotate(placed.rotate, { background: "#5a7a5a" });
    const { data, info } = await tile.jpeg({ quality: 95 }).toBuffer({ resolveWithObject: true });
    layers.push({ input: data, left: placed.left, top: placed.top });
    tiles.push({ left: placed.left, top: placed.top, width: info.width, height: info.height });
  }
  const base = await landscape(width, height).png().toBuffer();
  const jpeg = await sharp(base).composite(layers).jpeg({ quality: 90 }).toBuffer();
  return { jpeg, width, height, tiles };
}

/** One frontal face, 340 px wide, in a 1280×800 landscape: the benchmark's and most tests' photo. */
export function oneFaceScene(): Promise<Scene> {
  return scene([{ face: "face-frontal.jpg", left: 470, top: 230, size: 340 }]);
}

function clampByte(value: number): number {
  return Math.max(0, Math.min(255, Math.round(value)));
}

/** A portrait that passes every check: one frontal, sharp face filling a good part of the frame. */
export async function portraitScene(face: FaceFixture = "face-frontal.jpg"): Promise<Scene> {
  return scene([{ face, left: 140, top: 220, size: 360 }], 640, 800);
}

export interface SamplePhoto {
  /** Stable name, also the seed of its photo id. */
  name: string;
  /** What the processor should make of it, for the summary. */
  expect: string;
  jpeg: Buffer;
}

/** The photos `pnpm dev` uploads for the demo user, one per kind of verdict. */
export async function samplePhotos(): Promise<SamplePhoto[]> {
  const [portrait, group, empty] = await Promise.all([
    portraitScene(),
    scene([
      { face: "face-frontal.jpg", left: 260, top: 260, size: 260 },
      { face: "face-smiling.jpg", left: 760, top: 260, size: 260 },
    ]),
    scene([]),
  ]);
  return [
    { name: "portrait", expect: "approved", jpeg: portrait.jpeg },
    { name: "two-people", expect: "rejected: MULTIPLE_FACES", jpeg: group.jpeg },
    { name: "landscape", expect: "rejected: NO_FACE", jpeg: empty.jpeg },
  ];
}
