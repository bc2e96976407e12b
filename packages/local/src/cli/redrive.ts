import { join } from "node:path";
import {
  createLogger,
  embeddedEnvironment,
  loadEnvironment,
  type RedriveResult,
  resourceNames,
} from "@photogate/core";
import { createClients, processS3Event } from "@photogate/processor";
import {
  awsDeadLetters,
  type DeadLetterSource,
  queueUrlByName,
  type Replay,
  redriveDeadLetters,
} from "@photogate/redrive";
import type { S3Event } from "aws-lambda";
import { DEFAULT_DATA_DIR, readEndpoints } from "../endpoints";
import { deadLetterFile } from "../redrive/dead-letter-file";
import { fail, parseCommandLine, runMain } from "./args";

const USAGE = `Usage: pnpm redrive --env <dev|prod> [--dry-run] [--max N]
       pnpm redrive --local [--data-dir .photogate] [--dry-run] [--max N]

Replays the processor's dead letters, each once, and removes each only after its replay succeeded.
  --env      the deployed environment: its DLQ (SQS) and processor function, with your AWS credentials
  --local    the local stack's dead-letter file, replayed by the processor against a running pnpm dev
  --dry-run  list what would be replayed (bucket, key, failed at, last error); change nothing
  --max      most messages handled in this run (default 100)
Exits 1 when any replay failed.`;

runMain(async () => {
  const { values } = parseCommandLine(
    process.argv.slice(2),
    {
      env: { type: "string" },
      local: { type: "boolean", default: false },
      "data-dir": { type: "string", default: DEFAULT_DATA_DIR },
      "dry-run": { type: "boolean", default: false },
      max: { type: "string", default: "100" },
      help: { type: "boolean", default: false },
    },
    USAGE,
  );
  if (values.help) return void console.log(USAGE);
  if ((values.env === undefined) === !values.local)
    fail(`Give exactly one of --env <name> or --local.\n\n${USAGE}`);
  const max = Number(values.max);
  if (!Number.isInteger(max) || max < 1) fail(`--max must be a whole number ≥ 1, got "${values.max}".`);

  const target = values.local ? await localTarget(values["data-dir"]) : await awsTarget(values.env!);
  console.log(
    `${values["dry-run"] ? "Listing" : "Replaying"} up to ${max} dead letters from ${target.where}`,
  );
  try {
    const summary = await redriveDeadLetters(target.source, target.replay, {
      dryRun: values["dry-run"],
      max,
      onResult: printResult,
    });
    const failed = summary.failed.length;
    console.log(
      summary.dryRun
        ? `Would replay ${summary.results.length}; ${summary.remaining} dead letters in all.`
        : `Replayed ${summary.replayed}, failed ${failed}, ${summary.remaining} left.`,
    );
    if (failed > 0) process.exitCode = 1;
  } finally {
    target.destroy();
  }
});

interface Target {
  where: string;
  source: DeadLetterSource;
  replay: Replay;
  destroy(): void;
}

async function awsTarget(envName: string): Promise<Target> {
  const env = loadEnvironment(envName);
  const names = resourceNames(env);
  const queueUrl = await queueUrlByName(names.processorDlq, env.region);
  const aws = awsDeadLetters({ queueUrl, functionName: names.processorFunction }, { region: env.region });
  return {
    where: `${queueUrl} through ${names.processorFunction}`,
    source: aws.source(),
    replay: aws.replay,
    destroy: aws.destroy,
  };
}

/** Locally the processor runs in this process, against the running stack's emulators. */
async function localTarget(dataDir: string): Promise<Target> {
  const endpoints = await readEndpoints(dataDir);
  const env = embeddedEnvironment;
  const aws = { region: endpoints.region, credentials: endpoints.serviceCredentials };
  const clients = createClients({
    forcePathStyle: true,
    s3: { ...aws, endpoint: endpoints.urls.s3 },
    dynamo: { ...aws, endpoint: endpoints.urls.dynamodb },
    rekognition: { ...aws, endpoint: endpoints.urls.rekognition },
  });
  const deps = {
    ...clients,
    config: {
      photoTable: endpoints.photoTable,
      processing: env.processing,
      endpointOverride: true,
      bucket: endpoints.bucket,
      maxAttempts: env.processor.maxRetryAttempts + 1,
    },
    log: createLogger(() => {}),
  };
  const file = join(dataDir, "dlq.jsonl");
  return {
    where: file,
    source: deadLetterFile(file),
    replay: async (payload) => {
      await processS3Event(payload as S3Event, deps);
    },
    destroy() {
      clients.s3.destroy();
      clients.dynamo.destroy();
      clients.rekognition.destroy();
    },
  };
}

function printResult(result: RedriveResult): void {
  const mark = { replayed: "replayed", failed: "FAILED  ", "would-replay": "would   " }[result.outcome];
  const why =
    result.outcome === "failed" ? `: ${result.replayError}` : ` (failed ${result.failedAt}: ${result.error})`;
  console.log(`  ${mark} ${result.bucket ? `${result.bucket}/` : ""}${result.key}${why}`);
}
