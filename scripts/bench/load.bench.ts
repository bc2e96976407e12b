import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AcceptedUpload,
  type StackProcess,
  startStackProcess,
  uploadBurst,
  waitForFinalRecords,
} from "@photogate/local";
import { fixture } from "@photogate/local-emulators";

/**
 * `pnpm bench load`: N uploads (PHOTOGATE_LOAD_UPLOADS, default 100) at concurrency C
 * (PHOTOGATE_LOAD_CONCURRENCY, default 8), half through the edge and half straight to S3 with
 * identity-pool credentials, against a local stack in a child process; then the same with a
 * kill -9, and again with a Ctrl-C (SIGINT), a third of the way in and a restart on the same
 * data. Prints accepted, final, lost (must be 0), duplicates, p50/p95 upload→verdict and
 * photos/s, against a baseline measured in the same run: one upload at a time, each waited for
 * until its verdict.
 */
const uploads = positiveInteger("PHOTOGATE_LOAD_UPLOADS", 100);
const concurrency = positiveInteger("PHOTOGATE_LOAD_CONCURRENCY", 8);
const BASELINE_UPLOADS = 3;
const face = fixture("face-frontal.jpg");

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${name} must be a whole number ≥ 1, not "${raw}"`);
    process.exit(2);
  }
  return value;
}

interface LoadResult {
  label: string;
  accepted: number;
  final: number;
  lost: number;
  duplicates: number;
  p50Ms: number;
  p95Ms: number;
  photosPerSecond: number;
  restart?: { ms: number; redelivered: number };
}

/** Uploads through both paths at once; `onAccepted` sees the running total of 2xx answers. */
async function bothPaths(stack: StackProcess, count: number, onAccepted?: (accepted: number) => void) {
  let accepted = 0;
  const half = (via: "edge" | "s3", n: number) =>
    uploadBurst({
      endpoints: stack.endpoints,
      count: n,
      concurrency: Math.max(1, Math.round(concurrency / 2)),
      via,
      body: face,
      onAccepted: () => onAccepted?.(++accepted),
    });
  const results = await Promise.all([half("edge", Math.ceil(count / 2)), half("s3", Math.floor(count / 2))]);
  return results.flatMap((r) => r.accepted);
}

async function measure(
  label: string,
  killAt?: number,
  signal: "SIGKILL" | "SIGINT" = "SIGKILL",
): Promise<LoadResult> {
  const dataDir = await mkdtemp(join(tmpdir(), "photogate-load-"));
  let stack = await startStackProcess({ dataDir });
  try {
    const started = performance.now();
    let killed: Promise<unknown> | undefined;
    const accepted: AcceptedUpload[] = await bothPaths(stack, uploads, (n) => {
      if (n === killAt) killed = stack.stop(signal);
    });
    let restart: LoadResult["restart"];
    if (killed) {
      await killed;
      const restarted = performance.now();
      stack = await startStackProcess({ dataDir });
      restart = { ms: performance.now() - restarted, redelivered: stack.redelivered };
      // What the kill refused (or cut off mid-request) is sent again, as a client would.
      accepted.push(...(await bothPaths(stack, uploads - accepted.length)));
    }
    const records = await waitForFinalRecords(stack.endpoints, accepted, { timeoutMs: 600_000 });
    const seconds = (performance.now() - started) / 1000;
    const answered = new Map(accepted.map((a) => [a.photoId, a.answeredAt]));
    const latencies = records.final
      .map((r) => Date.parse(r.processedAt ?? "") - answered.get(r.photoId)!)
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    const at = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
    return {
      label,
      accepted: accepted.length,
      final: records.final.length,
      lost: records.missing.length,
      duplicates: records.final.filter((r) => r.attempts > 1).length,
      p50Ms: at(0.5),
      p95Ms: at(0.95),
      photosPerSecond: records.final.length / seconds,
      ...(restart ? { restart } : {}),
    };
  } finally {
    await stack.stop("SIGINT");
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** One upload at a time, each waited for until its record is final: the pipeline with no queueing. */
async function baseline(): Promise<{ ms: number }> {
  const dataDir = await mkdtemp(join(tmpdir(), "photogate-load-"));
  const stack = await startStackProcess({ dataDir });
  try {
    const times: number[] = [];
    for (let i = 0; i < BASELINE_UPLOADS + 1; i++) {
      const started = performance.now();
      const [one] = await bothPaths(stack, 1);
      const { missing } = await waitForFinalRecords(stack.endpoints, one ? [one] : [], { pollMs: 20 });
      if (!one || missing.length) throw new Error("the baseline upload did not reach a verdict");
      if (i > 0) times.push(performance.now() - started); // the first one warms the pipeline up
    }
    times.sort((a, b) => a - b);
    return { ms: times[Math.floor(times.length / 2)]! };
  } finally {
    await stack.stop("SIGINT");
    await rm(dataDir, { recursive: true, force: true });
  }
}

const base = await baseline();
const basePhotosPerSecond = 1000 / base.ms;
const results = [
  await measure(`${uploads} uploads, concurrency ${concurrency}, edge + direct S3`),
  await measure(
    "the same, kill -9 after a third was answered, restart, the rest sent again",
    Math.ceil(uploads / 3),
  ),
  await measure(
    "the same, Ctrl-C (SIGINT) after a third was answered, restart, the rest sent again",
    Math.ceil(uploads / 3),
    "SIGINT",
  ),
];

const round = (n: number) => (Number.isFinite(n) ? Math.round(n) : "-");
console.log(`\nload: ${uploads} photos (${face.length} B face JPEG), concurrency ${concurrency}`);
console.log(
  `  baseline: one upload at a time → verdict, median of ${BASELINE_UPLOADS}: ${round(base.ms)} ms ` +
    `(${basePhotosPerSecond.toFixed(2)} photos/s)`,
);
for (const r of results) {
  const restart = r.restart
    ? ` (restart ${round(r.restart.ms)} ms, ${r.restart.redelivered} notifications redelivered)`
    : "";
  console.log(`  ${r.label}${restart}`);
  console.log(
    `    accepted ${r.accepted}  final ${r.final}  lost ${r.lost}  duplicates ${r.duplicates} (attempts > 1)  ` +
      `upload→verdict p50 ${round(r.p50Ms)} ms  p95 ${round(r.p95Ms)} ms  ` +
      `${r.photosPerSecond.toFixed(2)} photos/s = ${(r.photosPerSecond / basePhotosPerSecond).toFixed(2)}× baseline`,
  );
}
if (results.some((r) => r.lost > 0)) {
  console.error("LOST UPLOADS: an upload answered 2xx never reached a verdict");
  process.exit(1);
}
