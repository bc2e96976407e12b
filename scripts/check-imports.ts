import { resolve } from "node:path";
import { checkImports, type ImportProblem } from "./lib/import-check";

const describe = (problem: ImportProblem) =>
  `${problem.at ?? `${problem.packageDir}/package.json`}: ${problem.message}`;

// `pnpm lint` runs this after biome: imports stay inside their package, manifests match imports.
const failures = checkImports(resolve(import.meta.dirname, "..")).map(describe);
for (const line of failures) console.error(line);
if (failures.length > 0) {
  console.error(`\n${failures.length} import problem(s).`);
  process.exit(1);
}
console.log(
  "imports: each package imports only what it declares; no import crosses a package root; no cycle.",
);
