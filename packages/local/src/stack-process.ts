import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { DrainReport } from "@photogate/local-emulators";
import type { DevStackEndpoints } from "./endpoints";

export interface StackProcessOptions {
  /** Kept across restarts: start a second process on it to see what the first one left. */
  dataDir: string;
  /** The stack's `drainTimeoutMs` for SIGINT/SIGTERM. */
  drainTimeoutMs?: number;
  /** How long start-up may take (model loading on a busy machine). Default 180 s. */
  readyTimeoutMs?: number;
}

export interface StackProcess {
  endpoints: DevStackEndpoints;
  /** Notifications an earlier run left pending, queued again at this start. */
  redelivered: number;
  pid: number;
  /**
   * Sends `signal` and resolves once the process exited; `report` is the shutdown's (none after
   * SIGKILL, which is the point of SIGKILL).
   */
  stop(signal: "SIGINT" | "SIGTERM" | "SIGKILL"): Promise<{ code: number | null; report?: DrainReport }>;
}

/** Raised when the child exits or stays silent before it is ready; carries its last stderr lines. */
export class StackProcessError extends Error {
  readonly code = "STACK_PROCESS_FAILED";
  override name = "StackProcessError";
}

/**
 * Runs `startDevStack` in a child process (free ports, the given data folder), so a test or a
 * benchmark can kill it at any moment, as an operator's `kill -9` or Ctrl-C would, and restart it.
 */
export function startStackProcess(options: StackProcessOptions): Promise<StackProcess> {
  const main = join(import.meta.dirname, "stack-process-main.ts");
  const config = JSON.stringify({ dataDir: options.dataDir, drainTimeoutMs: options.drainTimeoutMs });
  // tsx runs the TypeScript sources, as `pnpm dev` does; it is the workspace root's dev dependency.
  const child = spawn(process.execPath, ["--import", "tsx", main, config], {
    cwd: join(import.meta.dirname, ".."),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on("line", (line) => {
    stderr.push(line);
    if (stderr.length > 20) stderr.shift();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let report: DrainReport | undefined;

  return new Promise<StackProcess>((resolve, reject) => {
    const fail = (why: string) => {
      child.kill("SIGKILL");
      reject(new StackProcessError(`${why}; its last stderr lines:\n${stderr.join("\n")}`));
    };
    const timer = setTimeout(
      () => fail("the local stack was not ready in time"),
      options.readyTimeoutMs ?? 180_000,
    );
    void exited.then((code) => {
      clearTimeout(timer);
      fail(`the local stack exited (code ${code}) before it was ready`);
    });
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const message = parseLine(line);
      if (message?.stopped) report = message.stopped;
      if (!message?.ready) return;
      clearTimeout(timer);
      resolve({
        endpoints: message.ready.endpoints,
        redelivered: message.ready.redelivered,
        pid: child.pid!,
        stop: async (signal) => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          const code = await exited;
          return report ? { code, report } : { code };
        },
      });
    });
  });
}

function parseLine(
  line: string,
): { ready?: { endpoints: DevStackEndpoints; redelivered: number }; stopped?: DrainReport } | undefined {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
