import { execFile } from "node:child_process";
import { generateKeyPairSync, randomUUID, sign } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "@photogate/build";
import {
  adminApiEnvironment,
  defaultProcessing,
  operationsEnvironment,
  processorEnvironment,
} from "@photogate/core";

/**
 * What the Node 24 check runs: each bundled handler, loaded and called with real event
 * fixtures under `--throw-deprecation --pending-deprecation` (so Node 20, the tool chain,
 * already fails on what Node 22/24 deprecate at run time), and a scan of our own sources for
 * APIs Node 23/24 removed that Node 20 does not warn about.
 */
export const NODE_FLAGS = ["--throw-deprecation", "--pending-deprecation"];

export interface HandlerProbe {
  /** Function name, as in @photogate/build's functionBundles. */
  name: string;
  /** Environment the handler's config loader needs; nothing else leaks in. */
  env: Record<string, string>;
  /** Files written next to index.mjs before the probe runs (e.g. the edge's config.json). */
  files?: Record<string, unknown>;
  events: unknown[];
  /** Returns what is wrong with the handler's results, or undefined. */
  verify: (results: unknown[]) => string | undefined;
}

// Loads the bundle, refuses callback-style handlers (Node 24 Lambda runtimes reject them) and
// any handler that does not return a promise, and blocks the network.
const PROBE = `
import net from "node:net";
import { readFileSync } from "node:fs";
const block = () => { throw new Error("the deprecation check allows no network access"); };
net.Socket.prototype.connect = block;
globalThis.fetch = async () => block();
try {
  const { handler } = await import("./index.mjs");
  if (typeof handler !== "function") throw new Error("index.mjs exports no handler function");
  if (handler.length > 2) throw new Error("handler takes a callback: nodejs24.x only runs async handlers");
  const events = JSON.parse(readFileSync(new URL("./probe-events.json", import.meta.url), "utf8"));
  const results = [];
  for (const event of events) {
    const pending = handler(event, { functionName: "deprecation-check", getRemainingTimeInMillis: () => 30000 });
    if (!(pending instanceof Promise)) throw new Error("handler returned no promise: keep every handler async");
    results.push(await pending);
  }
  console.log(JSON.stringify(results));
} catch (error) {
  // With --throw-deprecation the warning itself is thrown here, code DEP0xxx and all.
  const code = error?.code ? " [" + error.code + "]" : "";
  console.error("PROBE FAILED: " + (error?.name ?? "Error") + code + ": " + (error?.message ?? String(error)));
  process.exit(1);
}
`;

const run = promisify(execFile);

/** Runs one probe in `dir` (a bundle directory); resolves to an error message or undefined. */
export async function runProbe(dir: string, probe: HandlerProbe): Promise<string | undefined> {
  for (const [file, value] of Object.entries(probe.files ?? {})) {
    await writeFile(join(dir, file), JSON.stringify(value));
  }
  await writeFile(join(dir, "probe-events.json"), JSON.stringify(probe.events));
  await writeFile(join(dir, "probe.mjs"), PROBE);
  try {
    const { stdout } = await run(process.execPath, [...NODE_FLAGS, "probe.mjs"], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", ...probe.env },
      timeout: 60_000,
    });
    const results = JSON.parse(stdout.trim().split("\n").at(-1) ?? "null") as unknown[];
    return probe.verify(results);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    const marker = stderr.indexOf("PROBE FAILED: ");
    const failure =
      marker >= 0
        ? stderr
            .slice(marker + "PROBE FAILED: ".length)
            .trim()
            .split("\n")
            .join("\n    ")
        : undefined;
    if (failure) return failure;
    // A deprecation thrown on a later tick (the usual case) crashes the process instead.
    const lines = stderr.split("\n");
    const message = lines.find((l) => /^\w*(Warning|Error)\b/.test(l)) ?? lines.slice(0, 4).join(" ");
    const code = /code: '([A-Z0-9_]+)'/.exec(stderr)?.[1];
    const at = lines.find((l) => /^\s+at /.test(l) && !/\(node:|at node:/.test(l));
    return [code ? `${message} [${code}]` : message, at?.trim()]
      .filter(Boolean)
      .join("\n    ")
      .slice(0, 1200);
  }
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString("base64url");
}

