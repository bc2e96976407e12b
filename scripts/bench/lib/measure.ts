import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

/**
 * Benchmarks print ratios against a baseline measured in the same run, so the figures
 * mean the same on a slow laptop and a fast CI machine.
 */
export interface Measurement {
  label: string;
  ms: number;
  /** Peak resident set size of the process that did the work, in MiB. */
  peakRssMb?: number;
}

/** Median wall time of `runs` calls to `fn` after `warmup` calls. */
export async function timeMedian(
  fn: () => Promise<unknown> | unknown,
  runs = 10,
  warmup = 2,
): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/**
 * Runs a TypeScript file in a fresh Node process (through tsx) and reads the JSON line
 * it prints last: `{ "ms": number }`. Peak RSS comes from the child's own resource usage,
 * so each measurement starts from a clean heap.
 */
export async function measureChild(label: string, script: string, args: string[] = []): Promise<Measurement> {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) throw new Error(`${label}: ${script} exited with ${code}`);
  const last = out.trim().split("\n").at(-1) ?? "";
  const parsed = JSON.parse(last) as { ms: number; peakRssMb: number };
  return { label, ms: parsed.ms, peakRssMb: parsed.peakRssMb };
}

/** Called at the end of a child script run by measureChild. */
export function reportFromChild(ms: number): void {
  const peakRssMb = peakRssOfThisProcessMb();
  console.log(JSON.stringify({ ms, peakRssMb }));
}

/**
 * Peak RSS since this process's exec. Linux carries getrusage's maxRSS across fork+exec (it
 * would report the parent's size), while VmHWM belongs to the new address space.
 */
function peakRssOfThisProcessMb(): number {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    if (hwm?.[1]) return Number(hwm[1]) / 1024;
  } catch {
    // Not Linux: fall through to getrusage, which is per process there.
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** Prints measurements with their ratio to the first row (the baseline) and a target verdict. */
export function printTable(title: string, rows: Measurement[], notes: string[] = []): void {
  const base = rows[0];
  console.log(`\n${title}`);
  for (const row of rows) {
    const ratio = base && base.ms > 0 ? row.ms / base.ms : Number.NaN;
    const rss = row.peakRssMb === undefined ? "" : `  peak RSS ${row.peakRssMb.toFixed(0).padStart(5)} MiB`;
    console.log(
      `  ${row.label.padEnd(48)} ${row.ms.toFixed(1).padStart(9)} ms  ×${ratio.toFixed(2).padStart(6)}${rss}`,
    );
  }
  for (const note of notes) console.log(`  ${note}`);
}
