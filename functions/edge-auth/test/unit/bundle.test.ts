import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { bundleFunction, functionBundles } from "@photogate/build";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_ID, ISSUER, poolKey, REGION, USER_POOL_ID, viewerEvent } from "../support/fixtures";

// Lambda@Edge's hard limit for a viewer trigger's zipped package.
const EDGE_ZIPPED_LIMIT = 1024 * 1024;
// Our own budget, far below it: what a cold start has to read and compile.
const EDGE_GZIPPED_BUDGET = 30 * 1024;

const spec = functionBundles.find((s) => s.name === "edge-auth");
let code = "";
let workDir = "";

beforeAll(async () => {
  if (!spec) throw new Error("@photogate/build has no edge-auth entry");
  const bundle = await bundleFunction(spec);
  code = await readFile(join(bundle.dir, "index.mjs"), "utf8");
  // Run a copy with a test config, never the dist directory the stack packages.
  workDir = await mkdtemp(join(tmpdir(), "edge-auth-bundle-"));
  await copyFile(join(bundle.dir, "index.mjs"), join(workDir, "index.mjs"));
  await writeFile(
    join(workDir, "config.json"),
    JSON.stringify({
      region: REGION,
      userPoolId: USER_POOL_ID,
      issuer: ISSUER,
      clientIds: [CLIENT_ID],
      tokenUse: "access",
      jwks: { keys: [poolKey.jwk] },
      maxUploadBytes: 10 * 1024 * 1024,
      allowedContentTypes: ["image/jpeg"],
    }),
  );
});

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe("edge bundle (QUALITY 14)", () => {
  it("is an x86_64 bundle far under the 1 MB zipped limit", () => {
    expect(spec?.architecture).toBe("x86_64");
    const gzipped = gzipSync(code, { level: 9 }).length;
    console.log(
      `edge-auth bundle: ${(code.length / 1024).toFixed(1)} KB raw, ${(gzipped / 1024).toFixed(1)} KB gzipped`,
    );
    expect(gzipped).toBeLessThan(EDGE_ZIPPED_LIMIT);
    expect(gzipped).toBeLessThan(EDGE_GZIPPED_BUDGET);
  });

  it("holds zod/mini only, not full zod (which alone is ~450 KB with its locales)", () => {
    // zod names each schema class in a string: "ZodMiniString" for zod/mini, "ZodString" for
    // full zod, which the edge gets only if it imports a core module with a full-zod schema.
    expect(code).toContain('"ZodMiniObject"');
    expect(code.match(/"Zod(?!Mini)[A-Z][A-Za-z]*"/g) ?? []).toEqual([]);
  });

  it("reads no environment variables", () => {
    expect(code).not.toMatch(/process\.env|process\[["']env["']\]/);
  });

  it("cold-starts from config.json next to it and answers without any network access", async () => {
    const events = [viewerEvent(), viewerEvent({ authorization: "garbage" })];
    await writeFile(join(workDir, "events.json"), JSON.stringify(events));
    // Every way out of the process is replaced by a counter that throws.
    const probe = `
      import net from "node:net";
      import { readFileSync } from "node:fs";
      let attempts = 0;
      const block = () => { attempts++; throw new Error("network blocked in test"); };
      net.Socket.prototype.connect = block;
      net.connect = net.createConnection = block;
      globalThis.fetch = async () => block();
      const { handler } = await import("./index.mjs");
      const events = JSON.parse(readFileSync(new URL("./events.json", import.meta.url), "utf8"));
      const results = [];
      for (const event of events) results.push(await handler(event));
      console.log(JSON.stringify({ attempts, results }));
    `;
    await writeFile(join(workDir, "probe.mjs"), probe);
    const { stdout } = await promisify(execFile)(process.execPath, ["probe.mjs"], { cwd: workDir, env: {} });
    const { attempts, results } = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as {
      attempts: number;
      results: Array<{ status?: string; uri?: string; headers: Record<string, unknown> }>;
    };
    expect(attempts).toBe(0);
    expect(results[0]?.status).toBeUndefined();
    expect(results[0]?.uri).toBe(events[0]?.Records[0]?.cf.request.uri);
    expect(results[0]?.headers.authorization).toBeUndefined();
    expect(results[1]?.status).toBe("401");
  });
});
