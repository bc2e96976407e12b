import { createRequire, Module } from "node:module";

/**
 * Packages cdktf loads when it loads and that a photogate synth never calls. `archiver` (with
 * glob, lodash, readable-stream and more: about a tenth of a synth) serves cdktf's ARCHIVE
 * assets, which zip in a child `node` process that loads its own copy; photogate zips function
 * code itself. `semver` serves binary-version validations photogate does not add.
 */
const DEFERRED = ["archiver", "semver"];

/**
 * Puts a stand-in for each of cdktf's `DEFERRED` packages in Node's module cache, so requiring
 * one costs nothing. The first call, property read or `new` on a stand-in loads the real
 * package and forwards to it, so nothing breaks if a later cdktf does use one in-process.
 * Must run before cdktf is first required; a package already loaded is left as it is.
 */
export function deferUnusedModules(): void {
  const fromStacks = createRequire(import.meta.url);
  const fromCdktf = createRequire(fromStacks.resolve("cdktf"));
  for (const name of DEFERRED) {
    const path = fromCdktf.resolve(name);
    if (fromCdktf.cache[path]) continue;
    let real: object | undefined;
    const load = (): object => {
      if (!real) {
        delete fromCdktf.cache[path];
        real = fromCdktf(path) as object;
      }
      return real;
    };
    const stand = new Module(path);
    stand.filename = path;
    stand.loaded = true;
    stand.exports = new Proxy(function deferred() {}, {
      apply: (_target, self, args) => Reflect.apply(load() as () => unknown, self, args),
      construct: (_target, args) => Reflect.construct(load() as new () => object, args),
      get: (_target, key) => Reflect.get(load(), key),
      has: (_target, key) => Reflect.has(load(), key),
    });
    fromCdktf.cache[path] = stand;
  }
}
