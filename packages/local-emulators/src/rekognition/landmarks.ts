import type { LandmarkType } from "@aws-sdk/client-rekognition";

/**
 * Rekognition's landmark types as points of the 478-point MediaPipe face mesh that Human
 * returns (468 mesh points, then the iris centres 468 and 473). Rekognition names sides from the
 * viewer: `eyeLeft` is the eye on the left of the image, which is MediaPipe's "right" eye.
 * A pair of indices means the midpoint of the two. Human appends the iris centres the other way
 * round from the mesh's sides (measured: 468 lies in the image-right eye), hence 473 for leftPupil.
 */
export const LANDMARK_MESH_POINTS: Record<LandmarkType, readonly [number] | readonly [number, number]> = {
  eyeLeft: [33, 133],
  eyeRight: [362, 263],
  leftPupil: [473],
  rightPupil: [468],
  leftEyeLeft: [33],
  leftEyeRight: [133],
  leftEyeUp: [159],
  leftEyeDown: [145],
  rightEyeLeft: [362],
  rightEyeRight: [263],
  rightEyeUp: [386],
  rightEyeDown: [374],
  leftEyeBrowLeft: [70],
  leftEyeBrowUp: [105],
  leftEyeBrowRight: [107],
  rightEyeBrowLeft: [336],
  rightEyeBrowUp: [334],
  rightEyeBrowRight: [300],
  nose: [1],
  noseLeft: [98],
  noseRight: [327],
  mouthLeft: [61],
  mouthRight: [291],
  mouthUp: [0],
  mouthDown: [17],
  upperJawlineLeft: [234],
  midJawlineLeft: [172],
  chinBottom: [152],
  midJawlineRight: [397],
  upperJawlineRight: [454],
};

/** Mesh points the eye-openness and sunglasses measures read (viewer's left eye first). */
export const EYE_POINTS = {
  left: { outer: 33, inner: 133, upper: 159, lower: 145, brow: 105, cheek: 205 },
  right: { outer: 263, inner: 362, upper: 386, lower: 374, brow: 334, cheek: 425 },
} as const;

/** Inner lip points and mouth corners, for MouthOpen. */
export const MOUTH_POINTS = { upperInner: 13, lowerInner: 14, left: 61, right: 291 } as const;
