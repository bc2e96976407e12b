import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";

/** One thing wrong with a package's imports or manifest, said so a person can fix it. */
export interface ImportProblem {
  kind: "crosses-package-root" | "undeclared-dependency" | "unused-dependency" | "dependency-cycle";
  /** The package (its folder, relative to the workspace root). */
  packageDir: string;
  /** The file and line, when the problem is an import. */
  at?: string;
  message: string;
}

interface Manifest {
  name?: string;
  /**
   * Packages loaded at run time by a dependency that does not declare them (so no import here
   * names them), each with the reason: `{ "photogate": { "loadedBy": { "pkg": "why" } } }`.
   */
  photogate?: { loadedBy?: Record<string, string> };
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

export interface WorkspacePackage {
  dir: string;
  manifest: Manifest;
}

const SOURCE = /\.(?:[cm]?ts|tsx|[cm]?js|jsx)$/;
const SKIPPED_DIRS = new Set(["node_modules", "dist", "cdktf.out", ".photogate", "coverage"]);
const BUILTINS = new Set(builtinModules);
// Type-only packages whose types arrive under another name.
const TYPES_FOR: Record<string, string> = { "aws-lambda": "@types/aws-lambda" };
// Binaries that package.json scripts run, by the package that ships them.
const BINARIES: Record<string, string> = { tsc: "typescript", biome: "@biomejs/biome" };

/** The workspace packages that `pnpm-workspace.yaml` lists (plain folders and `dir/*` globs). */
export function workspacePackages(root: string): WorkspacePackage[] {
  const yaml = readFileSync(join(root, "pnpm-workspace.yaml"), "utf8");
  const block = /^packages:\s*\n((?:\s+-\s*.+\n?)+)/m.exec(yaml);
  if (!block) throw new Error(`${join(root, "pnpm-workspace.yaml")} has no packages: list`);
  const patterns = [...block[1]!.matchAll(/-\s*["']?([^"'\s]+)["']?/g)].map((m) => m[1]!);
  const dirs = patterns.flatMap((pattern) => {
    if (!pattern.endsWith("/*")) return [pattern];
    const parent = pattern.slice(0, -2);
    if (!existsSync(join(root, parent))) return [];
    return readdirSync(join(root, parent)).map((name) => `${parent}/${name}`);
  });
  return dirs
    .filter((dir) => existsSync(join(root, dir, "package.json")))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) }));
}

/**
 * The module specifiers a file refers to, with their offsets: imports, re-exports, dynamic
 * imports, `import("x")` types, require() and `….resolve("x")` calls (require.resolve,
 * createRequire(…).resolve), which load a package at run time. Parsed, so strings and comments
 * that merely mention a module do not count.
 */
