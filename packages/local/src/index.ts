export {
  type AdminSite,
  type AdminSiteOptions,
  type LocalAdminAppConfig,
  startAdminSite,
} from "./admin-site/server";
export * from "./endpoints";
export { type FinalRecord, type PhotoRef, waitForFinalRecords } from "./final-records";
export { findUser, type SeededPhoto, seedSamplePhotos, signInLocalUser } from "./seed";
export {
  type DevStack,
  type DevStackOptions,
  SERVICE_CREDENTIALS,
  startDevStack,
} from "./stack";
export { type StackProcess, StackProcessError, startStackProcess } from "./stack-process";
export * from "./upload";
export { type AcceptedUpload, type UploadBurstResult, uploadBurst } from "./upload-burst";
