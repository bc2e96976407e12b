import sharp from "sharp";
import { RekognitionError } from "./errors";

/** Rekognition's limit for image bytes sent inline. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** Rekognition refuses images under 80 px on either side. */
export const MIN_IMAGE_EDGE = 80;

/** An image decoded to 8-bit RGB, row-major, 3 bytes a pixel: the layout the models take. */
export interface RgbImage {
  data: Buffer;
  width: number;
  height: number;
}

/**
 * Decodes image bytes as Rekognition would accept them: JPEG or PNG only, at most 5 MB, at
 * least 80 px a side. EXIF orientation is not applied: Rekognition's current face model does not
 * correct orientation either, and its boxes refer to the stored pixels.
 */
export async function decodeImage(bytes: Uint8Array): Promise<RgbImage> {
  if (bytes.byteLength > MAX_IMAGE_BYTES) {
    throw new RekognitionError(
      "ImageTooLargeException",
      `Image is ${bytes.byteLength} bytes; Rekognition accepts at most ${MAX_IMAGE_BYTES} bytes inline. Downscale it first.`,
    );
  }
  let format: string | undefined;
  try {
    format = (await sharp(bytes).metadata()).format;
  } catch {
    throw new RekognitionError(
      "InvalidImageFormatException",
      "Request has invalid image format: the bytes are not a decodable image.",
    );
  }
  if (format !== "jpeg" && format !== "png") {
    throw new RekognitionError(
      "InvalidImageFormatException",
      `Request has invalid image format: ${format ?? "unknown"}; Rekognition accepts only JPEG and PNG.`,
    );
  }
  let decoded: { data: Buffer; info: { width: number; height: number; channels: number } };
  try {
    decoded = await sharp(bytes, { failOn: "error" })
      .toColourspace("srgb")
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (cause) {
    throw new RekognitionError(
      "InvalidImageFormatException",
      `Request has invalid image format: ${(cause as Error).message}`,
    );
  }
  const { width, height, channels } = decoded.info;
  if (channels !== 3) {
    throw new RekognitionError(
      "InvalidImageFormatException",
      `Expected 3 colour channels after decoding, got ${channels}.`,
    );
  }
  if (width < MIN_IMAGE_EDGE || height < MIN_IMAGE_EDGE) {
    throw new RekognitionError(
      "InvalidParameterException",
      `Image is ${width}×${height} px; Rekognition needs at least ${MIN_IMAGE_EDGE} px on each side.`,
    );
  }
  return { data: decoded.data, width, height };
}
