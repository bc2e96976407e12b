import { describe, expect, it } from "vitest";
import { EdgeConfigSchema, edgeConfigJson, UPLOAD_CONTENT_TYPES } from "../src";

const jwks = { keys: [{ kty: "RSA" as const, kid: "k1", n: "AQAB", e: "AQAB" }] };
const input = {
  region: "eu-west-1",
  userPoolId: "eu-west-1_AbC123",
  clientIds: ["client1"],
  jwks,
  maxUploadBytes: 1024,
  publicSharing: false,
};

describe("edgeConfigJson", () => {
  it("builds a config the edge's schema accepts, with Cognito's issuer and the upload types", () => {
    const parsed = EdgeConfigSchema.parse(JSON.parse(JSON.stringify(edgeConfigJson(input))));
    expect(parsed.issuer).toBe("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123");
    expect(parsed.allowedContentTypes).toEqual([...UPLOAD_CONTENT_TYPES]);
    expect(parsed.tokenUse).toBe("access");
  });

  it("takes the local emulator's loopback issuer, and the schema refuses a foreign http one", () => {
    const local = edgeConfigJson({ ...input, issuer: "http://127.0.0.1:9229/eu-west-1_AbC123" });
    expect(EdgeConfigSchema.safeParse(local).success).toBe(true);
    const foreign = edgeConfigJson({ ...input, issuer: "http://example.com/eu-west-1_AbC123" });
    expect(EdgeConfigSchema.safeParse(foreign).success).toBe(false);
  });
});
