import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { type PhotoTransport, uploadProfilePicture } from "@photogate/client";
import { isUploadExtension, uploadKey, type VerdictDocument } from "@photogate/core";
import { createProgress } from "@photogate/local-emulators";
import { DEFAULT_DATA_DIR, readEndpoints } from "../endpoints";
import { findUser, signInLocalUser } from "../seed";
import {
  localIdentityPoolCredentials,
  localS3Client,
  uploadDirect,
  uploadThroughEdge,
  waitForVerdict,
} from "../upload";
import { fail, parseCommandLine, runMain } from "./args";

const USAGE = `Usage: pnpm upload <photo file> [--user demo] [--direct] [--profile] [--timeout 60]

Signs in as a local user, uploads the photo (through the edge by default, or with --direct
straight to S3 with identity-pool credentials), waits for the processor and prints the verdict.
With --profile the photo is uploaded as the user's profile picture: once approved it becomes
their Cognito \`picture\`; the output says whether it did, and why not.
Needs a running local stack (pnpm dev).`;

runMain(async () => {
  const { values, positionals } = parseCommandLine(
    process.argv.slice(2),
    {
      user: { type: "string", default: "demo" },
      direct: { type: "boolean", default: false },
      profile: { type: "boolean", default: false },
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

  const s3 = { url: endpoints.urls.s3, region: endpoints.region, bucket: endpoints.bucket };
  const credentials = values.direct
    ? localIdentityPoolCredentials(endpoints, () => tokens.idToken)
    : undefined;
  const started = Date.now();
  let key: string;
  let verdict: VerdictDocument;
  let pictureLine: string | undefined;
  if (values.profile) {
    // The client library's own flow: the intent travels with the upload; the verdict says what happened.
    const transport: PhotoTransport = credentials
      ? { kind: "s3", s3: localS3Client(s3.url, s3.region, credentials), bucket: s3.bucket }
      : { kind: "cloudfront", baseUrl: endpoints.urls.edge, accessToken: tokens.accessToken };
    const result = await progress.step(
      `uploading as the profile picture (${credentials ? "straight to S3" : "through the edge"}) and waiting for the verdict`,
      () => uploadProfilePicture(transport, photo, { timeoutMs: timeoutSeconds * 1000 }),
    );
    key = uploadKey(user.sub, photo.photoId, extension);
    verdict = result.verdict;
    pictureLine = result.pictureChanged
      ? `  picture set: ${result.picture}`
      : `  picture unchanged: ${result.notSet?.code ?? "NOT_SET"}${result.notSet?.message ? ` (${result.notSet.message})` : ""}`;
  } else {
    key = credentials
      ? await progress.step("uploading straight to S3 with identity-pool credentials", () =>
          uploadDirect(s3, credentials, photo),
        )
      : await progress.step("uploading through the edge", () =>
          uploadThroughEdge(endpoints.urls.edge, tokens.accessToken, photo),
        );

    // The verdict document, read the way the upload went: S3 with the same credentials, or the edge.
    verdict = await progress.step("waiting for the verdict (status.json)", () =>
      waitForVerdict(
        user.sub,
        photo.photoId,
        credentials ? { s3, credentials } : { edgeUrl: endpoints.urls.edge, accessToken: tokens.accessToken },
        { timeoutMs: timeoutSeconds * 1000 },
      ),
    );
  }

  console.log(
    `\n${key}\n  status  ${verdict.status} (version ${verdict.version}, ${Date.now() - started} ms from the upload's start)`,
  );
  for (const reason of verdict.reasons) {
    const measured =
      reason.measured === undefined
        ? ""
        : ` (measured ${round(reason.measured)}, limit ${round(reason.threshold)})`;
    console.log(`  reason  ${reason.code}: ${reason.message}${measured}`);
  }
  if (pictureLine) console.log(pictureLine);
  if (verdict.failure) console.log(`  failure ${verdict.failure.code}: ${verdict.failure.message}`);
  const images = [...verdict.images.thumbnails, ...(verdict.images.display ? [verdict.images.display] : [])];
  for (const image of images) {
    console.log(`  image   ${image.key}  ${image.width}×${image.height}, ${image.bytes} bytes`);
  }
  const shared = verdict.shared?.thumbnails[0];
  if (shared) console.log(`\nShared with every signed-in user: ${endpoints.urls.edge}/${shared.key}`);
  else if (images[0])
    console.log(`\nView one: ${endpoints.urls.edge}/${images[0].key} (with the user's access token)`);
});

function round(value: number | undefined): string {
  return value === undefined ? "?" : String(Math.round(value * 10) / 10);
}
