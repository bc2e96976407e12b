import {
  type ProcessingConfig,
  REKOGNITION_MAX_BYTES,
  REKOGNITION_MIN_EDGE,
  type Reason,
} from "@photogate/core";
import sharp, { type Metadata, type OutputInfo, type Sharp } from "sharp";
import { ImageRejectedError, ImageTimeoutError } from "./errors";

// One Lambda invocation handles one image at a time, so libvips' operation cache only holds
// memory that is never reused; its thread pool stays at the default (one thread per vCPU).
sharp.cache(false);

export type SourceFormat = "jpeg" | "png" | "webp" | "gif" | "avif" | "heic";

export interface SourceImage {
  format: SourceFormat;
  /** Dimensions after EXIF orientation; the first frame of an animation. */
  width: number;
  height: number;
}

export interface EncodedImage {
  data: Buffer;
  width: number;
  height: number;
}

export interface DerivedImages {
  display: EncodedImage;
  thumbnails: (EncodedImage & { size: number })[];
  /** JPEG for Rekognition, or undefined when the image is too small for it to look at. */
  rekognition?: EncodedImage;
  /** Set when the image decodes but is too small to judge: derived images exist, checks do not run. */
  tooSmall?: Reason;
}

type Sniffed = "jpeg" | "png" | "gif" | "webp" | "heif";

const HEIF_BRANDS = new Set(["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1", "avif", "avis"]);
const HEVC_BRANDS = new Set(["heic", "heix", "hevc", "hevx", "heim", "heis"]);

/**
 * Recognises the raster formats we accept by their signature bytes, so SVG, HTML, PDF and
 * anything else never reach a decoder at all (librsvg and friends are attack surface).
 */
export function sniffFormat(input: Uint8Array): Sniffed | undefined {
  const b = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "jpeg";
  if (
    b.length >= 8 &&
    b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  ) {
    return "png";
  }
  const head = b.subarray(0, 12).toString("latin1");
  if (head.startsWith("GIF87a") || head.startsWith("GIF89a")) return "gif";
  if (head.startsWith("RIFF") && head.slice(8, 12) === "WEBP") return "webp";
  if (head.slice(4, 8) === "ftyp" && heifBrands(b).some((brand) => HEIF_BRANDS.has(brand))) return "heif";
  return undefined;
}

function heifBrands(b: Buffer): string[] {
  const size = Math.min(b.length >= 4 ? b.readUInt32BE(0) : 0, b.length, 256);
  const brands = [b.subarray(8, 12).toString("latin1")];
  for (let at = 16; at + 4 <= size; at += 4) brands.push(b.subarray(at, at + 4).toString("latin1"));
  return brands;
}

function reject(code: Reason["code"], message: string, measured?: number, threshold?: number): never {
  throw new ImageRejectedError({
    code,
    message,
    ...(measured === undefined ? {} : { measured }),
    ...(threshold === undefined ? {} : { threshold }),
  });
}

const HEIC_MESSAGE =
  "HEIC (HEVC) photos cannot be decoded by this service; set the camera to 'Most Compatible' or upload a JPEG";

/**
 * Reads only the header: format, declared size and orientation. Refuses before any pixel is
 * decoded: unknown formats, declared sizes over `maxInputPixels` (decompression bombs).
 * Throws ImageRejectedError.
 */
export async function inspectImage(input: Buffer, config: ProcessingConfig): Promise<SourceImage> {
  if (input.length === 0) reject("CORRUPT", "The file is empty (0 bytes)");
  const sniffed = sniffFormat(input);
  if (!sniffed) {
    reject("UNSUPPORTED_FORMAT", "The file is not a JPEG, PNG, WebP, GIF, AVIF or HEIC image");
  }
  let meta: Metadata;
  try {
    meta = await sharp(input, { failOn: "error", limitInputPixels: false }).metadata();
  } catch (error) {
    if (sniffed === "heif" && HEVC_BRANDS.has(input.subarray(8, 12).toString("latin1"))) {
      reject("UNSUPPORTED_FORMAT", HEIC_MESSAGE);
    }
    return reject("CORRUPT", `The image header cannot be read: ${firstLine(error)}`);
  }
  const format = sourceFormat(sniffed, meta);
  // metadata() reports the first frame's size for animations (pages default to 1).
  const pixels = meta.width * meta.height;
  if (!meta.width || !meta.height) reject("CORRUPT", "The image declares no width or height");
  if (pixels > config.maxInputPixels) {
    reject(
      "TOO_LARGE",
      `The image declares ${meta.width}×${meta.height} pixels, more than the ${config.maxInputPixels} allowed`,
      pixels,
      config.maxInputPixels,
    );
  }
  return { format, width: meta.autoOrient.width, height: meta.autoOrient.height };
}

function sourceFormat(sniffed: Sniffed, meta: Metadata): SourceFormat {
  if (sniffed === "heif") {
    if (meta.format !== "heif") reject("CORRUPT", `The file looks like HEIF but decodes as ${meta.format}`);
    return meta.compression === "av1" ? "avif" : "heic";
  }
  if (meta.format !== sniffed)
    reject("CORRUPT", `The file looks like ${sniffed} but decodes as ${meta.format}`);
  return sniffed;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n").find((l) => !l.startsWith("source: bad seek")) ?? message;
}