export function moduleReferences(
  text: string,
  fileName = "file.ts",
): { specifier: string; offset: number }[] {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: { specifier: string; offset: number }[] = [];
  const add = (node: ts.Node | undefined) => {
    if (node && ts.isStringLiteralLike(node))
      found.push({ specifier: node.text, offset: node.getStart(file) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const loads =
        callee.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(callee) && callee.text === "require") ||
        (ts.isPropertyAccessExpression(callee) &&
          callee.name.text === "resolve" &&
          !ts.isIdentifier(callee.expression)) ||
        (ts.isPropertyAccessExpression(callee) &&
          callee.name.text === "resolve" &&
          ts.isIdentifier(callee.expression) &&
          callee.expression.text === "require");
      if (loads) add(node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (SKIPPED_DIRS.has(entry) || entry.startsWith(".")) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (SOURCE.test(entry) && !entry.endsWith(".d.ts")) files.push(path);
  }
  return files;
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith("node:") || BUILTINS.has(packageName(specifier));
}

function peerDependencies(packageRoot: string, dependency: string): string[] {
  try {
    const manifest = JSON.parse(
      readFileSync(join(packageRoot, "node_modules", dependency, "package.json"), "utf8"),
    ) as Manifest;
    return Object.keys(manifest.peerDependencies ?? {});
  } catch {
    return [];
  }
}

/**
 * Checks every workspace package: no relative import leaves the package's folder, every bare
 * import names a package its package.json declares, every declared dependency is used (by an
 * import, a script's binary, or as a peer of a used one), and no cycle runs between workspace
 * packages through dependencies or devDependencies.
 */
export function checkImports(root: string): ImportProblem[] {
  const packages = workspacePackages(root);
  const problems: ImportProblem[] = [];
  for (const pkg of packages) problems.push(...checkPackage(root, pkg));
  problems.push(...findCycles(packages));
  return problems;
}

function checkPackage(root: string, { dir, manifest }: WorkspacePackage): ImportProblem[] {
  const problems: ImportProblem[] = [];
  const packageRoot = resolve(root, dir);
  const declared = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.devDependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]);
  const used = new Set<string>();
  for (const file of sourceFiles(packageRoot)) {
    const text = readFileSync(file, "utf8");
    for (const { specifier, offset } of moduleReferences(text, file)) {
      const line = text.slice(0, offset).split("\n").length;
      const at = `${relative(root, file)}:${line}`;
      if (specifier.startsWith(".")) {
        const target = resolve(dirname(file), specifier);
        if (target !== packageRoot && !target.startsWith(packageRoot + sep)) {
          problems.push({
            kind: "crosses-package-root",
            packageDir: dir,
            at,
            message: `"${specifier}" reaches outside ${dir}: import it through that package's name and exports`,
          });
        }
        continue;
      }
      if (isBuiltin(specifier) || specifier.startsWith("virtual:")) continue;
      const name = packageName(specifier);
      if (name === manifest.name) continue;
      const declaredAs = declared.has(name) ? name : TYPES_FOR[name];
      if (declaredAs && declared.has(declaredAs)) {
        used.add(declaredAs);
        continue;
      }
      problems.push({
        kind: "undeclared-dependency",
        packageDir: dir,
        at,
        message: `imports "${name}", which ${dir}/package.json does not declare (add it to dependencies or devDependencies)`,
      });
    }
  }
  for (const command of Object.values(manifest.scripts ?? {})) {
    for (const word of command.split(/[\s&|;]+/)) used.add(BINARIES[word] ?? word);
  }
  for (const dependency of Object.keys(manifest.photogate?.loadedBy ?? {})) used.add(dependency);
  for (const dependency of [...used])
    for (const peer of peerDependencies(packageRoot, dependency)) used.add(peer);
  for (const dependency of declared) {
    if (used.has(dependency) || dependency.startsWith("@types/")) continue;
    problems.push({
      kind: "unused-dependency",
      packageDir: dir,
      message: `declares "${dependency}" but nothing in ${dir} imports it: remove it from package.json`,
    });
  }
  return problems;
}

/** Cycles between workspace packages, counting dependencies and devDependencies. */
export function findCycles(packages: readonly WorkspacePackage[]): ImportProblem[] {
  const byName = new Map(packages.filter((p) => p.manifest.name).map((p) => [p.manifest.name!, p]));
  const edges = (pkg: WorkspacePackage) =>
    [
      ...Object.keys(pkg.manifest.dependencies ?? {}),
      ...Object.keys(pkg.manifest.devDependencies ?? {}),
    ].filter((name) => byName.has(name) && name !== pkg.manifest.name);
  const problems: ImportProblem[] = [];
  const seen = new Set<string>();
  const done = new Set<string>();
  const reported = new Set<string>();
  const visit = (name: string, path: string[]) => {
    if (done.has(name)) return;
    if (seen.has(name)) {
      const cycle = [...path.slice(path.indexOf(name)), name];
      const key = [...cycle.slice(0, -1)].sort().join(" ");
      if (!reported.has(key)) {
        reported.add(key);
        problems.push({
          kind: "dependency-cycle",
          packageDir: byName.get(name)!.dir,
          message: `workspace packages depend on each other in a cycle: ${cycle.join(" → ")}`,
        });
      }
      return;
    }
    seen.add(name);
    for (const next of edges(byName.get(name)!)) visit(next, [...path, name]);
    seen.delete(name);
    done.add(name);
  };
  for (const name of byName.keys()) visit(name, []);
  return problems;
}
