import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ANY_FREE_PORTS,
  findUser,
  signInLocalUser,
  startDevStack,
  uploadThroughEdge,
  waitForVerdict,
} from "@photogate/local";
import { landscape, portraitScene, startRekognitionEndpoint } from "@photogate/local-emulators";
import sharp from "sharp";
import { measureChild, printTable, reportFromChild, timeMedian } from "./lib/measure";

/**
 * `pnpm bench local-stack`: how long `pnpm dev`'s stack takes to be ready (against loading the
 * detector models alone, its largest part), and the upload → processed-record latency of a
 * 12 MP photo through the edge (against one bare sharp decode + resize of the same photo).
 * Targets: ready < 5 s; latency < 1 s.
 */
const RUNS = 5;
const mode = process.argv[2];

async function twelveMegapixelPortrait(): Promise<Buffer> {
  // A portrait scene scaled onto a 4000×3000 landscape: real detail, one face, a camera-sized JPEG.
  const face = await sharp((await portraitScene()).jpeg)
    .resize({ height: 2400 })
    .toBuffer();
  const base = await landscape(4000, 3000).png().toBuffer();
  return sharp(base)
    .composite([{ input: face, left: 1040, top: 300 }])
    .jpeg({ quality: 90 })
    .toBuffer();
}

if (mode === "models") {
  const started = performance.now();
  const endpoint = await startRekognitionEndpoint();
  const ms = performance.now() - started;
  await endpoint.close();
  reportFromChild(ms);
} else if (mode === "start") {
  const dataDir = await mkdtemp(join(tmpdir(), "photogate-bench-"));
  const started = performance.now();
  const stack = await startDevStack({ dataDir, ports: ANY_FREE_PORTS });
  const ms = performance.now() - started;
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
  reportFromChild(ms);
} else if (mode === "latency") {
  const dataDir = await mkdtemp(join(tmpdir(), "photogate-bench-"));
  const stack = await startDevStack({ dataDir, ports: ANY_FREE_PORTS });
  const { endpoints } = stack;
  const demo = findUser(endpoints, "demo");
  const tokens = await signInLocalUser(endpoints, demo);
  const photo = await twelveMegapixelPortrait();
  const ms = await timeMedian(
    async () => {
      const photoId = crypto.randomUUID();
      await uploadThroughEdge(endpoints.urls.edge, tokens.accessToken, {
        owner: demo.sub,
        photoId,
        extension: "jpg",
        body: photo,
      });
      await stack.notifications.idle();
      // The verdict document, read as a client does (through the edge).
      const record = await waitForVerdict(demo.sub, photoId, {
        edgeUrl: endpoints.urls.edge,
        accessToken: tokens.accessToken,
      });
      // Any verdict will do: face and moderation checks run in full either way.
      if (record.status === "failed") throw new Error(`processing failed: ${record.failure?.message}`);
    },
    RUNS,
    1,
  );
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
  reportFromChild(ms);
} else {
  const script = import.meta.filename;
  const photo = await twelveMegapixelPortrait();
  const decode = await timeMedian(() => sharp(photo).resize({ width: 1600 }).webp().toBuffer(), RUNS, 1);
  printTable("local stack start-up (fresh process each)", [
    await measureChild("baseline: load the detector models alone", script, ["models"]),
    await measureChild("pnpm dev's stack ready (target < 5 s)", script, ["start"]),
  ]);
  printTable(
    `upload → processed record, 12 MP JPEG (${(photo.length / 1e6).toFixed(1)} MB), median of ${RUNS}`,
    [
      { label: "baseline: one sharp decode + resize + webp", ms: decode },
      await measureChild("PUT through the edge → record (target < 1 s)", script, ["latency"]),
    ],
  );
}
