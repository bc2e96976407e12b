import { ConfigError } from "@photogate/core";
import { describe, expect, it } from "vitest";
import { jwksUri, parseEdgeConfig } from "../../src/config";
import { CLIENT_ID, edgeConfig, ISSUER, poolKey, USER_POOL_ID } from "../support/fixtures";

const base = {
  region: "us-east-1",
  userPoolId: USER_POOL_ID,
  issuer: ISSUER,
  clientIds: [CLIENT_ID],
  tokenUse: "access",
  jwks: { keys: [poolKey.jwk] },
  maxUploadBytes: 1024,
  allowedContentTypes: ["image/jpeg"],
};

describe("edge config", () => {
  it("fills the defaults and derives the JWKS address from the issuer", () => {
    const config = parseEdgeConfig(base);
    expect(config.clockSkewSeconds).toBe(30);
    expect(config.jwksRefreshCooldownSeconds).toBe(30);
    expect(jwksUri(config)).toBe(
      `https://cognito-idp.us-east-1.amazonaws.com/${USER_POOL_ID}/.well-known/jwks.json`,
    );
  });

  it("accepts a loopback http issuer for the local user-pool emulator", () => {
    const config = edgeConfig({
      userPoolId: "local_4Bc9dEf1",
      issuer: "http://127.0.0.1:9229/local_4Bc9dEf1",
    });
    expect(config.issuer).toBe("http://127.0.0.1:9229/local_4Bc9dEf1");
  });

  it.each([
    [
      "an http issuer that is not loopback",
      { issuer: `http://cognito-idp.us-east-1.amazonaws.com/${USER_POOL_ID}` },
      "issuer",
    ],
    [
      "an issuer for another pool",
      { issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other" },
      "issuer",
    ],
    ["an issuer with a trailing slash", { issuer: `${ISSUER}/` }, "issuer"],
    ["no client ids", { clientIds: [] }, "clientIds"],
    ["id tokens", { tokenUse: "id" }, "tokenUse"],
    ["an empty key set", { jwks: { keys: [] } }, "jwks.keys"],
    ["a symmetric key", { jwks: { keys: [{ kty: "oct", kid: "k", k: "c2VjcmV0" }] } }, "jwks.keys[0].kty"],
    ["a key without kid", { jwks: { keys: [{ ...poolKey.jwk, kid: undefined }] } }, "jwks.keys[0].kid"],
    ["an HS256 key", { jwks: { keys: [{ ...poolKey.jwk, alg: "HS256" }] } }, "jwks.keys[0].alg"],
    ["a fractional size limit", { maxUploadBytes: 1.5 }, "maxUploadBytes"],
    ["a non-image content type", { allowedContentTypes: ["text/html"] }, "allowedContentTypes[0]"],
  ])("refuses %s, naming the field", (_name, change, field) => {
    const attempt = () => parseEdgeConfig({ ...base, ...change }, "test config");
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/^Invalid edge-auth configuration in test config:\n✖ /);
    expect(attempt).toThrow(new RegExp(`^✖ .+\\n\\s+→ at ${field.replace(/[.[\]]/g, "\\$&")}$`, "m"));
  });

  it("refuses a missing config and lists every missing field", () => {
    const attempt = () => parseEdgeConfig({});
    expect(attempt).toThrow(
      /expected string, received undefined\n\s+→ at region\n[\s\S]*→ at userPoolId\n[\s\S]*→ at issuer\n[\s\S]*→ at clientIds\n[\s\S]*→ at jwks\n/,
    );
  });
});
