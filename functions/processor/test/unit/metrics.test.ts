import { DetectFacesCommand, ThrottlingException } from "@aws-sdk/client-rekognition";
import {
  DEFAULT_METRIC_DIMENSIONS,
  METRICS,
  METRICS_NAMESPACE,
  type MetricSpec,
  PROCESSING_STAGES,
} from "@photogate/core";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createProcessorMetrics } from "../../src/metrics";
import { processS3Event } from "../../src/process-upload";
import { type ProcessorHarness, processorHarness } from "../harness";
import { oneFace, photoJpeg } from "../helpers";

const catalogue = new Map<string, MetricSpec>(Object.values(METRICS).map((m) => [m.name, m]));

interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

/** Checks one line against the embedded metric format specification and the catalogue; returns it parsed. */
function checkEmf(line: string): EmfDocument {
  const doc = JSON.parse(line) as EmfDocument;
  expect(Number.isInteger(doc._aws.Timestamp)).toBe(true);
  expect(doc._aws.CloudWatchMetrics.length).toBeGreaterThan(0);
  for (const directive of doc._aws.CloudWatchMetrics) {
    expect(directive.Namespace).toBe(METRICS_NAMESPACE);
    for (const metric of directive.Metrics) {
      const spec = catalogue.get(metric.Name);
      expect(spec, `${metric.Name} is in the catalogue`).toBeDefined();
      expect(spec?.service).toBe("processor");
      expect(metric.Unit).toBe(spec?.unit);
      // Values at top level: a number, or an array of numbers for repeated points.
      const value = doc[metric.Name];
      const values = Array.isArray(value) ? value : [value];
      for (const v of values) expect(typeof v).toBe("number");
      // Each dimension set is exactly the defaults plus the metric's own, every one a top-level string.
      for (const set of directive.Dimensions) {
        expect([...set].sort()).toEqual([...DEFAULT_METRIC_DIMENSIONS, ...(spec?.dimensions ?? [])].sort());
        for (const name of set) expect(typeof doc[name]).toBe("string");
      }
    }
  }
  return doc;
}

describe("processor metrics in embedded metric format", () => {
  let harness: ProcessorHarness;
  let portrait: Buffer;
  beforeAll(async () => {
    portrait = await photoJpeg(900, 1200);
  });
  beforeEach(() => {
    harness = processorHarness();
  });
  afterEach(() => harness.restore());

  it("a real run prints valid EMF naming only catalogue metrics, dimensions and units", async () => {
    // One throttled DetectFaces first: a retry and a throttle to count.
    harness.rekognition
      .on(DetectFacesCommand)
      .rejectsOnce(new ThrottlingException({ message: "Rate exceeded", $metadata: {} }))
      .resolves(oneFace());
    const lines: string[] = [];
    const metrics = createProcessorMetrics({ environment: "dev", sink: (l) => lines.push(l) });
    const [outcome] = await processS3Event(harness.upload(portrait, "a1b2c3d4-e5f6-4789-8abc-def012345678"), {
      ...harness.deps,
      metrics,
    });
    expect(outcome?.outcome).toBe("approved");
    expect(lines).toEqual([]);
    metrics.flush();

    const docs = lines.map(checkEmf);
    const points = docs.flatMap((doc) =>
      doc._aws.CloudWatchMetrics.flatMap((d) =>
        d.Metrics.map((m) => ({ name: m.Name, stage: doc.stage, status: doc.status, value: doc[m.Name] })),
      ),
    );
    for (const doc of docs) expect(doc).toMatchObject({ service: "processor", environment: "dev" });
    expect(points).toContainEqual({ name: "Verdicts", stage: undefined, status: "approved", value: 1 });
    expect(
      points
        .filter((p) => p.name === "StageDuration")
        .map((p) => p.stage)
        .sort(),
    ).toEqual([...PROCESSING_STAGES].sort());
    expect(points.find((p) => p.name === "RekognitionRetries")?.value).toBe(1);
    expect(points.find((p) => p.name === "RekognitionThrottles")?.value).toBe(1);
    // A flush empties the buffer: the next invocation starts from nothing.
    metrics.flush();
    expect(lines).toHaveLength(docs.length);
  });

  it("counts each reason of a rejection under its own reason dimension", async () => {
    const lines: string[] = [];
    const metrics = createProcessorMetrics({ environment: "prod", sink: (l) => lines.push(l) });
    const [outcome] = await processS3Event(
      harness.upload(Buffer.from("not an image at all"), "b1b2c3d4-e5f6-4789-8abc-def012345678"),
      { ...harness.deps, metrics },
    );
    expect(outcome?.outcome).toBe("rejected");
    metrics.flush();
    const docs = lines.map(checkEmf);
    const reasons = docs.filter((d) => "RejectionReasons" in d).map((d) => d.reason);
    expect(reasons).toEqual(["UNSUPPORTED_FORMAT"]);
    expect(docs.find((d) => "Verdicts" in d)).toMatchObject({ status: "rejected", environment: "prod" });
  });
});
