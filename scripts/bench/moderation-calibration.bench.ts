import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  createFaceDetector,
  createModerationClassifier,
  decodeImage,
  humanPackageDir,
  moderationLabels,
  portraitScene,
  samplePhotos,
  torsoSkin,
} from "@photogate/local-emulators";
import sharp from "sharp";
import { printTable, timeMedian } from "./lib/measure";

/**
 * `pnpm bench moderation-calibration`: the local DetectModerationLabels on a set of ordinary
 * photos that must pass the processor's moderationMinConfidence (60): how many get a label
 * before (nsfwjs's classes mapped as they are, i.e. with the torso evidence forced to "bare") and
 * after the calibration, and what the torso check costs next to the nsfwjs classification alone.
 *
 * The set: OpenCV's sample images from Debian's opencv-doc package (a footballer in front of a
 * crowd, two basketball players indoors, people holding a calibration board, rooms, fruit,
 * objects), read from PHOTOGATE_CALIBRATION_DIR or /usr/share/doc/opencv-doc/examples/data
 * (`apt-get download opencv-doc && dpkg -x opencv-doc_*.deb x`), plus the images inside
 * @vladmandic/human and photogate's own synthetic portraits. Every image is safe content; the set
 * has no explicit, swimwear or beach photo, so the flagging side is not measured here.
 */
const THRESHOLD = 60;
const opencvDir = process.env.PHOTOGATE_CALIBRATION_DIR ?? "/usr/share/doc/opencv-doc/examples/data";

async function images(): Promise<{ name: string; bytes: Buffer }[]> {
  const found: { name: string; bytes: Buffer }[] = [];
  if (existsSync(opencvDir)) {
    for (const name of (await readdir(opencvDir)).filter((n) => /\.(jpe?g|png)$/i.test(n)).sort()) {
      found.push({ name: `opencv/${name}`, bytes: await readFile(join(opencvDir, name)) });
    }
  } else {
    console.log(`(no ${opencvDir}: set PHOTOGATE_CALIBRATION_DIR to OpenCV's samples/data for the full set)`);
  }
  const assets = join(humanPackageDir, "assets");
  for (const name of (await readdir(assets)).filter((n) => /\.jpe?g$/i.test(n)).sort()) {
    found.push({ name: `human/${name}`, bytes: await readFile(join(assets, name)) });
  }
  found.push({ name: "photogate/portrait", bytes: (await portraitScene()).jpeg });
  for (const photo of await samplePhotos())
    found.push({ name: `photogate/${photo.name}`, bytes: photo.jpeg });
  return found;
}

const faces = await createFaceDetector();
const moderation = await createModerationClassifier(faces.tf);
const set = await images();
let before = 0;
let after = 0;
const flagged: string[] = [];
for (const { name, bytes } of set) {
  const image = await decodeImage(await sharp(bytes).removeAlpha().jpeg({ quality: 95 }).toBuffer());
  const scores = await moderation.classify(image);
  const torso = torsoSkin(image, await faces.body(image));
  const old = moderationLabels(scores, THRESHOLD, 1);
  const now = moderationLabels(scores, THRESHOLD, torso);
  if (old.length > 0) before++;
  if (now.length > 0) after++;
  if (old.length > 0 || now.length > 0) {
    const top = Object.entries(scores).sort((a, b) => b[1] - a[1])[0]!;
    flagged.push(
      `${name}: ${top[0]} ${(top[1] * 100).toFixed(1)}, torso skin ${torso === undefined ? "no person" : torso.toFixed(2)}; ` +
        `before [${old.map((l) => `${l.Name} ${l.Confidence?.toFixed(0)}`).join(", ")}] after [${now.map((l) => `${l.Name} ${l.Confidence?.toFixed(0)}`).join(", ")}]`,
    );
  }
}
console.log(
  `\n${set.length} safe photos, labels at MinConfidence ${THRESHOLD}: before ${before}, after ${after}`,
);
console.log(
  `false-positive rate: before ${((before / set.length) * 100).toFixed(1)} %, after ${((after / set.length) * 100).toFixed(1)} %`,
);
for (const line of flagged) console.log(`  ${line}`);

const sample = await decodeImage((await portraitScene()).jpeg);
const classify = await timeMedian(() => moderation.classify(sample), 20);
const withTorso = await timeMedian(async () => {
  await moderation.classify(sample);
  torsoSkin(sample, await faces.body(sample));
}, 20);
printTable("DetectModerationLabels work per photo (640×800 portrait)", [
  { label: "nsfwjs classification alone (baseline)", ms: classify },
  { label: "classification + body pose + torso skin", ms: withTorso },
]);
process.exit(0);
