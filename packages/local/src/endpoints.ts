import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { z } from "zod";

/** Where `pnpm dev` keeps its data and the endpoints file, relative to the repository root. */
export const DEFAULT_DATA_DIR = resolve(import.meta.dirname, "../../../.photogate");
export const ENDPOINTS_FILE = "endpoints.json";

/** Default ports, one after another from 4500; `--base-port` moves them all. */
const PORT_OFFSETS = {
  edge: 0,
  s3: 1,
  s3Origin: 2,
  dynamodb: 3,
  cognitoIdp: 4,
  cognitoIdentity: 5,
  rekognition: 6,
  adminApi: 7,
  admin: 8,
} as const;
export const DEFAULT_BASE_PORT = 4500;
export type PortName = keyof typeof PORT_OFFSETS;

/** Every port 0: each server takes a free one (tests and benchmarks, beside a running pnpm dev). */
export const ANY_FREE_PORTS = Object.fromEntries(
  Object.keys(PORT_OFFSETS).map((name) => [name, 0]),
) as Record<PortName, number>;

export function portsFrom(basePort: number): Record<PortName, number> {
  return Object.fromEntries(
    Object.entries(PORT_OFFSETS).map(([name, offset]) => [name, basePort + offset]),
  ) as Record<PortName, number>;
}

export const DevStackUser = z.object({
  name: z.string(),
  email: z.string(),
  password: z.string(),
  sub: z.string(),
  groups: z.array(z.string()),
});
export type DevStackUser = z.infer<typeof DevStackUser>;

/** What a running local stack tells scripts and tests: URLs, names, ids and seeded users. */
export const DevStackEndpoints = z.object({
  pid: z.number().int(),
  startedAt: z.string(),
  region: z.string(),
  urls: z.object({
    /** The CloudFront stand-in: the real edge handler in front of the bucket. */
    edge: z.string(),
    /** S3 with AWS-style authentication and the identity-pool policy enforced. */
    s3: z.string(),
    dynamodb: z.string(),
    cognitoIdp: z.string(),
    cognitoIdentity: z.string(),
    rekognition: z.string(),
    /** The admin API (API Gateway + its JWT authorizer, locally). */
    adminApi: z.string(),
    /** The admin web app, when it is served. */
    admin: z.string().optional(),
  }),
  bucket: z.string(),
  photoTable: z.string(),
  auditTable: z.string(),
  userPool: z.object({
    id: z.string(),
    issuer: z.string(),
    providerName: z.string(),
    uploadClientId: z.string(),
    adminClientId: z.string(),
  }),
  identityPoolId: z.string(),
  /** The local stack's own services' credentials (what the processor uses). */
  serviceCredentials: z.object({ accessKeyId: z.string(), secretAccessKey: z.string() }),
  users: z.array(DevStackUser),
});
export type DevStackEndpoints = z.infer<typeof DevStackEndpoints>;

export class DevStackNotRunningError extends Error {
  readonly code = "DEV_STACK_NOT_RUNNING";
  constructor(reason: string) {
    super(`${reason}\nStart photogate locally first, in another terminal: pnpm dev`);
    this.name = "DevStackNotRunningError";
  }
}

export async function writeEndpoints(dataDir: string, endpoints: DevStackEndpoints): Promise<string> {
  const file = join(dataDir, ENDPOINTS_FILE);
  await mkdir(dirname(file), { recursive: true });
  // Written whole then renamed, so a reader never sees half a file.
  await writeFile(`${file}.tmp`, `${JSON.stringify(endpoints, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  return file;
}

/** Reads the endpoints of a running `pnpm dev`, or says clearly that none is running. */
export async function readEndpoints(dataDir = DEFAULT_DATA_DIR): Promise<DevStackEndpoints> {
  const file = join(dataDir, ENDPOINTS_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new DevStackNotRunningError(`No local stack found (${file} does not exist).`);
  }
  const parsed = DevStackEndpoints.safeParse(JSON.parse(text));
  if (!parsed.success) throw new DevStackNotRunningError(`${file} is not a photogate endpoints file.`);
  if (!isAlive(parsed.data.pid)) {
    throw new DevStackNotRunningError(
      `The local stack that wrote ${file} (pid ${parsed.data.pid}) has stopped.`,
    );
  }
  return parsed.data;
}

/** Whether a process with this id is running (on this machine). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
