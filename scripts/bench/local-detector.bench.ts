import {
  decodeImage,
  localRekognitionClient,
  oneFaceScene,
  startRekognitionEndpoint,
} from "@photogate/local-emulators";
import { measureChild, printTable, reportFromChild, timeMedian } from "./lib/measure";

/**
 * `pnpm bench local-detector`: the local Rekognition endpoint's cost per request, through the
 * AWS SDK, against the bare decode of the same 1280×800 one-face JPEG measured in this run.
 * Each endpoint measurement runs in its own process so its peak RSS is its own.
 */
const RUNS = 30;
const mode = process.argv[2];

if (mode === "load") {
  const endpoint = await startRekognitionEndpoint();
  await endpoint.close();
  reportFromChild(endpoint.loadMs);
} else if (mode === "faces" || mode === "moderation") {
  const endpoint = await startRekognitionEndpoint();
  const client = localRekognitionClient(endpoint.url);
  const { jpeg } = await oneFaceScene();
  const ms = await timeMedian(async () => {
    if (mode === "faces") {
      const response = await client.detectFaces({ Image: { Bytes: jpeg }, Attributes: ["ALL"] });
      if (response.FaceDetails?.length !== 1)
        throw new Error(`expected 1 face, got ${response.FaceDetails?.length}`);
    } else {
      await client.detectModerationLabels({ Image: { Bytes: jpeg } });
    }
  }, RUNS);
  client.destroy();
  await endpoint.close();
  reportFromChild(ms);
} else {
  const { jpeg } = await oneFaceScene();
  const decode = await timeMedian(() => decodeImage(jpeg), RUNS);
  const script = import.meta.filename;
  printTable(
    `Local Rekognition endpoint, 1280×800 JPEG with one face (${(jpeg.byteLength / 1024).toFixed(0)} KiB), median of ${RUNS}`,
    [
      { label: "baseline: sharp decode to RGB (in process)", ms: decode },
      await measureChild("DetectFaces ALL via SDK (1 face)", script, ["faces"]),
      await measureChild("DetectModerationLabels via SDK", script, ["moderation"]),
      await measureChild("start-up: load + warm up all models", script, ["load"]),
    ],
    [
      "Peak RSS is the whole endpoint process (models, tfjs WASM heap, SDK client).",
      "Start-up includes one warm-up detection and classification, so the first request is not slow.",
    ],
  );
}
