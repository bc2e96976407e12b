import { resolve } from "node:path";
import { embeddedEnvironment } from "@photogate/core";
import { createProgress } from "@photogate/local-emulators";
import { createLogger, type LogEntry } from "@photogate/processor";
import { DEFAULT_BASE_PORT, DEFAULT_DATA_DIR, type DevStackEndpoints, portsFrom } from "../endpoints";
import { METRICS_FILE } from "../operations";
import { type SeededPhoto, seedSamplePhotos } from "../seed";
import { startDevStack } from "../stack";
import { fail, parseCommandLine, runMain } from "./args";

const USAGE = `Usage: pnpm dev [--reset] [--base-port ${DEFAULT_BASE_PORT}] [--data-dir .photogate] [--no-samples] [--verbose]
                [--admin-dist apps/admin/dist]
                [--daily-uploads N]

Starts all of photogate on this machine (no Docker, no AWS account) and keeps it running
until Ctrl-C. Data stays in the data folder between runs; --reset starts from nothing.
--daily-uploads sets each user's upload quota per UTC day (default: the local environment's,
${embeddedEnvironment.quota.daily.uploads}); a small number shows QUOTA_EXCEEDED in a demo.`;

/** How long Ctrl-C keeps delivering notifications before leaving them for the next start. */
const DRAIN_SECONDS = 10;

runMain(async () => {
  const { values } = parseCommandLine(
    process.argv.slice(2),
    {
      reset: { type: "boolean", default: false },
      "base-port": { type: "string", default: String(DEFAULT_BASE_PORT) },
      "data-dir": { type: "string", default: DEFAULT_DATA_DIR },
      "no-samples": { type: "boolean", default: false },
      verbose: { type: "boolean", default: false },
      // The root `pnpm dev` builds the admin app first (when stale) and passes its folder.
      "admin-dist": { type: "string" },
      "daily-uploads": { type: "string" },
      help: { type: "boolean", default: false },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const basePort = Number(values["base-port"]);
  if (!Number.isInteger(basePort) || basePort < 1024 || basePort > 65000) {
    fail(`--base-port must be a whole number from 1024 to 65000, not "${values["base-port"]}"\n\n${USAGE}`);
  }

  const quota = dailyQuota(values["daily-uploads"]);

  const progress = createProgress();
  const started = performance.now();
  const stack = await startDevStack({
    dataDir: values["data-dir"],
    reset: values.reset,
    ports: portsFrom(basePort),
    progress,
    ...(values["admin-dist"] ? { adminSite: { distDir: resolve(values["admin-dist"]) } } : {}),
    drainTimeoutMs: DRAIN_SECONDS * 1000,
    quota,
    // What would page someone on AWS, once per condition per minute.
    alarm: (line) => console.log(`  ${line}`),
    log: createLogger(values.verbose ? (entry) => console.log(JSON.stringify(entry)) : printNotable),
  }).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    fail(
      /EADDRINUSE|port/i.test(message)
        ? `${message}\nIs another pnpm dev running? Stop it, or pick other ports with --base-port.`
        : message,
    );
  });

  if (stack.redelivered > 0) {
    progress.info(`re-delivering ${stack.redelivered} upload notification(s) left pending by the last run`);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    progress.info(
      `\n${signal}: closing the edge, S3 and the admin API, then finishing uploads in progress (up to ${DRAIN_SECONDS} s)…`,
    );
    const { drained, pending } = await stack.stop();
    progress.info(
      `stopped: ${drained} upload notification(s) delivered while stopping, ${pending} kept in ` +
        `${values["data-dir"]}/pending for the next start.`,
    );
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("Ctrl-C"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));

  let samples: SeededPhoto[] = [];
  if (!values["no-samples"]) {
    samples = await progress.step("uploading the demo user's sample photos through the edge", () =>
      seedSamplePhotos(stack.endpoints),
    );
    await progress.step("processing them (thumbnails, face and moderation checks)", () =>
      stack.notifications.idle(),
    );
  }
  printSummary(stack.endpoints, samples, performance.now() - started, values["data-dir"]);
});

