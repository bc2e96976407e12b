/**
 * The child side of `startStackProcess` (stack-process.ts): runs a local stack on free ports
 * until SIGINT/SIGTERM, and reports on stdout, one JSON line each, when it is ready and how
 * its shutdown went. Warnings and errors go to stderr.
 */
import { createLogger } from "@photogate/processor";
import { ANY_FREE_PORTS } from "./endpoints";
import { startDevStack } from "./stack";

const { dataDir, drainTimeoutMs } = JSON.parse(process.argv[2] ?? "{}") as {
  dataDir?: string;
  drainTimeoutMs?: number;
};
if (!dataDir) throw new Error('usage: stack-process-main.ts \'{"dataDir":"…","drainTimeoutMs":10000}\'');

const stack = await startDevStack({
  dataDir,
  ports: ANY_FREE_PORTS,
  ...(drainTimeoutMs === undefined ? {} : { drainTimeoutMs }),
  log: createLogger((entry) => {
    if (entry.level !== "info") process.stderr.write(`${JSON.stringify(entry)}\n`);
  }),
});
console.log(JSON.stringify({ ready: { endpoints: stack.endpoints, redelivered: stack.redelivered } }));

const shutdown = async () => {
  const report = await stack.stop();
  console.log(JSON.stringify({ stopped: report }));
  process.exit(0);
};
process.once("SIGINT", () => void shutdown());
process.once("SIGTERM", () => void shutdown());
