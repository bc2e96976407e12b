import type { RgbImage } from "./decode-image";
import type { BodyPose } from "./face-detector";

/** Keypoints below this score are not trusted. */
const MIN_KEYPOINT_SCORE = 0.3;
/** Without hips, the torso is taken to reach this many shoulder widths below the shoulders. */
const TORSO_PER_SHOULDER_WIDTH = 1.3;

/**
 * The share (0–1) of skin-coloured pixels in a person's torso: the box from the shoulders down
 * to the hips (or an estimate of them). A bare torso (swimwear, underwear, nudity) reads high, a
 * shirt low, whatever the rest of the photo holds. Undefined when no person (with both
 * shoulders) is in the photo.
 *
 * Skin is the classic YCbCr rule (Y > 60, 77 ≤ Cb ≤ 127, 133 ≤ Cr ≤ 173, on 0–255 values):
 * cheap, but it misses skin in strong coloured light and counts wood, sand or orange fabric.
 */
export function torsoSkin(image: RgbImage, pose: BodyPose | undefined): number | undefined {
  const trusted = (name: string) => {
    const point = pose?.[name];
    return point && point.score >= MIN_KEYPOINT_SCORE ? point : undefined;
  };
  const left = trusted("leftShoulder");
  const right = trusted("rightShoulder");
  if (!left || !right) return undefined;
  const shoulderWidth = Math.hypot(left.x - right.x, left.y - right.y);
  const leftHip = trusted("leftHip");
  const rightHip = trusted("rightHip");
  const top = Math.min(left.y, right.y);
  const bottom =
    leftHip && rightHip ? Math.max(leftHip.y, rightHip.y) : top + shoulderWidth * TORSO_PER_SHOULDER_WIDTH;
  const x0 = Math.max(0, Math.round(Math.min(left.x, right.x)));
  const x1 = Math.min(image.width, Math.round(Math.max(left.x, right.x)));
  const y0 = Math.max(0, Math.round(top));
  const y1 = Math.min(image.height, Math.round(bottom));
  let pixels = 0;
  let skin = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * image.width + x) * 3;
      pixels++;
      if (isSkin(image.data[i]!, image.data[i + 1]!, image.data[i + 2]!)) skin++;
    }
  }
  return pixels > 0 ? skin / pixels : undefined;
}

function isSkin(r: number, g: number, b: number): boolean {
  const y = 0.299 * r + 0.587 * g + 0.114 * b;
  const cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
  const cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
  return y > 60 && cb >= 77 && cb <= 127 && cr >= 133 && cr <= 173;
}
