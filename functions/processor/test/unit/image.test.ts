import { deflateSync } from "node:zlib";
import { defaultProcessing, REKOGNITION_MAX_BYTES } from "@photogate/core";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { ImageRejectedError } from "../../src/errors";
import { type DerivedImages, deriveImages, inspectImage, sniffFormat } from "../../src/image";
import { photoJpeg } from "../helpers";

const config = defaultProcessing;

/** Runs the processor's image path; returns the derived images or the rejection reason. */
async function run(input: Buffer, processing = config) {
  try {
    const source = await inspectImage(input, processing);
    const derived = await deriveImages(input, source, processing);
    return { source, derived, reason: derived.tooSmall };
  } catch (error) {
    if (error instanceof ImageRejectedError) return { reason: error.reason };
    throw error;
  }
}

async function derivedOf(input: Buffer, processing = config): Promise<DerivedImages> {
  const result = await run(input, processing);
  if (!("derived" in result) || !result.derived)
    throw new Error(`rejected: ${JSON.stringify(result.reason)}`);
  return result.derived;
}

async function pixel(image: Buffer, x: number, y: number) {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return { r: data[at]!, g: data[at + 1]!, b: data[at + 2]!, a: info.channels === 4 ? data[at + 3]! : 255 };
}

/** A square of loud noise saved as a barely compressed PNG: many bytes for its size. */
function noisyPng(edge: number): Promise<Buffer> {
  return sharp({
    create: {
      width: edge,
      height: edge,
      channels: 3,
      background: "#000",
      noise: { type: "gaussian", mean: 128, sigma: 90 },
    },
  })
    .png({ compressionLevel: 1 })
    .toBuffer();
}

// A PNG that declares a huge canvas but carries a few bytes of (deliberately wrong) pixel data:
// if anything tried to decode it, the answer would be CORRUPT, not TOO_LARGE.
function pngDeclaring(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.alloc(1024))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** A real JPEG whose SOF header is rewritten to declare width × height. */
async function jpegDeclaring(width: number, height: number): Promise<Buffer> {
  const jpeg = Buffer.from(await photoJpeg(64, 64));
  const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
  jpeg.writeUInt16BE(height, sof + 5);
  jpeg.writeUInt16BE(width, sof + 7);
  return jpeg;
}

/**
 * A HEIC container as phones write it (ftyp heic, hvc1 item, hvcC + ispe properties). This
 * sharp build has no HEVC decoder, which is exactly the case the processor must explain.
 */
function heic(width: number, height: number): Buffer {
  const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  const u16 = (n: number) => Buffer.from([(n >>> 8) & 255, n & 255]);
  const box = (type: string, ...parts: Buffer[]) => {
    const body = Buffer.concat(parts);
    return Buffer.concat([u32(body.length + 8), Buffer.from(type, "latin1"), body]);
  };
  const full = (type: string, version: number, ...parts: Buffer[]) =>
    box(type, Buffer.from([version, 0, 0, 0]), ...parts);
  const hvcC = box(
    "hvcC",
    Buffer.from([
      1, 1, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 0x5d, 0xf0, 0, 0xfc, 0xfd, 0xf8, 0xf8, 0, 0, 0x0f, 0,
    ]),
  );
  const payload = Buffer.from([0, 0, 0, 4, 0x26, 0x01, 0xaf, 0x00]);
  const build = (offset: number) =>
    Buffer.concat([
      box("ftyp", Buffer.from("heic", "latin1"), u32(0), Buffer.from("mif1heic", "latin1")),
      full(
        "meta",
        0,
        full("hdlr", 0, u32(0), Buffer.from("pict", "latin1"), Buffer.alloc(12), Buffer.from([0])),
        full("pitm", 0, u16(1)),
        full(
          "iloc",
          0,
          Buffer.from([0x44, 0x00]),
          u16(1),
          u16(1),
          u16(0),
          u16(1),
          u32(offset),
          u32(payload.length),
        ),
        full(
          "iinf",
          0,
          u16(1),
          full("infe", 2, u16(1), u16(0), Buffer.from("hvc1", "latin1"), Buffer.from([0])),
        ),
        box(
          "iprp",
          box("ipco", hvcC, full("ispe", 0, u32(width), u32(height))),
          full("ipma", 0, u32(1), u16(1), Buffer.from([2, 0x81, 0x02])),
        ),
      ),
      box("mdat", payload),
    ]);
  return build(build(0).length - payload.length);
}

