import { REPORT_PHOTO_ROUTE, type ReportPhotoInput, ReportPhotoResult } from "@photogate/core";
import { REPORT_REFUSALS, ReportPhotoError } from "./errors";
import { objectUrl, tokenOf } from "./photo-transport";
import type { ProfileApi } from "./profile-picture";

/**
 * Reports another user's approved photo to support: owner and id (as in its shared/ key), a
 * reason from REPORT_REASONS and an optional comment of up to 500 characters, sent to
 * `POST /reports` on the admin API's origin with the user's upload-app access token. Resolves with `counted: false` when this user had
 * reported it before (a repeat counts once). Throws a ReportPhotoError subclass for each refusal:
 * ReportedPhotoNotFoundError (404), ReportedPhotoNotApprovedError (409), OwnPhotoReportError (409),
 * InvalidReportError (400); other failures are a plain ReportPhotoError with `status`.
 */
export async function reportPhoto(api: ProfileApi, report: ReportPhotoInput): Promise<ReportPhotoResult> {
  const response = await (api.fetch ?? fetch)(objectUrl(api.baseUrl, REPORT_PHOTO_ROUTE.path.slice(1)), {
    method: REPORT_PHOTO_ROUTE.method,
    headers: {
      authorization: `Bearer ${await tokenOf(api.accessToken)}`,
      "content-type": "application/json",
    },
    body: JSON.stringify(report),
  });
  const text = await response.text().catch(() => "");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    const detail = error?.message ?? (text || response.statusText);
    const status = response.status;
    const code = error?.code;
    const Refusal =
      code !== undefined && Object.hasOwn(REPORT_REFUSALS, code) ? REPORT_REFUSALS[code] : undefined;
    if (Refusal) throw new Refusal(status, detail);
    throw new ReportPhotoError(status, status === 401 ? "UNAUTHORIZED" : "REQUEST_FAILED", detail);
  }
  const parsed = ReportPhotoResult.safeParse(body);
  if (!parsed.success) {
    throw new ReportPhotoError(
      response.status,
      "INVALID_RESPONSE",
      "The API answered without a report result",
    );
  }
  return parsed.data;
}
