export { ensureAdminBuild } from "./build";
export {
  type AdminSite,
  type AdminSiteOptions,
  type LocalAdminAppConfig,
  localAdminCsp,
  startAdminSite,
} from "./server";
