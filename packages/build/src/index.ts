export {
  bundleDir,
  bundleFunction,
  type FunctionBundle,
  type FunctionBundleSpec,
  functionsOutDir,
  type LambdaArchitecture,
  repoRoot,
} from "./bundle";
export { functionBundles } from "./functions";
