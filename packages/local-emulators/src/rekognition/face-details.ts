import type { Attribute, Emotion, EmotionName, FaceDetail, Landmark } from "@aws-sdk/client-rekognition";
import sharp from "sharp";
import type { RgbImage } from "./decode-image";
import { EYE_POINTS, LANDMARK_MESH_POINTS, MOUTH_POINTS } from "./landmarks";

/** What the detector found for one face, in image pixels and radians, before mapping. */
/** A mesh point [x, y, z?] as Human gives it. */
export type MeshPoint = readonly (number | undefined)[];

export interface DetectedFace {
  /** Human's combined face score, 0–1. */
  score: number;
  /** 478 mesh points [x, y, z] in image pixels. */
  mesh: readonly MeshPoint[];
  /** Head rotation in radians as Human reports it; undefined when the mesh could not give it. */
  rotation?: { roll: number; yaw: number; pitch: number } | undefined;
  emotions?: readonly { emotion: string; score: number }[] | undefined;
}

/**
 * Thresholds of the geometric heuristics, measured on the fixture faces and on the faces in
 * Human's own screenshots: open eyes read a lid gap of 0.30–0.45 of the eye width, closed eyes
 * under 0.15; bare eyes are at least ~0.45 as bright as the cheeks, sunglasses ~0.2.
 */
const HEURISTICS = {
  eyesOpenLidGap: 0.22,
  sunglassesEyeToCheek: 0.35,
  mouthOpenLipGap: 0.12,
} as const;

const EMOTION_NAMES: Record<string, EmotionName> = {
  angry: "ANGRY",
  disgust: "DISGUSTED",
  fear: "FEAR",
  happy: "HAPPY",
  sad: "SAD",
  surprise: "SURPRISED",
  neutral: "CALM",
};

/** Which optional attributes a request asked for: DEFAULT gives none, ALL every one we can honestly give. */
function wantedAttributes(attributes: readonly Attribute[] | undefined): Set<Attribute> {
  const wanted = new Set<Attribute>(attributes ?? ["DEFAULT"]);
  if (wanted.has("ALL"))
    return new Set<Attribute>(["EMOTIONS", "EYES_OPEN", "MOUTH_OPEN", "SMILE", "SUNGLASSES"]);
  return wanted;
}

/**
 * Maps one detected face to Rekognition's FaceDetail. Fields the on-device models cannot judge
 * (AgeRange, Gender, Beard, Mustache, Eyeglasses, EyeDirection, FaceOccluded) are left out rather
 * than guessed; the SDK treats them as absent, as it does for DEFAULT requests.
 */
export async function toFaceDetail(
  face: DetectedFace,
  image: RgbImage,
  attributes: readonly Attribute[] | undefined,
): Promise<FaceDetail> {
  const wanted = wantedAttributes(attributes);
  const point = (i: number): [number, number] => {
    const p = face.mesh[i];
    if (!p || p[0] === undefined || p[1] === undefined) throw new Error(`Face mesh has no point ${i}`);
    return [p[0], p[1]];
  };
  const box = meshBox(face.mesh);
  const detail: FaceDetail = {
    BoundingBox: {
      Width: box.width / image.width,
      Height: box.height / image.height,
      Left: box.left / image.width,
      Top: box.top / image.height,
    },
    Confidence: percent(face.score),
    Landmarks: landmarks(point, image),
    Quality: await quality(image, box),
  };
  if (face.rotation) {
    detail.Pose = {
      Roll: degrees(face.rotation.roll),
      Yaw: degrees(face.rotation.yaw),
      Pitch: degrees(face.rotation.pitch),
    };
  }
  if (wanted.has("EYES_OPEN")) {
    const gap = lidGap(point);
    detail.EyesOpen = {
      Value: gap >= HEURISTICS.eyesOpenLidGap,
      Confidence: confidence(gap, HEURISTICS.eyesOpenLidGap, 0.08),
    };
  }
  if (wanted.has("SUNGLASSES")) {
    const ratio = eyeToCheekBrightness(point, image);
    detail.Sunglasses = {
      Value: ratio < HEURISTICS.sunglassesEyeToCheek,
      Confidence: confidence(ratio, HEURISTICS.sunglassesEyeToCheek, 0.1),
    };
  }
  if (wanted.has("MOUTH_OPEN")) {
    const gap = lipGap(point);
    detail.MouthOpen = {
      Value: gap >= HEURISTICS.mouthOpenLipGap,
      Confidence: confidence(gap, HEURISTICS.mouthOpenLipGap, 0.06),
    };
  }
  const emotions = face.emotions ?? [];
  if (wanted.has("SMILE") && emotions.length > 0) {
    // The emotion model's "happy" score is the only smile signal the models give.
    const happy = emotions.find((e) => e.emotion === "happy")?.score ?? 0;
    detail.Smile = { Value: happy >= 0.5, Confidence: percent(happy >= 0.5 ? happy : 1 - happy) };
  }
  if (wanted.has("EMOTIONS") && emotions.length > 0) {
    detail.Emotions = emotions
      .filter((e) => EMOTION_NAMES[e.emotion] !== undefined)
      .map((e): Emotion => ({ Type: EMOTION_NAMES[e.emotion], Confidence: percent(e.score) }))
      .sort((a, b) => (b.Confidence ?? 0) - (a.Confidence ?? 0));
  }
  return detail;
}

