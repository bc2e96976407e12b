import { type PhotoTransport, uploadPhoto } from "@photogate/client";
import type { DevStackEndpoints } from "./endpoints";
import { findUser, signInLocalUser } from "./seed";
import { localIdentityPoolCredentials, localS3Client } from "./upload";

export interface UploadBurstOptions {
  endpoints: DevStackEndpoints;
  count: number;
  /** Uploads in flight at once. */
  concurrency: number;
  /** Through the edge with the access token, or straight to S3 with identity-pool credentials. */
  via: "edge" | "s3";
  /** The photo every upload sends (a JPEG). */
  body: Uint8Array;
  /** The seeded user who uploads. Default: demo. */
  user?: string;
  /** Called after every 2xx, with the number accepted so far (e.g. to kill the stack midway). */
  onAccepted?: (accepted: number) => void;
}

export interface AcceptedUpload {
  owner: string;
  photoId: string;
  via: "edge" | "s3";
  /** `Date.now()` when the 2xx arrived. */
  answeredAt: number;
}

export interface UploadBurstResult {
  /** Uploads answered 2xx: each one must reach a verdict, whatever happens to the stack after. */
  accepted: AcceptedUpload[];
  /** Uploads that failed (refused, connection reset by a kill...): never accepted, so never owed a verdict. */
  failed: number;
}

/** Sends `count` uploads of one photo as one signed-in user, `concurrency` at a time. */
export async function uploadBurst(options: UploadBurstOptions): Promise<UploadBurstResult> {
  const { endpoints, via } = options;
  const user = findUser(endpoints, options.user ?? "demo");
  const tokens = await signInLocalUser(endpoints, user);
  const s3 =
    via === "s3"
      ? localS3Client(
          endpoints.urls.s3,
          endpoints.region,
          localIdentityPoolCredentials(endpoints, () => tokens.idToken),
        )
      : undefined;
  const transport: PhotoTransport = s3
    ? { kind: "s3", s3, bucket: endpoints.bucket }
    : { kind: "cloudfront", baseUrl: endpoints.urls.edge, accessToken: tokens.accessToken };

  const accepted: AcceptedUpload[] = [];
  let failed = 0;
  let next = 0;
  const worker = async () => {
    while (next < options.count) {
      next++;
      const photoId = crypto.randomUUID();
      try {
        await uploadPhoto(transport, { owner: user.sub, photoId, extension: "jpg", body: options.body });
        accepted.push({ owner: user.sub, photoId, via, answeredAt: Date.now() });
        options.onAccepted?.(accepted.length);
      } catch {
        failed++;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  } finally {
    s3?.destroy();
  }
  return { accepted, failed };
}
