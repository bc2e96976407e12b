import { createPublicKey, createSign, generateKeyPairSync, verify } from "node:crypto";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { bundleFunction, functionBundles } from "@photogate/build";
import { createViewerRequestHandler, parseEdgeConfig, type ViewerRequestHandler } from "@photogate/edge-auth";
import { type Measurement, measureChild, printTable, reportFromChild } from "./lib/measure";

/**
 * `pnpm bench edge-auth`: what the edge authoriser costs per request and per cold start.
 * Warm: a valid PUT through the whole handler against a bare crypto.verify of an RS256
 * signature: with a token the handler has not seen (target ≤ 1.5×) and with a repeated one,
 * answered from the verified-token cache (target ≤ 0.2×). Cold: a fresh process building the handler and answering its
 * first request, from source and from the deployed bundle. Plus the bundle's size.
 */
const ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_BenchPool";
const OWNER = "6f1c2b9e-3a4d-4e5f-8a7b-9c0d1e2f3a4b";
const PHOTO_ID = "0b6e8f3a-2c1d-4e7f-9a8b-7c6d5e4f3a2b";
const BATCH = 1000;

type CloudFrontRequestEvent = Parameters<ViewerRequestHandler>[0];
const RUNS = 25;

function fixture() {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: "jwk" }), kid: "bench-key", alg: "RS256", use: "sig" };
  const now = Math.floor(Date.now() / 1000);
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const signedInput = (jti: string) =>
    `${b64({ kid: "bench-key", alg: "RS256" })}.${b64({
      sub: OWNER,
      iss: ISSUER,
      client_id: "bench-client",
      token_use: "access",
      scope: "aws.cognito.signin.user.admin",
      auth_time: now,
      iat: now,
      exp: now + 3600,
      jti,
      username: OWNER,
    })}`;
  const sign = (input: string) =>
    createSign("RSA-SHA256").update(input).sign(privateKey).toString("base64url");
  const input = signedInput("bench");
  const signature = sign(input);
  /** `count` different valid tokens (distinct jti), for requests the verifier has not seen. */
  const distinctTokens = (count: number) =>
    Array.from({ length: count }, (_, i) => {
      const other = signedInput(`bench-${i}`);
      return `${other}.${sign(other)}`;
    });
  const config = {
    region: "us-east-1",
    userPoolId: "us-east-1_BenchPool",
    issuer: ISSUER,
    clientIds: ["bench-client"],
    tokenUse: "access",
    jwks: { keys: [jwk] },
    maxUploadBytes: 25 * 1024 * 1024,
    allowedContentTypes: ["image/jpeg"],
  };
  return { config, jwk, input, signature, token: `${input}.${signature}`, distinctTokens };
}

function event(token: string): CloudFrontRequestEvent {
  return {
    Records: [
      {
        cf: {
          config: {
            distributionDomainName: "d1.cloudfront.net",
            distributionId: "E1",
            eventType: "viewer-request",
            requestId: "r",
          },
          request: {
            clientIp: "203.0.113.178",
            method: "PUT",
            querystring: "",
            uri: `/uploads/${OWNER}/${PHOTO_ID}.jpg`,
            headers: {
              host: [{ key: "Host", value: "d1.cloudfront.net" }],
              authorization: [{ key: "Authorization", value: `Bearer ${token}` }],
              "content-type": [{ key: "Content-Type", value: "image/jpeg" }],
              "content-length": [{ key: "Content-Length", value: "482113" }],
            },
          },
        },
      },
    ],
  };
}

interface Workload<T> {
  prepare: () => T[];
  run: (item: T) => unknown;
}

async function timeBatch<T>({ prepare, run }: Workload<T>): Promise<number> {
  const items = prepare();
  const started = performance.now();
  for (const item of items) await run(item);
  return performance.now() - started;
}

/**
 * Median batch times of two workloads, their batches interleaved so that load from anything
 * else on the machine falls on both alike; `prepare` runs outside the timing.
 */
async function compareBatches<A, B>(a: Workload<A>, b: Workload<B>): Promise<[number, number]> {
  const times: [number[], number[]] = [[], []];
  for (let r = 0; r < RUNS + 2; r++) {
    const ta = await timeBatch(a);
    const tb = await timeBatch(b);
    if (r >= 2) {
      times[0].push(ta);
      times[1].push(tb);
    }
  }
  const median = (list: number[]) => list.sort((x, y) => x - y)[Math.floor(list.length / 2)]!;
  return [median(times[0]), median(times[1])];
}

