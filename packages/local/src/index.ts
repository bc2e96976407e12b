export { createLocalAdminDeps, startAdminApiServer } from "./admin-api";
export * from "./admin-site";
export * from "@photogate/local-emulators";
export { provisionUserPool, seedUsers, signIn, userPoolProviderName } from "@photogate/local-emulators";
export { startUserPoolEmulator } from "@photogate/local-emulators";
export {
  CredentialStore,
  type ServiceCredentials,
  type Session,
  type SessionCredentials,
} from "@photogate/local-emulators";
export { ensureTables, startDynamoServer } from "@photogate/local-emulators";
export { type DynamoGateway, dynamoPermissions, startDynamoGateway } from "@photogate/local-emulators";
export { startEdgeProxy } from "@photogate/local-emulators";
export * from "./endpoints";
export { type FinalRecord, type PhotoRef, waitForFinalRecords } from "./final-records";
export { createJsonAuthorizer, LOCAL_ACCOUNT_ID } from "@photogate/local-emulators";
export { identityPoolRoles, localFunctionRoles } from "@photogate/local-emulators";
export { startIdentityEndpoint } from "@photogate/local-emulators";
export { localRekognitionClient } from "@photogate/local-emulators";
export { decodeImage, MAX_IMAGE_BYTES, MIN_IMAGE_EDGE, type RgbImage } from "@photogate/local-emulators";
export {
  type RekognitionEndpoint,
  type RekognitionEndpointOptions,
  startRekognitionEndpoint,
} from "@photogate/local-emulators";
export { ModelLoadError, RekognitionError } from "@photogate/local-emulators";
export { type BodyPose, createFaceDetector, humanPackageDir } from "@photogate/local-emulators";
export {
  createModerationClassifier,
  MODERATION_CALIBRATION,
  moderationLabels,
} from "@photogate/local-emulators";
export { torsoSkin } from "@photogate/local-emulators";
export * from "@photogate/local-emulators";
export * from "@photogate/local-emulators";
export { findUser, type SeededPhoto, seedSamplePhotos, signInLocalUser } from "./seed";
export {
  DEFAULT_USERS,
  type LocalStack,
  type LocalStackOptions,
  SERVICE_CREDENTIALS,
  startLocalStack,
} from "./stack";
export { type StackProcess, StackProcessError, startStackProcess } from "./stack-process";
export * from "./upload";
export { type AcceptedUpload, type UploadBurstResult, uploadBurst } from "./upload-burst";
