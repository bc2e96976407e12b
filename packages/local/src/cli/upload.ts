import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { CognitoIdentityClient } from "@aws-sdk/client-cognito-identity";
import { identityPoolCredentialProvider } from "@photogate/client";
import { isUploadExtension } from "@photogate/core";
import { DEFAULT_DATA_DIR, readEndpoints } from "../endpoints";
import { createProgress } from "../progress";
import { findUser, signInLocalUser } from "../seed";
import { uploadDirect, uploadThroughEdge, waitForVerdict } from "../upload";
import { fail, parseCommandLine, runMain } from "./args";

const USAGE = `Usage: pnpm upload <photo file> [--user demo] [--direct] [--timeout 60]

Signs in as a local user, uploads the photo (through the edge by default, or with --direct
straight to S3 with identity-pool credentials), waits for the processor and prints the verdict.
Needs a running local stack (pnpm dev).`;

runMain(async () => {
  const { values, positionals } = parseCommandLine(
    process.argv.slice(2),
    {
      user: { type: "string", default: "demo" },
      direct: { type: "boolean", default: false },
      timeout: { type: "string", default: "60" },
      "data-dir": { type: "string", default: DEFAULT_DATA_DIR },
      help: { type: "boolean", default: false },
    },
    USAGE,
    true,
  );
  if (values.help) return void console.log(USAGE);
  const [file, ...extra] = positionals;
  if (!file || extra.length) fail(`Give exactly one photo file.\n\n${USAGE}`);
  const extension = extname(file).slice(1).toLowerCase();
  if (!isUploadExtension(extension)) {
    fail(
      `"${file}" is not a photo photogate accepts: use .jpg, .jpeg, .png, .webp, .gif, .avif, .heic or .heif`,
    );
  }
  const timeoutSeconds = Number(values.timeout);
  if (!(timeoutSeconds > 0)) fail(`--timeout must be a positive number of seconds, not "${values.timeout}"`);
  const body = await readFile(file).catch((error: NodeJS.ErrnoException) =>
    fail(`Cannot read ${file}: ${error.code === "ENOENT" ? "no such file" : error.message}`),
  );

  const endpoints = await readEndpoints(values["data-dir"]);
  const user = findUser(endpoints, values.user);
  const progress = createProgress();
  const tokens = await progress.step(`signing in as ${user.email}`, () => signInLocalUser(endpoints, user));
  const photo = { owner: user.sub, photoId: randomUUID(), extension, body };

  const key = values.direct
    ? await progress.step("uploading straight to S3 with identity-pool credentials", () => {
        const identity = new CognitoIdentityClient({
          endpoint: endpoints.urls.cognitoIdentity,
          region: endpoints.region,
        });
        const credentials = identityPoolCredentialProvider({
          client: identity,
          identityPoolId: endpoints.identityPoolId,
          userPoolProvider: endpoints.userPool.providerName,
          idToken: () => tokens.idToken,
        });
        return uploadDirect(
          { url: endpoints.urls.s3, region: endpoints.region, bucket: endpoints.bucket },
          credentials,
          photo,
        );
      })
    : await progress.step("uploading through the edge", () =>
        uploadThroughEdge(endpoints.urls.edge, tokens.accessToken, photo),
      );

  const record = await progress.step("waiting for the processor", () =>
    waitForVerdict(user.sub, photo.photoId, {
      dynamodbUrl: endpoints.urls.dynamodb,
      region: endpoints.region,
      table: endpoints.photoTable,
      credentials: endpoints.serviceCredentials,
      timeoutMs: timeoutSeconds * 1000,
    }),
  );

  console.log(`\n${key}\n  status  ${record.status}`);
  for (const reason of record.reasons) {
    const measured =
      reason.measured === undefined
        ? ""
        : ` (measured ${round(reason.measured)}, limit ${round(reason.threshold)})`;
    console.log(`  reason  ${reason.code}: ${reason.message}${measured}`);
  }
  if (record.failure) console.log(`  failure ${record.failure.code}: ${record.failure.message}`);
  if (record.face) {
    const { confidence, pose, sharpness } = record.face;
    console.log(
      `  face    confidence ${round(confidence)}, yaw ${round(pose.yaw)}°, pitch ${round(pose.pitch)}°, roll ${round(pose.roll)}°, sharpness ${round(sharpness)}`,
    );
  }
  for (const image of [...record.thumbnails, ...(record.display ? [record.display] : [])]) {
    console.log(`  image   ${image.key}  ${image.width}×${image.height}, ${image.bytes} bytes`);
  }
  if (record.thumbnails.length)
    console.log(
      `\nView one: ${endpoints.urls.edge}/${record.thumbnails[0]!.key} (with the user's access token)`,
    );
});

function round(value: number | undefined): string {
  return value === undefined ? "?" : String(Math.round(value * 10) / 10);
}
