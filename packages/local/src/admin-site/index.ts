export { ensureAdminBuild } from "./build";
export {
  type AdminSite,
  type AdminSiteOptions,
  contentTypeFor,
  isFileRequest,
  type LocalAdminAppConfig,
  localAdminCsp,
  startAdminSite,
} from "./server";
