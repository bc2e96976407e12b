import { ConfigError, defaultProcessing, processorEnvironment } from "@photogate/core";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";

const processing = JSON.stringify(defaultProcessing);

describe("loadConfig", () => {
  it("reads the table and the processing JSON", () => {
    expect(
      loadConfig({ PHOTOGATE_PHOTO_TABLE: "photogate-dev-photos", PHOTOGATE_PROCESSING: processing }),
    ).toEqual({
      photoTable: "photogate-dev-photos",
      processing: defaultProcessing,
      endpointOverride: false,
      maxAttempts: 3,
      // No lease set: the longest Lambda timeout's, so no live run is ever taken over.
      leaseSeconds: 900 + 225,
    });
  });

  it("reads the claim lease and refuses one that is not a whole number of seconds", () => {
    const base = { PHOTOGATE_PHOTO_TABLE: "t", PHOTOGATE_PROCESSING: processing };
    expect(loadConfig({ ...base, PHOTOGATE_CLAIM_LEASE_SECONDS: "90" }).leaseSeconds).toBe(90);
    for (const bad of ["0", "1.5", "ninety", "3601"]) {
      expect(() => loadConfig({ ...base, PHOTOGATE_CLAIM_LEASE_SECONDS: bad })).toThrow(
        /must be a whole number of seconds from 1 to 3600[^\n]*\n\s*→ at PHOTOGATE_CLAIM_LEASE_SECONDS/,
      );
    }
  });

  it("reads the bucket and the attempt count the stack sets", () => {
    const config = loadConfig({
      PHOTOGATE_PHOTO_TABLE: "t",
      PHOTOGATE_PROCESSING: processing,
      PHOTOGATE_BUCKET: "photogate-dev-photos",
      PHOTOGATE_MAX_ATTEMPTS: "1",
    });
    expect(config).toMatchObject({ bucket: "photogate-dev-photos", maxAttempts: 1 });
  });

  it.each(["0", "4", "two", "1.5"])("refuses PHOTOGATE_MAX_ATTEMPTS=%s", (value) => {
    const env = {
      PHOTOGATE_PHOTO_TABLE: "t",
      PHOTOGATE_PROCESSING: processing,
      PHOTOGATE_MAX_ATTEMPTS: value,
    };
    expect(() => loadConfig(env)).toThrow(
      /must be a whole number of attempts .* from 1 to 3[^\n]*\n\s*→ at PHOTOGATE_MAX_ATTEMPTS/,
    );
  });

  it("notices an endpoint override (path-style S3 for emulators)", () => {
    const env = {
      PHOTOGATE_PHOTO_TABLE: "t",
      PHOTOGATE_PROCESSING: processing,
      AWS_ENDPOINT_URL: "http://localhost:4566",
    };
    expect(loadConfig(env).endpointOverride).toBe(true);
  });

  it.each([
    [
      { PHOTOGATE_PROCESSING: processing },
      /is not set: it must name the photo table[^\n]*\n\s*→ at PHOTOGATE_PHOTO_TABLE/,
    ],
    [
      { PHOTOGATE_PHOTO_TABLE: "t" },
      /is not set: it must hold the processing config[^\n]*\n\s*→ at PHOTOGATE_PROCESSING/,
    ],
    [{ PHOTOGATE_PHOTO_TABLE: "t", PHOTOGATE_PROCESSING: "{thumbnailSizes:" }, /not valid JSON/],
    [
      {
        PHOTOGATE_PHOTO_TABLE: "t",
        PHOTOGATE_PROCESSING: JSON.stringify({ ...defaultProcessing, minImageEdge: 10 }),
      },
      /PHOTOGATE_PROCESSING\.minImageEdge/,
    ],
  ])("refuses %j", (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe("processorEnvironment and loadConfig", () => {
  it("read back every value the variables were rendered from", () => {
    const values = {
      photoTable: "photogate-dev-photos",
      processing: defaultProcessing,
      bucket: "photogate-dev-photos",
      maxAttempts: 2,
      leaseSeconds: 120,
      reconcile: { olderThanSeconds: 600, maxKeysPerRun: 5000, maxRedrivesPerRun: 20 },
      userPoolId: "eu-west-1_AbC123",
      pictureBaseUrl: "https://d111.cloudfront.net",
    };
    expect(loadConfig(processorEnvironment(values))).toEqual({ ...values, endpointOverride: false });
  });

  it("names the variable, the problem and the fix for a pool ARN or a URL with a path", () => {
    const base = processorEnvironment({ photoTable: "t", processing: defaultProcessing });
    expect(() =>
      loadConfig({ ...base, PHOTOGATE_USER_POOL_ID: "arn:aws:cognito-idp:eu-west-1:1:userpool/x" }),
    ).toThrow(/must look like \{region\}_\{id\}[^\n]*\n\s*→ at PHOTOGATE_USER_POOL_ID/);
    expect(() => loadConfig({ ...base, PHOTOGATE_PICTURE_BASE_URL: "https://d1.net/shared" })).toThrow(
      /must be an origin[^\n]*\n\s*→ at PHOTOGATE_PICTURE_BASE_URL/,
    );
    expect(() => loadConfig({ ...base, PHOTOGATE_RECONCILE: "{}" })).toThrow(
      /PHOTOGATE_RECONCILE\.olderThanSeconds/,
    );
  });
});
