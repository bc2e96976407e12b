import { UPLOAD_OUTCOME_TAG } from "@photogate/core";
import { Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { PhotoStorage } from "../src/constructs/photo-storage";
import { environment, onlyResource, parse, type ResourceConfig, resourceWhere, synthStack } from "./support";

const options = { bucketName: "test-photos", uploadOrigins: [], abortIncompleteUploadDays: 2 };

function rules(lifecycle?: { rejectedOriginalDays: number; abandonedUploadDays: number }): ResourceConfig[] {
  const synth = parse(
    Testing.synthScope((scope) => {
      new PhotoStorage(scope, "storage", { ...options, ...(lifecycle ? { lifecycle } : {}) });
    }),
  );
  return onlyResource(synth, "aws_s3_bucket_lifecycle_configuration").config.rule;
}

/** What an expiring rule matches: its prefix and tags, from the `and` filter. */
function expiring(all: ResourceConfig[]) {
  return all
    .filter((r) => r.expiration)
    .map((r) => ({ days: r.expiration[0].days, match: r.filter[0].and[0], status: r.status }));
}

describe("PhotoStorage lifecycle", () => {
  it("expires rejected and failed originals under uploads/ after their configured days", () => {
    expect(expiring(rules({ rejectedOriginalDays: 12, abandonedUploadDays: 3 }))).toEqual([
      {
        days: 12,
        status: "Enabled",
        match: { prefix: "uploads/", tags: { [UPLOAD_OUTCOME_TAG]: "rejected" } },
      },
      { days: 3, status: "Enabled", match: { prefix: "uploads/", tags: { [UPLOAD_OUTCOME_TAG]: "failed" } } },
    ]);
  });

  it("never expires approved originals or anything outside uploads/", () => {
    const all = rules({ rejectedOriginalDays: 12, abandonedUploadDays: 3 });
    for (const { match } of expiring(all)) {
      expect(match.prefix).toBe("uploads/");
      expect(Object.values(match.tags)).not.toContain("approved");
    }
    // The only rule without a prefix aborts multipart uploads; it expires no object.
    const unscoped = all.filter((r) => r.filter[0].prefix === "");
    expect(unscoped.map((r) => r.id)).toEqual(["abort-incomplete-multipart-uploads"]);
    expect(unscoped[0]?.expiration).toBeUndefined();
  });

  it("keeps only the multipart rule without a lifecycle config", () => {
    expect(rules().map((r) => r.id)).toEqual(["abort-incomplete-multipart-uploads"]);
  });

  it("takes the environment's days in a full stack", () => {
    const env = {
      ...environment("dev"),
      storageLifecycle: { rejectedOriginalDays: 45, abandonedUploadDays: 9 },
    };
    const { synth } = synthStack(env);
    const bucket = resourceWhere(synth, "aws_s3_bucket", (c) => c.bucket === env.bucketName);
    const lifecycle = resourceWhere(
      synth,
      "aws_s3_bucket_lifecycle_configuration",
      (c) => c.bucket === `\${aws_s3_bucket.${bucket.name}.id}`,
    );
    expect(expiring(lifecycle.config.rule).map((r) => [r.match.tags[UPLOAD_OUTCOME_TAG], r.days])).toEqual([
      ["rejected", 45],
      ["failed", 9],
    ]);
  });
});