async function warm(): Promise<void> {
  const { config, jwk, input, signature, token, distinctTokens } = fixture();
  const edgeConfig = parseEdgeConfig(config);
  const newHandler = () => createViewerRequestHandler(edgeConfig, { log: () => {} });
  const handler = newHandler();
  const first = await handler(event(token));
  if (!first || "status" in first) throw new Error(`the bench token was refused: ${JSON.stringify(first)}`);
  const key = createPublicKey({ key: jwk, format: "jwk" });
  const signatureBytes = Buffer.from(signature, "base64url");
  const inputBytes = Buffer.from(input);
  const rawVerify: Workload<number> = {
    prepare: () => new Array(BATCH).fill(0),
    run: () => {
      if (!verify("RSA-SHA256", inputBytes, key, signatureBytes)) throw new Error("bad signature");
    },
  };

  // One event, its Authorization header put back before each call (the handler removes it):
  // a thousand prepared events would leave their garbage to the timed loop.
  const reused = event(token);
  const sameToken = reused.Records[0]!.cf.request.headers.authorization!;
  const request = async (h: ViewerRequestHandler, authorization: typeof sameToken) => {
    reused.Records[0]!.cf.request.headers.authorization = authorization;
    const result = await h(reused);
    if (!result || "status" in result) throw new Error("refused");
  };
  // First sight: every request carries a token this handler has not verified yet (a fresh
  // handler per batch, so its verified-token cache starts empty).
  const headers = distinctTokens(BATCH).map((t) => [{ key: "Authorization", value: `Bearer ${t}` }]);
  const [rawFirst, firstSight] = await compareBatches(rawVerify, {
    prepare: () => {
      const fresh = newHandler();
      return headers.map((h) => ({ fresh, h }));
    },
    run: ({ fresh, h }) => request(fresh, h),
  });
  // Repeat: the same token again within its lifetime, as uploads and status polls send it.
  const [rawRepeat, repeat] = await compareBatches(rawVerify, {
    prepare: () => new Array(BATCH).fill(sameToken),
    run: (h) => request(handler, h),
  });
  const rows: Measurement[] = [
    { label: `raw crypto.verify RS256 ×${BATCH}`, ms: rawFirst },
    { label: `handler, valid PUT, a new token each ×${BATCH}`, ms: firstSight },
    { label: `raw crypto.verify RS256 ×${BATCH} (second pairing)`, ms: rawRepeat },
    { label: `handler, valid PUT, the same token ×${BATCH}`, ms: repeat },
  ];
  const perRequest = (ms: number) => `${((ms / BATCH) * 1000).toFixed(1)} µs`;
  printTable("edge-auth warm verification (median of interleaved batches)", rows, [
    `per request: raw ${perRequest(rawFirst)}, new token ${perRequest(firstSight)}, repeat ${perRequest(repeat)}`,
    `new token ≤ 1.50× raw: ${firstSight / rawFirst <= 1.5 ? "met" : "NOT met"} (×${(firstSight / rawFirst).toFixed(2)})`,
    `repeated token ≤ 0.20× raw: ${repeat / rawRepeat <= 0.2 ? "met" : "NOT met"} (×${(repeat / rawRepeat).toFixed(3)})`,
  ]);
}

/** Child mode: one cold start in a fresh process, reported through reportFromChild. */
async function coldChild(mode: string, dir: string): Promise<void> {
  const { config, jwk, input, signature, token } = JSON.parse(
    await readFile(join(dir, "bench.json"), "utf8"),
  ) as ReturnType<typeof fixture>;
  const started = performance.now();
  if (mode === "raw") {
    const key = createPublicKey({ key: jwk, format: "jwk" });
    verify("RSA-SHA256", Buffer.from(input), key, Buffer.from(signature, "base64url"));
  } else if (mode === "source") {
    const handler = createViewerRequestHandler(parseEdgeConfig(config));
    await handler(event(token));
  } else {
    const { handler } = (await import(pathToFileURL(join(dir, "index.mjs")).href)) as {
      handler: ReturnType<typeof createViewerRequestHandler>;
    };
    const result = await handler(event(token));
    if (!result || "status" in result) throw new Error("the bundle refused the bench token");
  }
  reportFromChild(performance.now() - started);
}

async function cold(): Promise<void> {
  const spec = functionBundles.find((s) => s.name === "edge-auth");
  if (!spec) throw new Error("no edge-auth entry in @photogate/build");
  const bundle = await bundleFunction(spec);
  const code = await readFile(join(bundle.dir, "index.mjs"));
  const gzipped = gzipSync(code, { level: 9 }).length;

  const dir = await mkdtemp(join(tmpdir(), "edge-auth-bench-"));
  try {
    const data = fixture();
    await writeFile(join(dir, "bench.json"), JSON.stringify(data));
    await writeFile(join(dir, "config.json"), JSON.stringify(data.config));
    await copyFile(join(bundle.dir, "index.mjs"), join(dir, "index.mjs"));
    const self = import.meta.filename;
    const rows: Measurement[] = [];
    for (const [label, mode] of [
      ["fresh process: first raw RS256 verify (JWK → key)", "raw"],
      ["fresh process: factory + first request (source)", "source"],
      ["fresh process: bundle import + first request", "bundle"],
    ] as const) {
      const samples: Measurement[] = [];
      for (let i = 0; i < 5; i++) samples.push(await measureChild(label, self, ["--cold", mode, dir]));
      samples.sort((a, b) => a.ms - b.ms);
      rows.push(samples[2]!);
    }
    printTable("edge-auth cold start (median of 5 fresh processes; module load excluded for source)", rows, [
      `bundle: ${(code.length / 1024).toFixed(1)} KB raw, ${(gzipped / 1024).toFixed(1)} KB gzipped ` +
        `(Lambda@Edge viewer limit 1024 KB zipped; target < 30 KB)`,
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const [flag, mode, dir] = process.argv.slice(2);
if (flag === "--cold" && mode && dir) {
  await coldChild(mode, dir);
} else {
  await warm();
  await cold();
}