/** The local environment's quota, with the daily upload limit of --daily-uploads when given. */
function dailyQuota(raw: string | undefined) {
  const quota = embeddedEnvironment.quota;
  if (raw === undefined) return quota;
  const uploads = Number(raw);
  if (!Number.isInteger(uploads) || uploads < 1 || uploads > 10_000) {
    fail(`--daily-uploads must be a whole number from 1 to 10000, not "${raw}"\n\n${USAGE}`);
  }
  return { ...quota, daily: { ...quota.daily, uploads } };
}

/** Without --verbose: one line per processed photo, and every warning or error. */
function printNotable(entry: LogEntry): void {
  const { level, event, ...fields } = entry;
  if (event === "upload.processed") {
    const reasons = (fields.reasons as string[] | undefined)?.join(", ");
    console.log(
      `  processed ${fields.owner}/${fields.photoId} → ${fields.status}${reasons ? ` (${reasons})` : ""}`,
    );
  } else if (event === "reconcile.summary" && Number(fields.found) > 0) {
    console.log(
      `  reconciler: ${fields.found} upload(s) nobody was finishing (${JSON.stringify(fields.causes)}), ${fields.redriven} processed again, ${fields.deferred} left for the next run`,
    );
  } else if (level !== "info") {
    console.log(`  ${level} ${event} ${JSON.stringify(fields)}`);
  }
}

function printSummary(
  endpoints: DevStackEndpoints,
  samples: SeededPhoto[],
  ms: number,
  dataDir: string,
): void {
  const { urls } = endpoints;
  const lines = [
    "",
    `photogate is running locally (ready in ${(ms / 1000).toFixed(1)} s). Ctrl-C stops it.`,
    "",
    `  Admin app (support staff)        ${urls.admin ?? "(not served)"}   sign in as support or admin below`,
    `  Admin API                        ${urls.adminApi}`,
    `  Edge (CloudFront + Lambda@Edge)  ${urls.edge}`,
    `  S3 (with IAM)                    ${urls.s3}`,
    `  DynamoDB                         ${urls.dynamodb}`,
    `  Cognito user pool                ${urls.cognitoIdp}`,
    `  Cognito identity pool            ${urls.cognitoIdentity}`,
    `  Rekognition                      ${urls.rekognition}`,
    "",
    `  bucket ${endpoints.bucket}   tables ${endpoints.photoTable}, ${endpoints.auditTable}`,
    `  user pool ${endpoints.userPool.id}   identity pool ${endpoints.identityPoolId}`,
    "",
    "  Users:",
    ...endpoints.users.map(
      (u) =>
        `    ${u.name.padEnd(8)} ${u.email.padEnd(26)} ${u.password.padEnd(20)} ${u.groups.join(", ") || "-"}`,
    ),
  ];
  if (samples.length) {
    lines.push("", "  Sample photos of demo:");
    for (const s of samples) {
      lines.push(
        `    ${s.name.padEnd(11)} ${s.photoId}  expected ${s.expect}${s.uploaded ? "" : " (kept from an earlier run)"}`,
      );
    }
  }
  lines.push(
    "",
    "  Try:",
    "    pnpm upload path/to/photo.jpg --user demo            # through the edge, waits for the verdict",
    "    pnpm upload path/to/photo.jpg --user demo --direct   # straight to S3 with identity-pool credentials",
    "    pnpm users                                            # users, groups and their photos",
    "",
    `  Endpoints for scripts and tests: ${dataDir}/endpoints.json`,
    `  Metrics (CloudWatch embedded metric format, one line per data point): ${dataDir}/${METRICS_FILE}`,
    "",
  );
  console.log(lines.join("\n"));
}
