import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { METRICS } from "@photogate/core";
import { beforeEach, describe, expect, it } from "vitest";
import { createAdminApiMetrics } from "../../src/metrics";
import { call, dynamo, event, OWNER, PHOTO, resetAwsMocks, testDeps } from "../helpers";

describe("admin API ServerErrors", () => {
  beforeEach(resetAwsMocks);

  it("counts a 5xx answer and flushes it as one EMF line of the catalogue metric", async () => {
    dynamo.on(GetCommand).rejects(new Error("socket hang up"));
    const lines: string[] = [];
    const metrics = createAdminApiMetrics({ environment: "prod", sink: (l) => lines.push(l) });
    const deps = { ...testDeps(), metrics };

    expect((await call(deps, event("GET", `/photos/${OWNER}/${PHOTO}`))).status).toBe(500);
    expect((await call(deps, event("GET", "/nowhere"))).status).toBe(404);
    metrics.flush();

    expect(lines).toHaveLength(1);
    const doc = JSON.parse(lines[0]!);
    const spec = METRICS.adminApiServerErrors;
    expect(doc._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: "Photogate",
      Dimensions: [["service", "environment"]],
      Metrics: [{ Name: spec.name, Unit: spec.unit }],
    });
    expect(doc).toMatchObject({ service: "admin-api", environment: "prod", [spec.name]: 1 });
  });

  it("writes nothing for an invocation without server errors", async () => {
    const lines: string[] = [];
    const metrics = createAdminApiMetrics({ environment: "dev", sink: (l) => lines.push(l) });
    await call({ ...testDeps(), metrics }, event("GET", "/nowhere"));
    metrics.flush();
    expect(lines).toEqual([]);
  });
});
