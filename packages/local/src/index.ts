export {
  type RekognitionEndpoint,
  type RekognitionEndpointOptions,
  startRekognitionEndpoint,
} from "./rekognition/endpoint";
export { ModelLoadError, RekognitionError } from "./rekognition/errors";
