import { type ProcessingConfig, REKOGNITION_MIN_EDGE } from "@photogate/core";
import sharp from "sharp";

/**
 * What `pnpm bench processor` compares photogate's derivation with. Kept next to the
 * processor so they use the very same sharp build (and its global cache/concurrency settings).
 */
export { sharp };

/** A photo-like test image: sensor-like noise under soft shapes, so JPEG cannot squash it to nothing. */
export async function noisyPhoto(width: number, height: number): Promise<Buffer> {
  const shapes = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
      <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
        <stop offset="0" stop-color="#6a8caf"/><stop offset="1" stop-color="#e8d6b0"/></linearGradient></defs>
      <rect width="100%" height="100%" fill="url(#sky)" opacity="0.7"/>
      <ellipse cx="${width / 2}" cy="${height * 0.45}" rx="${width / 7}" ry="${height / 4}" fill="#d9a27a"/>
      <rect x="${width * 0.3}" y="${height * 0.7}" width="${width * 0.4}" height="${height * 0.3}" fill="#2f3b52"/>
    </svg>`,
  );
  const noise = await sharp({
    create: {
      width,
      height,
      channels: 3,
      background: "#000",
      noise: { type: "gaussian", mean: 128, sigma: 28 },
    },
  })
    .png({ compressionLevel: 0 })
    .toBuffer();
  return sharp(noise)
    .composite([{ input: shapes, blend: "soft-light" }])
    .blur(0.6)
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** The floor: one bare decode + resize to the display size, to WebP. Nothing else. */
export function floorDisplayWebp(input: Buffer, config: ProcessingConfig): Promise<Buffer> {
  return sharp(input)
    .resize({ width: config.displayMaxEdge, height: config.displayMaxEdge, fit: "inside" })
    .webp({ quality: 82 })
    .toBuffer();
}

/** The tutorial approach: every output decodes the original again (same outputs as photogate's). */
export async function decodePerOutput(input: Buffer, config: ProcessingConfig): Promise<Buffer[]> {
  const edge = config.displayMaxEdge;
  return Promise.all([
    sharp(input)
      .rotate()
      .resize({ width: edge, height: edge, fit: "inside" })
      .webp({ quality: 82 })
      .toBuffer(),
    ...config.thumbnailSizes.map((size) =>
      sharp(input).rotate().resize(size, size, { fit: "cover" }).webp({ quality: 80 }).toBuffer(),
    ),
    sharp(input)
      .rotate()
      .resize({ width: Math.max(edge, REKOGNITION_MIN_EDGE), height: edge, fit: "inside" })
      .flatten({ background: "#ffffff" })
      .jpeg({ quality: 90 })
      .toBuffer(),
  ]);
}
