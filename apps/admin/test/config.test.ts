import { describe, expect, it, vi } from "vitest";
import { ConfigError, cognitoEndpoint, loadConfig, parseConfig } from "../src/config";

describe("runtime config", () => {
  it("reads the AdminSite construct's config.json and defaults to the regional endpoint", () => {
    const config = parseConfig({
      apiUrl: "https://d111.cloudfront.net/api/",
      region: "eu-west-1",
      userPoolId: "eu-west-1_abc",
      userPoolClientId: "client",
    });
    expect(config.apiUrl).toBe("https://d111.cloudfront.net/api");
    expect(cognitoEndpoint(config)).toBe("https://cognito-idp.eu-west-1.amazonaws.com/");
  });

  it("takes the local emulator's endpoint", () => {
    const config = parseConfig({
      apiUrl: "http://127.0.0.1:4510/api",
      region: "us-east-1",
      userPoolId: "local_1",
      userPoolClientId: "c",
      userPoolEndpoint: "http://127.0.0.1:4504",
    });
    expect(cognitoEndpoint(config)).toBe("http://127.0.0.1:4504");
  });

  it("names every wrong field", () => {
    expect(() =>
      parseConfig({ apiUrl: "nope", region: "", userPoolClientId: "c", userPoolEndpoint: "4504" }),
    ).toThrow(
      /^config\.json is not valid:\n✖ Invalid URL\n\s+→ at apiUrl\n.*→ at region\n.*expected string, received undefined\n\s+→ at userPoolId\n✖ Invalid URL\n\s+→ at userPoolEndpoint$/s,
    );
  });

  it("says when /config.json is missing or not JSON", async () => {
    const missing = vi.fn(async () => new Response("not found", { status: 404 }));
    await expect(loadConfig(missing as unknown as typeof fetch)).rejects.toThrow(/HTTP 404/);
    const html = vi.fn(async () => new Response("<html>", { status: 200 }));
    await expect(loadConfig(html as unknown as typeof fetch)).rejects.toBeInstanceOf(ConfigError);
  });
});
