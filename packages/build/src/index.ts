export {
  ADMIN_APP_DIR,
  ADMIN_DIST_DIR,
  ADMIN_SOURCES,
  type BundleReport,
  buildAdminApp,
  isBuildStale,
  measureBundle,
} from "./admin-app";
export {
  bundleDir,
  bundleFunction,
  type FunctionBundle,
  type FunctionBundleSpec,
  functionsOutDir,
  type LambdaArchitecture,
  repoRoot,
} from "./bundle";
export { type CompiledAppManifest, compileApp, ensureCompiledApp, manifestPath } from "./compiled-app";
export {
  type Deployable,
  deployablesFor,
  type EnsureResult,
  ensureBuilds,
  functionDeployable,
} from "./ensure-builds";
export { functionBundles } from "./functions";
export { hashInputs, workspaceClosure } from "./input-hash";
export { BUILD_DIR_ENV, type BuildLayout, buildLayout } from "./layout";
