import { bundleFunction, type FunctionBundleSpec, functionBundles } from "@photogate/build";

/** Bundles every Lambda function into dist/functions/ (the stacks' assets). */
async function main(names: string[]): Promise<void> {
  const specs: FunctionBundleSpec[] = names.length
    ? names.map((n) => {
        const spec = functionBundles.find((s) => s.name === n);
        if (!spec)
          throw new Error(
            `Unknown function "${n}": use one of ${functionBundles.map((s) => s.name).join(", ")}`,
          );
        return spec;
      })
    : functionBundles;
  for (const spec of specs) {
    const started = performance.now();
    process.stdout.write(`bundling ${spec.name} … `);
    const bundle = await bundleFunction(spec);
    const ms = Math.round(performance.now() - started);
    console.log(`${(bundle.codeBytes / 1024).toFixed(1)} KB in ${ms} ms → ${bundle.dir}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
