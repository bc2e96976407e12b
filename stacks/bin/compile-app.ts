import { ensureCompiledApp } from "@photogate/build";

/**
 * `tsx stacks/bin/compile-app.ts <entry> <outfile>`: compiles the CDKTF app (for cdktf-app.mjs
 * beside it) to one CommonJS file unless its inputs' bytes are unchanged. Progress goes to
 * stderr, so the app's stdout stays clean for the CDKTF CLI.
 */
const [entry, outfile] = process.argv.slice(2);
if (!entry || !outfile) {
  console.error(
    "usage: tsx stacks/bin/compile-app.ts <entry, relative to the repository> <output .cjs file>",
  );
  process.exit(2);
}
const started = performance.now();
try {
  const { compiled } = await ensureCompiledApp(entry, outfile);
  if (compiled)
    process.stderr.write(`compiled ${entry} in ${Math.round(performance.now() - started)} ms → ${outfile}\n`);
} catch (error) {
  console.error(`compiling ${entry} failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
