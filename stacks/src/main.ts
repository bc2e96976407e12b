/**
 * What cdktf.json runs. Source maps go off before cdktf loads: Node would otherwise decode the
 * inline source map of every cdktf and provider module, and map the stack trace cdktf captures
 * for every token, which together cost about a fifth of a synth. Errors are reported by message.
 */
process.setSourceMapsEnabled(false);
const { runApp } = await import("./run-app");
await runApp(process.argv.slice(2));

export {};
