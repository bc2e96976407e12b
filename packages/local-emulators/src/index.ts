export * from "./cognito/errors";
export { provisionUserPool, seedUsers, signIn, userPoolProviderName } from "./cognito/provision";
export { startUserPoolEmulator } from "./cognito/user-pool-emulator";
export {
  CredentialStore,
  type ServiceCredentials,
  type Session,
  type SessionCredentials,
} from "./credentials";
export { type DynamoServer, ensureTables, startDynamoServer } from "./dynamodb";
export { type DynamoGateway, startDynamoGateway } from "./dynamodb-gateway";
export { startEdgeProxy, type ViewerRequestHandler } from "./edge/edge-proxy";
export { edgeOriginRole } from "./edge/origin-access";
export {
  EMULATOR_SERVICE_CREDENTIALS,
  type EmulatorPort,
  type Emulators,
  type EmulatorsOptions,
  type EmulatorUser,
  type EmulatorUserSpec,
  type RoleKeys,
  startEmulators,
} from "./emulators";
export { createJsonAuthorizer, LOCAL_ACCOUNT_ID } from "./iam/json-authorizer";
export { identityPoolRoles, localFunctionRoles } from "./iam/local-roles";
export { startIdentityEndpoint } from "./identity/identity-endpoint";
export { nameBasedUuid } from "./ids";
export { createProgress, type Progress, silentProgress } from "./progress";
export { type BodyLimit, type ReadBody, readBody } from "./read-body";
export { localRekognitionClient } from "./rekognition/client";
export { decodeImage, type RgbImage } from "./rekognition/decode-image";
export {
  type RekognitionEndpoint,
  type RekognitionEndpointOptions,
  startRekognitionEndpoint,
} from "./rekognition/endpoint";
export { ModelLoadError, RekognitionError } from "./rekognition/errors";
export { type BodyPose, createFaceDetector, humanPackageDir } from "./rekognition/face-detector";
export {
  createModerationClassifier,
  moderationLabels,
} from "./rekognition/moderation";
export { torsoSkin } from "./rekognition/torso-skin";
export * from "./s3";
export * from "./sample-images";
export { startTestTokenIssuer, type TestTokenIssuer } from "./test-token-issuer";