describe("inputs that are not images", () => {
  it("refuses a zero-byte file as CORRUPT", async () => {
    expect((await run(Buffer.alloc(0))).reason?.code).toBe("CORRUPT");
  });

  it("refuses a truncated JPEG as CORRUPT", async () => {
    const jpeg = await photoJpeg(640, 480);
    const result = await run(jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    expect(result.reason?.code).toBe("CORRUPT");
    expect(result.reason?.message).toMatch(/premature end/i);
  });

  it("refuses a JPEG cut right after its header as CORRUPT", async () => {
    const jpeg = await photoJpeg(640, 480);
    const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
    expect((await run(jpeg.subarray(0, sos + 20))).reason?.code).toBe("CORRUPT");
  });

  it.each([
    ["a text file named .jpg", "Hello, this is definitely a photo of me.\n"],
    ["HTML", "<!doctype html><html><body><img src=x onerror=alert(1)></body></html>"],
    [
      "SVG",
      '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="800" height="800"><circle cx="400" cy="400" r="300"/></svg>',
    ],
    ["SVG without a prolog", '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="800"></svg>'],
    ["a PDF", "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"],
  ])("refuses %s as UNSUPPORTED_FORMAT without decoding it", async (_, text) => {
    const input = Buffer.from(text);
    expect(sniffFormat(input)).toBeUndefined();
    expect((await run(input)).reason?.code).toBe("UNSUPPORTED_FORMAT");
  });

  it("refuses TIFF (a raster format, but not one uploads may use)", async () => {
    const tiff = await sharp({ create: { width: 300, height: 300, channels: 3, background: "#888" } })
      .tiff()
      .toBuffer();
    expect((await run(tiff)).reason?.code).toBe("UNSUPPORTED_FORMAT");
  });

  it("explains a HEIC this build cannot decode as UNSUPPORTED_FORMAT", async () => {
    const input = heic(4032, 3024);
    const source = await inspectImage(input, config);
    expect(source).toEqual({ format: "heic", width: 4032, height: 3024 });
    const result = await run(input);
    expect(result.reason?.code).toBe("UNSUPPORTED_FORMAT");
    expect(result.reason?.message).toMatch(/HEIC/);
  });

  it("decodes AVIF, the HEIF flavour this build supports", async () => {
    const avif = await sharp({ create: { width: 400, height: 300, channels: 3, background: "#c04020" } })
      .avif()
      .toBuffer();
    const result = await run(avif);
    expect(result.source?.format).toBe("avif");
    expect(result.derived?.display).toMatchObject({ width: 400, height: 300 });
  });
});

describe("decompression bombs", () => {
  it("refuses a PNG declaring 100000×100000 pixels as TOO_LARGE from its header alone", async () => {
    const bomb = pngDeclaring(100_000, 100_000);
    expect(bomb.length).toBeLessThan(2_000);
    const result = await run(bomb);
    expect(result.reason).toMatchObject({
      code: "TOO_LARGE",
      measured: 1e10,
      threshold: config.maxInputPixels,
    });
  });

  it("refuses a JPEG declaring 60000×60000 pixels as TOO_LARGE", async () => {
    const result = await run(await jpegDeclaring(60_000, 60_000));
    expect(result.reason).toMatchObject({ code: "TOO_LARGE", measured: 3.6e9 });
  });

  it("refuses just over maxInputPixels and accepts just under it", async () => {
    const small = { ...config, maxInputPixels: 640 * 480 };
    expect((await run(await photoJpeg(641, 480), small)).reason).toMatchObject({
      code: "TOO_LARGE",
      measured: 641 * 480,
    });
    expect((await run(await photoJpeg(640, 480), small)).reason).toBeUndefined();
  });
});

describe("orientation and metadata", () => {
  // Upright: red top-left, green top-right, blue bottom-left, white bottom-right, 300×200.
  const W = 300;
  const H = 200;
  async function upright(): Promise<Buffer> {
    const quadrant = (colour: string) => ({
      create: { width: W / 2, height: H / 2, channels: 3 as const, background: colour },
    });
    return sharp({ create: { width: W, height: H, channels: 3, background: "#000" } })
      .composite([
        { input: quadrant("#ff0000"), left: 0, top: 0 },
        { input: quadrant("#00ff00"), left: W / 2, top: 0 },
        { input: quadrant("#0000ff"), left: 0, top: H / 2 },
        { input: quadrant("#ffffff"), left: W / 2, top: H / 2 },
      ])
      .png()
      .toBuffer();
  }

  // Stored pixels for each EXIF orientation: the inverse of what a viewer applies on display.
  const storeAs: Record<number, (s: Buffer) => Promise<Buffer>> = {
    1: async (s) => s,
    2: (s) => sharp(s).flop().png().toBuffer(),
    3: (s) => sharp(s).rotate(180).png().toBuffer(),
    4: (s) => sharp(s).flip().png().toBuffer(),
    5: async (s) =>
      sharp(await sharp(s).rotate(90).png().toBuffer())
        .flop()
        .png()
        .toBuffer(),
    6: (s) => sharp(s).rotate(270).png().toBuffer(),
    7: async (s) =>
      sharp(await sharp(s).rotate(270).png().toBuffer())
        .flop()
        .png()
        .toBuffer(),
    8: (s) => sharp(s).rotate(90).png().toBuffer(),
  };

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    "orientation %i comes out upright, with no metadata left",
    async (orientation) => {
      const stored = await storeAs[orientation]!(await upright());
      const input = await sharp(stored)
        .withMetadata({ orientation })
        .withExif({
          IFD0: { Artist: "someone", Copyright: "secret" },
          IFD3: { GPSLatitudeRef: "N", GPSLatitude: "51/1 30/1 0/1" },
        })
        .jpeg({ quality: 95 })
        .toBuffer();
      const inputMeta = await sharp(input).metadata();
      expect(inputMeta.orientation).toBe(orientation);
      expect(inputMeta.exif?.includes(Buffer.from("secret"))).toBe(true);

      const derived = await derivedOf(Buffer.from(input), { ...config, minImageEdge: 100 });
      expect(derived.display).toMatchObject({ width: W, height: H });
      const near = (p: { r: number; g: number; b: number }, r: number, g: number, b: number) =>
        Math.abs(p.r - r) < 60 && Math.abs(p.g - g) < 60 && Math.abs(p.b - b) < 60;
      const display = derived.display.data;
      expect(near(await pixel(display, W / 4, H / 4), 255, 0, 0)).toBe(true);
      expect(near(await pixel(display, (3 * W) / 4, H / 4), 0, 255, 0)).toBe(true);
      expect(near(await pixel(display, W / 4, (3 * H) / 4), 0, 0, 255)).toBe(true);
      expect(near(await pixel(display, (3 * W) / 4, (3 * H) / 4), 255, 255, 255)).toBe(true);

      for (const output of [display, derived.rekognition!.data, ...derived.thumbnails.map((t) => t.data)]) {
        const meta = await sharp(output).metadata();
        expect(meta.exif).toBeUndefined();
        expect(meta.xmp).toBeUndefined();
        expect(meta.iptc).toBeUndefined();
        expect(meta.orientation).toBeUndefined();
        expect(output.includes(Buffer.from("secret"))).toBe(false);
      }
    },
  );
});

