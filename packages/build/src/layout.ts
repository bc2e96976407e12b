import { join, resolve } from "node:path";
import { ADMIN_DIST_DIR } from "./admin-app";
import { repoRoot } from "./repo-root";

/**
 * Moves every build output under one directory when set (tests build into a temporary one so
 * they never race over dist/); unset, outputs go where `pnpm dev` and the stacks expect them.
 */
export const BUILD_DIR_ENV = "PHOTOGATE_BUILD_DIR";

/** Where the deployable builds are written and where their input hashes are kept. */
export interface BuildLayout {
  /** One folder per bundle: {functionsDir}/{name}-{architecture}/index.mjs. */
  functionsDir: string;
  /** The built admin app (index.html and its assets). */
  adminSiteDir: string;
  /** One file per build holding the hash of the inputs it was built from. */
  hashesDir: string;
  /**
   * The CDKTF app compiled to one CommonJS file (stacks/bin/cdktf-app.mjs finds it the same
   * way, from the same variable), with its inputs manifest beside it.
   */
  compiledApp: string;
}

export function buildLayout(buildDir = process.env[BUILD_DIR_ENV]): BuildLayout {
  if (!buildDir) {
    const dist = join(repoRoot, "dist");
    return {
      functionsDir: join(dist, "functions"),
      adminSiteDir: ADMIN_DIST_DIR,
      hashesDir: join(dist, ".input-hashes"),
      compiledApp: join(dist, "stacks-app/main.cjs"),
    };
  }
  const root = resolve(buildDir);
  return {
    functionsDir: join(root, "functions"),
    adminSiteDir: join(root, "admin-site"),
    hashesDir: join(root, ".input-hashes"),
    compiledApp: join(root, "stacks-app/main.cjs"),
  };
}
