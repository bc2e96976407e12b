export { localRekognitionClient } from "./rekognition/client";
export { decodeImage, MAX_IMAGE_BYTES, MIN_IMAGE_EDGE, type RgbImage } from "./rekognition/decode-image";
export {
  type RekognitionEndpoint,
  type RekognitionEndpointOptions,
  startRekognitionEndpoint,
} from "./rekognition/endpoint";
export { ModelLoadError, RekognitionError } from "./rekognition/errors";
