import { buildLayout, ensureBuilds, functionBundles, functionDeployable } from "@photogate/build";

/**
 * `pnpm build:functions [name…]`: bundles every Lambda function (or the named ones) into
 * dist/functions/ now, and records their input hashes so the CDKTF app does not redo them.
 */
async function main(names: string[]): Promise<void> {
  const known = new Set(functionBundles.map((s) => s.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) {
    throw new Error(`Unknown function "${unknown.join(", ")}": use one of ${[...known].join(", ")}`);
  }
  const layout = buildLayout();
  const specs = functionBundles.filter((s) => names.length === 0 || names.includes(s.name));
  await ensureBuilds(
    specs.map((spec) => functionDeployable(spec, layout)),
    layout,
    { write: (text) => process.stdout.write(text), force: true },
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