interface PixelBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The tight box around the mesh: Human's own box is padded ~1.4×, Rekognition's is not. */
export function meshBox(mesh: readonly MeshPoint[]): PixelBox {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const [x, y] of mesh) {
    if (x === undefined || y === undefined) continue;
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  return { left: minX, top: minY, width: maxX - minX, height: maxY - minY };
}

function landmarks(point: (i: number) => [number, number], image: RgbImage): Landmark[] {
  return Object.entries(LANDMARK_MESH_POINTS).map(([type, indices]) => {
    const points = indices.map(point);
    const x = points.reduce((sum, p) => sum + p[0], 0) / points.length;
    const y = points.reduce((sum, p) => sum + p[1], 0) / points.length;
    return { Type: type as Landmark["Type"], X: x / image.width, Y: y / image.height };
  });
}

/**
 * Brightness and sharpness of the face crop, 0–100. The crop is cut to its own buffer before
 * `stats()`, which would otherwise report on the whole image. Sharpness is sharp's Laplacian
 * estimate at a fixed 160 px crop width, so it does not depend on the face's size in pixels.
 */
async function quality(image: RgbImage, box: PixelBox): Promise<{ Brightness: number; Sharpness: number }> {
  const left = clamp(Math.floor(box.left), 0, image.width - 1);
  const top = clamp(Math.floor(box.top), 0, image.height - 1);
  const width = clamp(Math.ceil(box.left + box.width) - left, 1, image.width - left);
  const height = clamp(Math.ceil(box.top + box.height) - top, 1, image.height - top);
  const crop = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extract({ left, top, width, height })
    .greyscale()
    .resize({ width: 160 })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const stats = await sharp(crop.data, {
    raw: { width: crop.info.width, height: crop.info.height, channels: crop.info.channels as 1 },
  }).stats();
  const mean = stats.channels[0]?.mean ?? 0;
  return {
    Brightness: clamp((mean / 255) * 100, 0, 100),
    Sharpness: clamp((stats.sharpness - SHARPNESS_FLOOR) * SHARPNESS_SCALE, 0, 100),
  };
}

/**
 * Maps sharp's Laplacian estimate to 0–100. Measured on the faces in Human's screenshots at the
 * 160 px crop width: unblurred 0.47–0.59, Gaussian blur σ 1 ≈ 0.3, σ 2 ≈ 0.2, σ 3 ≈ 0.17; a crop
 * blurred flat still reads ~0.15 (JPEG noise). So unblurred faces land at 30–45, σ ≥ 2 under 10.
 */
const SHARPNESS_FLOOR = 0.15;
const SHARPNESS_SCALE = 100;

/** Mean vertical lid gap over the eye width, both eyes. */
function lidGap(point: (i: number) => [number, number]): number {
  const ratio = (eye: (typeof EYE_POINTS)["left"] | (typeof EYE_POINTS)["right"]) =>
    distance(point(eye.upper), point(eye.lower)) / distance(point(eye.outer), point(eye.inner));
  return (ratio(EYE_POINTS.left) + ratio(EYE_POINTS.right)) / 2;
}

function lipGap(point: (i: number) => [number, number]): number {
  return (
    distance(point(MOUTH_POINTS.upperInner), point(MOUTH_POINTS.lowerInner)) /
    distance(point(MOUTH_POINTS.left), point(MOUTH_POINTS.right))
  );
}

/**
 * Mean luminance of the eye regions over that of the cheeks below them. No model detects
 * sunglasses; dark lenses make the eye region far darker than the cheeks, bare eyes do not.
 * Clear glasses are not detected.
 */
function eyeToCheekBrightness(point: (i: number) => [number, number], image: RgbImage): number {
  const ratios = [EYE_POINTS.left, EYE_POINTS.right].map((eye) => {
    const outer = point(eye.outer);
    const inner = point(eye.inner);
    const width = distance(outer, inner);
    const centre: [number, number] = [(outer[0] + inner[0]) / 2, (outer[1] + inner[1]) / 2];
    const eyeLuma = meanLuma(image, centre, width, width * 0.5);
    const cheekLuma = meanLuma(image, point(eye.cheek), width * 0.5, width * 0.5);
    return eyeLuma / Math.max(cheekLuma, 1);
  });
  return ratios.reduce((a, b) => a + b, 0) / ratios.length;
}

function meanLuma(image: RgbImage, centre: [number, number], width: number, height: number): number {
  const x0 = clamp(Math.round(centre[0] - width / 2), 0, image.width - 1);
  const x1 = clamp(Math.round(centre[0] + width / 2), x0 + 1, image.width);
  const y0 = clamp(Math.round(centre[1] - height / 2), 0, image.height - 1);
  const y1 = clamp(Math.round(centre[1] + height / 2), y0 + 1, image.height);
  let sum = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * image.width + x) * 3;
      sum +=
        0.2126 * (image.data[i] ?? 0) + 0.7152 * (image.data[i + 1] ?? 0) + 0.0722 * (image.data[i + 2] ?? 0);
    }
  }
  return sum / ((x1 - x0) * (y1 - y0));
}

/** 50 at the threshold, rising towards 99.9 as `value` moves `spread` or more away from it. */
function confidence(value: number, threshold: number, spread: number): number {
  return clamp(50 + 50 * Math.tanh((2 * Math.abs(value - threshold)) / spread), 50, 99.9);
}

function percent(score: number): number {
  return clamp(score * 100, 0, 100);
}

function degrees(radians: number): number {
  return (radians * 180) / Math.PI;
}

function distance(a: [number, number], b: [number, number]): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
