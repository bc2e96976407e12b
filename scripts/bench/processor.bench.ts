import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultProcessing } from "@photogate/core";
import { deriveImages, inspectImage } from "@photogate/processor";
import { decodePerOutput, floorDisplayWebp, noisyPhoto, sharp } from "@photogate/processor/bench-baselines";
import { measureChild, printTable, reportFromChild } from "./lib/measure";

/**
 * `pnpm bench processor`: photogate's derivation (display.webp, every thumbnail and the
 * Rekognition JPEG from one decode) against (1) the floor, a single decode + resize to WebP,
 * and (2) the tutorial approach that decodes the original once per output. Then peak RSS of
 * our derivation on a 24 MP photo, in a fresh process.
 *
 * sharp settings: the processor turns libvips' operation cache off (one image per invocation,
 * nothing to reuse; it also keeps repeated runs here honest) and keeps sharp's default thread
 * count, which is 1 on glibc Linux such as Lambda's (less fragmentation; Lambda gives a full
 * vCPU only at 1769 MB). The concurrency row shows what a second thread would buy.
 */
const config = defaultProcessing;
const RUNS = 9;
const mode = process.argv[2];

async function ours(input: Buffer) {
  const source = await inspectImage(input, config);
  return deriveImages(input, source, config);
}

if (mode === "derive") {
  const input = await readFile(process.argv[3]!);
  const started = performance.now();
  const derived = await ours(input);
  const ms = performance.now() - started;
  if (derived.thumbnails.length !== config.thumbnailSizes.length) throw new Error("derivation incomplete");
  reportFromChild(ms);
} else if (mode === "baseline") {
  // Node, sharp and the input in memory, no image work: what the RSS figure sits on.
  await readFile(process.argv[3]!);
  await sharp({ create: { width: 8, height: 8, channels: 3, background: "#fff" } })
    .png()
    .toBuffer();
  reportFromChild(0);
} else if (mode === "generate") {
  // In its own process, so the parent stays small: a child's peak RSS starts from its parent's
  // RSS at spawn time on Linux (fork), which would otherwise swamp the figure.
  const dir = process.argv[3]!;
  await writeFile(join(dir, "photo12.jpg"), await noisyPhoto(4000, 3000));
  await writeFile(join(dir, "photo24.jpg"), await noisyPhoto(6000, 4000));
  reportFromChild(0);
} else {
  const dir = await mkdtemp(join(tmpdir(), "photogate-bench-"));
  try {
    const script = import.meta.filename;
    process.stdout.write("generating a 12 MP and a 24 MP photo-like JPEG … ");
    await measureChild("generate", script, ["generate", dir]);
    const file24 = join(dir, "photo24.jpg");
    const baseline = await measureChild("node + sharp + 24 MP file, no work", script, ["baseline", file24]);
    const derived = await measureChild("photogate derivation, 24 MP (6000×4000)", script, ["derive", file24]);

    const photo12 = await readFile(join(dir, "photo12.jpg"));
    const photo24 = await readFile(file24);
    console.log(`${(photo12.length / 1e6).toFixed(1)} MB and ${(photo24.length / 1e6).toFixed(1)} MB`);
    console.log(`timing (median of ${RUNS}) at sharp.concurrency ${sharp.concurrency()} …`);
    const floor = await both(() => floorDisplayWebp(photo12, config));
    const derive = await both(() => ours(photo12));
    const perOutput = await both(() => decodePerOutput(photo12, config));
    const defaultThreads = sharp.concurrency();
    sharp.concurrency(2);
    const deriveTwoThreads = await both(() => ours(photo12));
    sharp.concurrency(defaultThreads);

    const label = "floor: one decode+resize to display.webp";
    printTable("12 MP JPEG (4000×3000), wall time", [
      { label, ms: floor.wall },
      { label: "photogate: all outputs from one decode", ms: derive.wall },
      { label: "tutorial: decode the original per output", ms: perOutput.wall },
      { label: "photogate with sharp.concurrency(2)", ms: deriveTwoThreads.wall },
    ]);
    printTable(
      "12 MP JPEG, CPU time (what a 1-vCPU Lambda pays; the tutorial's extra decodes overlap on 2 cores)",
      [
        { label, ms: floor.cpu },
        { label: "photogate: all outputs from one decode", ms: derive.cpu },
        { label: "tutorial: decode the original per output", ms: perOutput.cpu },
      ],
      [
        `photogate / floor: wall ×${(derive.wall / floor.wall).toFixed(2)}, CPU ×${(derive.cpu / floor.cpu).toFixed(2)} (target ≤ 1.3)`,
        `tutorial / photogate: wall ×${(perOutput.wall / derive.wall).toFixed(2)}, CPU ×${(perOutput.cpu / derive.cpu).toFixed(2)} (target ≥ 2)`,
      ],
    );
    printTable(
      "Peak RSS, fresh process each",
      [baseline, derived],
      [`photogate derivation at 24 MP: ${derived.peakRssMb?.toFixed(0)} MiB peak RSS (target < 256)`],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Median wall time and median CPU time (user + system, all threads) of RUNS calls. */
async function both(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  await fn();
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    await fn();
    walls.push(performance.now() - started);
    const used = process.cpuUsage(cpu);
    cpus.push((used.user + used.system) / 1000);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { wall: median(walls), cpu: median(cpus) };
}