/** The three functions' probes: real fixtures, and for the edge a token it must accept. */
export async function handlerProbes(): Promise<HandlerProbe[]> {
  const fixture = async (path: string) => JSON.parse(await readFile(join(repoRoot, path), "utf8")) as unknown;

  // The edge verifies a real RS256 signature, so the JWT path (node:crypto) runs too.
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const region = "us-east-1";
  const userPoolId = `${region}_DepCheck1`;
  const issuer = `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
  const sub = randomUUID();
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    sub,
    iss: issuer,
    client_id: "depcheckclient",
    token_use: "access",
    iat: now,
    exp: now + 600,
  };
  const signingInput = `${base64url(JSON.stringify({ kid: "k1", alg: "RS256" }))}.${base64url(JSON.stringify(claims))}`;
  const token = `${signingInput}.${base64url(sign("sha256", Buffer.from(signingInput), privateKey))}`;
  const viewer = (await fixture("functions/edge-auth/test/fixtures/viewer-request.json")) as {
    Records: [{ cf: { request: { uri: string; headers: Record<string, unknown> } } }];
  };
  const withToken = structuredClone(viewer);
  withToken.Records[0].cf.request.uri = `/uploads/${sub}/${randomUUID()}.jpg`;
  withToken.Records[0].cf.request.headers.authorization = [
    { key: "Authorization", value: `Bearer ${token}` },
  ];

  const api = (await fixture("functions/admin-api/test/fixtures/http-api-v2-jwt.json")) as {
    requestContext: { authorizer: { jwt: { claims: Record<string, string> } } };
  };
  // A valid token without the support group: answered 403 before any AWS call.
  delete api.requestContext.authorizer.jwt.claims["cognito:groups"];

  const statusOf = (r: unknown) =>
    r && typeof r === "object" ? (r as Record<string, unknown>).status : undefined;
  return [
    {
      name: "processor",
      env: {
        AWS_REGION: "eu-west-1",
        ...processorEnvironment({ photoTable: "deprecation-check-photos", processing: defaultProcessing }),
        ...operationsEnvironment({ environment: "dev" }),
      },
      events: [await fixture("functions/processor/test/fixtures/test-event.json")],
      verify: (results) =>
        Array.isArray(results[0]) ? undefined : `s3:TestEvent gave ${JSON.stringify(results)}`,
    },
    {
      name: "edge-auth",
      env: {},
      files: {
        "config.json": {
          region,
          userPoolId,
          issuer,
          clientIds: ["depcheckclient"],
          tokenUse: "access",
          jwks: { keys: [{ ...publicKey.export({ format: "jwk" }), kid: "k1", alg: "RS256", use: "sig" }] },
          maxUploadBytes: 10 * 1024 * 1024,
          allowedContentTypes: ["image/jpeg"],
        },
      },
      events: [viewer, withToken],
      verify: ([anonymous, signed]) => {
        if (statusOf(anonymous) !== "401") return `no token: expected 401, got ${JSON.stringify(anonymous)}`;
        if (statusOf(signed) !== undefined)
          return `valid token: expected the request, got ${JSON.stringify(signed)}`;
        return undefined;
      },
    },
    {
      name: "admin-api",
      env: {
        AWS_REGION: "eu-west-1",
        AWS_ACCESS_KEY_ID: "deprecation-check",
        AWS_SECRET_ACCESS_KEY: "deprecation-check",
        ...operationsEnvironment({ environment: "dev" }),
        ...adminApiEnvironment({
          photoTable: "deprecation-check-photos",
          auditTable: "deprecation-check-audit",
          bucket: "deprecation-check-bucket",
          userPoolId: "eu-west-1_DepCheck1",
          processorFunction: "deprecation-check-processor",
          deadLetterQueueUrl: "https://sqs.eu-west-1.amazonaws.com/111122223333/deprecation-check-dlq",
        }),
      },
      events: [api],
      verify: ([response]) => {
        const status =
          response && typeof response === "object" && "statusCode" in response && response.statusCode;
        return status === 403
          ? undefined
          : `a token without groups: expected 403, got ${JSON.stringify(response)}`;
      },
    },
  ];
}

/** APIs Node 23/24 removed, or Node 22+ warns about, that Node 20 lets through silently. */
export const REMOVED_APIS: Array<{ pattern: RegExp; what: string }> = [
  {
    pattern:
      /\butil\.is(Array|Boolean|Buffer|Date|Error|Function|Null|NullOrUndefined|Number|Object|Primitive|RegExp|String|Symbol|Undefined)\s*\(/,
    what: "util.is*() (removed in Node 23)",
  },
  { pattern: /\butil\._extend\b/, what: "util._extend (runtime-deprecated in Node 22; use Object.assign)" },
  { pattern: /\bcreateSecurePair\b/, what: "tls.createSecurePair (removed in Node 24)" },
  {
    pattern: /\bcrypto\.create(Cipher|Decipher)\s*\(/,
    what: "crypto.createCipher/createDecipher (removed in Node 22)",
  },
  { pattern: /\bSlowBuffer\b/, what: "SlowBuffer (runtime-deprecated in Node 22)" },
  {
    pattern: /\(\s*event\b[^)]*\bcontext\b[^)]*\bcallback\b/,
    what: "a callback-style handler (nodejs24.x refuses them)",
  },
];

const SOURCE_ROOTS = [
  "functions/processor/src",
  "functions/admin-api/src",
  "functions/edge-auth/src",
  "packages/core/src",
];

/** Every use of a REMOVED_APIS entry in the function sources, as "file:line: what". */
export async function scanSources(roots: string[] = SOURCE_ROOTS): Promise<string[]> {
  const findings: string[] = [];
  for (const root of roots) {
    const entries = await readdir(join(repoRoot, root), { recursive: true, withFileTypes: true });
    for (const entry of entries) {
      if (!entry.isFile() || !/\.tsx?$/.test(entry.name)) continue;
      const file = join(entry.parentPath, entry.name);
      const lines = (await readFile(file, "utf8")).split("\n");
      lines.forEach((line, index) => {
        for (const { pattern, what } of REMOVED_APIS) {
          if (pattern.test(line)) findings.push(`${relative(repoRoot, file)}:${index + 1}: ${what}`);
        }
      });
    }
  }
  return findings;
}
