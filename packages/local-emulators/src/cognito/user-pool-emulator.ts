import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer as createHttpServer } from "node:http";
import { createRequire } from "node:module";
import { type AddressInfo, createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import type { CredentialStore } from "../credentials";
import { requestUpstream, type Upstream } from "../http-server";
import type { JsonAuthorizer } from "../iam/json-authorizer";
import { UserPoolEmulatorError } from "./errors";
import { attachUserPoolFront } from "./user-pool-front";

export interface UserPoolEmulatorOptions {
  /**
   * Where cognito-local keeps its pools, clients and users (`{dataDir}/.cognito/db`). Reusing
   * the same directory keeps users across restarts.
   */
  dataDir: string;
  /**
   * Default: a free port. The port is part of every token's issuer (`http://host:port/{poolId}`),
   * so pass a fixed one if tokens or baked edge configs should outlive a restart.
   */
  port?: number;
  /** Listen address, also the issuer's host. Default 127.0.0.1: the emulator has no authentication. */
  host?: string;
  /** Receives cognito-local's log lines; without it they are kept quiet (and shown only if start-up fails). */
  log?: (line: string) => void;
  /** How long to wait for the emulator to answer. Default 30 s (a cold start on 2 cores takes ~2 s). */
  startTimeoutMs?: number;
  /**
   * SigV4 and IAM on the IAM-authorised operations (Admin*, ListUsers, CreateUserPool…), as on
   * AWS; without it they are not authenticated. Sign-in and token operations are unsigned either way.
   */
  auth?: { credentials: CredentialStore; authorizer: JsonAuthorizer; region: string };
}

export interface UserPoolEmulator {
  /** Endpoint for `new CognitoIdentityProviderClient({ endpoint: url })`; also the issuer's origin. */
  url: string;
  /** The emulator's process id (for diagnostics). */
  pid: number;
  /** Stops the emulator and waits for it to exit. Safe to call twice. */
  close(): Promise<void>;
}

// The last output is kept for the error message when start-up fails, not more.
const MAX_KEPT_OUTPUT = 16 * 1024;
const POLL_INTERVAL_MS = 100;
const STOP_GRACE_MS = 3000;

// Runs cognito-local's own start script inside a tiny guard that exits when the parent's end of
// stdin closes: that happens however the parent ends (even SIGKILL), so no emulator is orphaned.
// With PHOTOGATE_SOCKET set, cognito-local's listen(port, host) is turned into a listen on that
// Unix socket: no TCP port of it answers unauthenticated calls around the front.
const GUARD = [
  "process.stdin.on('end', () => process.exit(0));",
  "process.stdin.on('error', () => process.exit(0));",
  "process.stdin.resume();",
  "const socket = process.env.PHOTOGATE_SOCKET;",
  "if (socket) { const http = require('node:http'); const listen = http.Server.prototype.listen;",
  " http.Server.prototype.listen = function (...args) {",
  "  return listen.call(this, socket, args.find((a) => typeof a === 'function')); }; }",
  "require(process.argv[1]);",
].join("");

/**
 * Starts cognito-local (the user-pool emulator) as a child process behind the user-pool front
 * (`user-pool-front.ts`, which makes it answer as Cognito does) and waits until it answers.
 * cognito-local runs with `dataDir` as its working directory, because it keeps its data under
 * `./.cognito` relative to where it starts, on a free port of its own; only the front's port is
 * published, and it is the tokens' issuer.
 */
export async function startUserPoolEmulator(options: UserPoolEmulatorOptions): Promise<UserPoolEmulator> {
  const host = options.host ?? "127.0.0.1";
  const front = createHttpServer();
  await new Promise<void>((resolveListen, reject) => {
    front.once("error", (error) =>
      reject(
        new UserPoolEmulatorError(`the user pool cannot listen on ${host}:${options.port}: ${error.message}`),
      ),
    );
    front.listen(options.port ?? 0, host, () => resolveListen());
  });
  const closeFront = () =>
    new Promise<void>((resolveClose) => {
      front.close(() => resolveClose());
      front.closeAllConnections();
    });
  const hostPart = host.includes(":") ? `[${host}]` : host;
  const url = `http://${hostPart}:${(front.address() as AddressInfo).port}`;
  const dataDir = resolve(options.dataDir);
  const cognitoDir = join(dataDir, ".cognito");
  await mkdir(cognitoDir, { recursive: true });
  // cognito-local listens on a Unix socket in its data dir where one can be had; otherwise on a
  // free loopback port (it needs to be told which: 0 would leave it at its default).
  const socketPath = join(cognitoDir, "cognito-local.sock");
  const useSocket = process.platform !== "win32" && socketPath.length <= 100;
  if (useSocket) await rm(socketPath, { force: true });
  const port = useSocket ? 0 : await freePort(host);
  const upstream: Upstream = useSocket ? { socketPath } : new URL(`http://${hostPart}:${port}`);
  // The issuer names the published (front) URL, not cognito-local's own port.
  await writeFile(
    join(cognitoDir, "config.json"),
    JSON.stringify({ TokenConfig: { IssuerDomain: url } }, null, 2),
  );
  const startScript = await cognitoLocalBin();

  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-MAX_KEPT_OUTPUT);
  };
  const child = spawn(process.execPath, ["-e", GUARD, startScript], {
    cwd: dataDir,
    // A clean environment: no NODE_OPTIONS loaders from a test runner, no AWS credentials
    // (cognito-local only uses its own "local" ones, for Lambda triggers this project does not use).
    env: {
      PATH: process.env.PATH ?? "",
      PORT: String(port),
      HOST: host,
      NO_COLOR: "1",
      ...(useSocket ? { PHOTOGATE_SOCKET: socketPath } : {}),
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  forwardLines(child, options.log, keep);

  const stop = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  };
  process.once("exit", stop);

  try {
    await waitUntilAnswering(upstream, child, options.startTimeoutMs ?? 30_000, () => output);
    await attachUserPoolFront({
      upstream,
      dbDir: join(cognitoDir, "db"),
      revocationsFile: join(cognitoDir, "photogate-revocations.json"),
      server: front,
      ...(options.auth ? { auth: options.auth } : {}),
    });
  } catch (error) {
    process.removeListener("exit", stop);
    await closeFront();
    await terminate(child);
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    pid: child.pid ?? -1,
    close: () => {
      closing ??= closeFront()
        .then(() => terminate(child))
        .finally(() => process.removeListener("exit", stop));
      return closing;
    },
  };
}

async function cognitoLocalBin(): Promise<string> {
  const require = createRequire(import.meta.url);
  const packageJsonPath = require.resolve("cognito-local/package.json");
  const packageJson = JSON.parse(await readFile(packageJsonPath, "utf8")) as {
    bin?: string | Record<string, string>;
  };
  const bin = typeof packageJson.bin === "string" ? packageJson.bin : packageJson.bin?.["cognito-local"];
  if (!bin) throw new UserPoolEmulatorError(`cognito-local's package.json (${packageJsonPath}) names no bin`);
  return join(dirname(packageJsonPath), bin);
}

function forwardLines(
  child: ChildProcess,
  log: ((line: string) => void) | undefined,
  keep: (chunk: Buffer) => void,
): void {
  for (const stream of [child.stdout, child.stderr]) {
    let pending = "";
    stream?.on("data", (chunk: Buffer) => {
      keep(chunk);
      if (!log) return;
      const lines = (pending + chunk.toString("utf8")).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") log(line);
    });
  }
}

async function waitUntilAnswering(
  upstream: Upstream,
  child: ChildProcess,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const url = upstream instanceof URL ? upstream.href : upstream.socketPath;
  const deadline = Date.now() + timeoutMs;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new UserPoolEmulatorError(
        `cognito-local exited (${child.exitCode ?? child.signalCode}) before answering on ${url}:\n${output()}`,
      );
    }
    try {
      const { status } = await requestUpstream(upstream, { method: "GET", path: "/health", timeoutMs: 1000 });
      if (status === 200) return;
    } catch {
      // Not listening yet.
    }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS))]);
  }
  throw new UserPoolEmulatorError(
    `cognito-local did not answer on ${url} within ${timeoutMs} ms (is the port taken?):\n${output()}`,
  );
}

/** SIGTERM, then SIGKILL if it lingers; resolves once the process has exited. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
  child.stdin?.destroy();
}

async function freePort(host: string): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", reject);
    probe.listen(0, host, resolve);
  });
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (!address || typeof address === "string") throw new UserPoolEmulatorError("could not find a free port");
  return address.port;
}
