export {
  deletePhotoDerivatives,
  type PublishDeps,
  type PublishOptions,
  publishVerdict,
  SHARED_CACHE_CONTROL,
  unpublishPhoto,
} from "./publish";
export { PublishError } from "./publish-error";
