import { resolve } from "node:path";
import { checkImports, type ImportProblem } from "./lib/import-check";

/**
 * Problems another change removes: the function bundler becomes a workspace package (stacks and
 * the bundle tests then import it by name, and stacks' esbuild and tsx move with it), and stacks
 * gets exports for the function configs and the app its tests and the synth bench use. Shown as
 * warnings until then; anything else fails `pnpm lint`.
 */
const PENDING_ELSEWHERE = [
  "functions/edge-auth/test/unit/bundle.test.ts",
  "functions/processor/test/integration/bundle.test.ts",
  "stacks/src/main.ts",
  "stacks/test/admin-api.test.ts",
  "stacks/test/edge-distribution.test.ts",
  "scripts/bench/synth.bench.ts",
  'stacks/package.json: declares "esbuild"',
  'stacks/package.json: declares "tsx"',
];

const describe = (problem: ImportProblem) =>
  `${problem.at ?? `${problem.packageDir}/package.json`}: ${problem.message}`;
const pending = (line: string) => PENDING_ELSEWHERE.some((prefix) => line.startsWith(prefix));

// `pnpm lint` runs this after biome: imports stay inside their package, manifests match imports.
const lines = checkImports(resolve(import.meta.dirname, "..")).map(describe);
const failures = lines.filter((line) => !pending(line));
for (const line of lines.filter(pending)) console.warn(`warning (pending): ${line}`);
for (const line of failures) console.error(line);
if (failures.length > 0) {
  console.error(`\n${failures.length} import problem(s).`);
  process.exit(1);
}
console.log(
  "imports: each package imports only what it declares; no import crosses a package root; no cycle.",
);