describe("colour, depth, alpha and animation", () => {
  it("converts a CMYK JPEG to sRGB", async () => {
    const cmyk = await sharp({ create: { width: 400, height: 300, channels: 3, background: "#ff0000" } })
      .toColourspace("cmyk")
      .jpeg()
      .toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe("cmyk");
    const derived = await derivedOf(cmyk);
    const p = await pixel(derived.display.data, 200, 150);
    expect(p.r).toBeGreaterThan(200);
    expect(p.g).toBeLessThan(60);
    expect(p.b).toBeLessThan(60);
    expect((await sharp(derived.display.data).metadata()).channels).toBe(3);
  });

  it("brings a 16-bit PNG down to 8 bits by scaling, not truncating", async () => {
    const pixels = new Uint16Array(400 * 300 * 3).fill(0xc000); // 75% grey in 16 bits
    const png16 = await sharp(pixels, { raw: { width: 400, height: 300, channels: 3 } })
      .toColourspace("rgb16")
      .png()
      .toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe("ushort");
    const derived = await derivedOf(png16);
    const p = await pixel(derived.rekognition!.data, 200, 150);
    expect(Math.abs(p.r - 191)).toBeLessThan(6);
  });

  it("keeps alpha in the WebP outputs and flattens it on white for Rekognition", async () => {
    const png = await sharp({
      create: { width: 400, height: 400, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .composite([
        {
          input: { create: { width: 200, height: 200, channels: 3, background: "#ff0000" } },
          left: 100,
          top: 100,
        },
      ])
      .png()
      .toBuffer();
    const derived = await derivedOf(png);
    expect((await pixel(derived.display.data, 5, 5)).a).toBe(0);
    expect((await pixel(derived.display.data, 200, 200)).a).toBe(255);
    const corner = await pixel(derived.rekognition!.data, 5, 5);
    expect(Math.min(corner.r, corner.g, corner.b)).toBeGreaterThan(245);
    const centre = await pixel(derived.rekognition!.data, 200, 200);
    expect(centre.r).toBeGreaterThan(200);
    expect(centre.g).toBeLessThan(60);
  });

  it.each(["gif", "webp"] as const)("uses the first frame of an animated %s", async (format) => {
    const frame = 300 * 300 * 3;
    const frames = Buffer.alloc(frame * 2);
    for (let i = 0; i < frame; i += 3) frames[i] = 255; // frame 1 red
    for (let i = frame + 2; i < frame * 2; i += 3) frames[i] = 255; // frame 2 blue
    const animated = await sharp(frames, { raw: { width: 300, height: 600, channels: 3, pageHeight: 300 } })
      [format]({ loop: 0 })
      .toBuffer();
    expect((await sharp(animated).metadata()).pages).toBe(2);
    const result = await run(animated, { ...config, minImageEdge: 100 });
    expect(result.source).toMatchObject({ format, width: 300, height: 300 });
    const p = await pixel(result.derived!.display.data, 150, 150);
    expect(p.r).toBeGreaterThan(200);
    expect(p.b).toBeLessThan(60);
  });
});

describe("sizes", () => {
  it("rejects an image under minImageEdge as TOO_SMALL but still derives its images", async () => {
    const result = await run(await photoJpeg(150, 120));
    expect(result.reason).toMatchObject({ code: "TOO_SMALL", measured: 120, threshold: config.minImageEdge });
    expect(result.derived?.rekognition).toBeUndefined();
    expect(result.derived?.display).toMatchObject({ width: 150, height: 120 });
  });

  it("rejects a tiny 40×40 image as TOO_SMALL even with the lowest allowed minImageEdge", async () => {
    const result = await run(await photoJpeg(40, 40), { ...config, minImageEdge: 80 });
    expect(result.reason).toMatchObject({ code: "TOO_SMALL", measured: 40, threshold: 80 });
    expect(result.derived?.rekognition).toBeUndefined();
  });

  it("rejects a panorama that would be under 80 px tall once fitted for Rekognition", async () => {
    const result = await run(await photoJpeg(8000, 240));
    expect(result.reason).toMatchObject({ code: "TOO_SMALL", threshold: 80 });
    expect(result.reason!.measured!).toBeLessThan(80);
  });

  it("fits display.webp to displayMaxEdge and makes square thumbnails of each size", async () => {
    const derived = await derivedOf(await photoJpeg(2400, 1800));
    expect(derived.display).toMatchObject({ width: 1600, height: 1200 });
    expect(derived.thumbnails.map((t) => [t.size, t.width, t.height])).toEqual([
      [128, 128, 128],
      [256, 256, 256],
      [512, 512, 512],
    ]);
    for (const t of derived.thumbnails) {
      expect(await sharp(t.data).metadata()).toMatchObject({ format: "webp", width: t.size, height: t.size });
    }
    expect(await sharp(derived.rekognition!.data).metadata()).toMatchObject({
      format: "jpeg",
      width: 1600,
      height: 1200,
    });
  });

  it("never enlarges a thumbnail past the picture's shortest side", async () => {
    const derived = await derivedOf(await photoJpeg(400, 300));
    expect(derived.thumbnails.map((t) => [t.size, t.width])).toEqual([
      [128, 128],
      [256, 256],
      [512, 300],
    ]);
  });

  it("sends Rekognition a JPEG under 5 MB for an input over 5 MB", async () => {
    const noisy = await noisyPng(1400);
    expect(noisy.length).toBeGreaterThan(REKOGNITION_MAX_BYTES);
    const derived = await derivedOf(noisy);
    expect(derived.rekognition!.data.length).toBeLessThanOrEqual(REKOGNITION_MAX_BYTES);
  });

  it("steps JPEG quality down when even the display-sized copy would exceed 5 MB", async () => {
    const noisy = await noisyPng(2800);
    const processing = { ...config, displayMaxEdge: 4096 };
    const atFullQuality = await sharp(noisy).jpeg({ quality: 90 }).toBuffer();
    expect(atFullQuality.length).toBeGreaterThan(REKOGNITION_MAX_BYTES);
    const derived = await derivedOf(noisy, processing);
    expect(derived.rekognition!.data.length).toBeLessThanOrEqual(REKOGNITION_MAX_BYTES);
    expect(derived.rekognition).toMatchObject({ width: 2800, height: 2800 });
  });
});