/**
 * Decodes once and derives everything from that one decode: a single pipeline from the
 * encoded bytes (so JPEG shrink-on-load applies) auto-orients, converts to 8-bit sRGB and
 * fits `displayMaxEdge` into a raw buffer; display.webp, the thumbnails and Rekognition's JPEG
 * are encoded from that buffer. Outputs carry no metadata (sharp strips it unless asked).
 */
export async function deriveImages(
  input: Buffer,
  source: SourceImage,
  config: ProcessingConfig,
): Promise<DerivedImages> {
  const timeout = { seconds: config.sharpTimeoutSeconds };
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(input, {
      failOn: "error",
      limitInputPixels: config.maxInputPixels,
      autoOrient: true,
      pages: 1,
      sequentialRead: true,
    })
      .timeout(timeout)
      .resize({
        width: config.displayMaxEdge,
        height: config.displayMaxEdge,
        fit: "inside",
        withoutEnlargement: true,
      })
      .toColourspace("srgb")
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw classifyDecodeError(error, source, config);
  }
  const { width, height, channels } = decoded.info;
  const fromRaw = () => sharp(decoded.data, { raw: { width, height, channels } }).timeout(timeout);

  const shortEdge = Math.min(source.width, source.height);
  const rekognitionEdge = Math.min(width, height);
  let tooSmall: Reason | undefined;
  if (shortEdge < config.minImageEdge) {
    tooSmall = {
      code: "TOO_SMALL",
      message: `The shortest side is ${shortEdge} px; photos need at least ${config.minImageEdge} px`,
      measured: shortEdge,
      threshold: config.minImageEdge,
    };
  } else if (rekognitionEdge < REKOGNITION_MIN_EDGE) {
    // A long, thin image fitted to displayMaxEdge ends up narrower than face detection accepts.
    tooSmall = {
      code: "TOO_SMALL",
      message: `The image is too narrow: scaled to ${width}×${height} its shortest side is under ${REKOGNITION_MIN_EDGE} px`,
      measured: rekognitionEdge,
      threshold: REKOGNITION_MIN_EDGE,
    };
  }

  try {
    const [display, thumbnails, rekognition] = await Promise.all([
      encode(fromRaw().webp({ quality: 82 })),
      Promise.all(
        config.thumbnailSizes.map(async (size) => {
          // Never enlarge: a thumbnail is at most as big as the picture's shortest side.
          const side = Math.min(size, width, height);
          const thumb = await encode(fromRaw().resize(side, side, { fit: "cover" }).webp({ quality: 80 }));
          return { ...thumb, size };
        }),
      ),
      tooSmall ? Promise.resolve(undefined) : rekognitionJpeg(fromRaw, width, height),
    ]);
    return {
      display,
      thumbnails,
      ...(rekognition ? { rekognition } : {}),
      ...(tooSmall ? { tooSmall } : {}),
    };
  } catch (error) {
    throw classifyDecodeError(error, source, config);
  }
}

async function encode(pipeline: Sharp): Promise<EncodedImage> {
  const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

const REKOGNITION_QUALITIES = [90, 80, 70, 60];

/** JPEG on white (Rekognition takes no alpha), stepped down until it fits Rekognition's byte limit. */
async function rekognitionJpeg(fromRaw: () => Sharp, width: number, height: number): Promise<EncodedImage> {
  let scale = 1;
  for (;;) {
    const w = Math.max(REKOGNITION_MIN_EDGE, Math.round(width * scale));
    const h = Math.max(REKOGNITION_MIN_EDGE, Math.round(height * scale));
    for (const quality of REKOGNITION_QUALITIES) {
      let pipeline = fromRaw().flatten({ background: "#ffffff" });
      if (scale < 1) pipeline = pipeline.resize(w, h, { fit: "fill" });
      const jpeg = await encode(pipeline.jpeg({ quality }));
      if (jpeg.data.length <= REKOGNITION_MAX_BYTES) return jpeg;
    }
    if (w === REKOGNITION_MIN_EDGE || h === REKOGNITION_MIN_EDGE) {
      throw new Error("Cannot encode a JPEG under Rekognition's byte limit");
    }
    scale *= 0.75;
  }
}

function classifyDecodeError(error: unknown, source: SourceImage, config: ProcessingConfig): Error {
  if (error instanceof ImageRejectedError) return error;
  const message = firstLine(error);
  if (/timeout/i.test(message)) return new ImageTimeoutError(config.sharpTimeoutSeconds, { cause: error });
  if (/pixel limit/i.test(message)) {
    const pixels = source.width * source.height;
    return new ImageRejectedError({
      code: "TOO_LARGE",
      message: `The image has more than the ${config.maxInputPixels} pixels allowed`,
      measured: pixels,
      threshold: config.maxInputPixels,
    });
  }
  if (source.format === "heic")
    return new ImageRejectedError({ code: "UNSUPPORTED_FORMAT", message: HEIC_MESSAGE });
  return new ImageRejectedError({ code: "CORRUPT", message: `The image data is damaged: ${message}` });
}
