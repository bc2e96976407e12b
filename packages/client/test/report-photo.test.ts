import { describe, expect, it } from "vitest";
import {
  InvalidReportError,
  OwnPhotoReportError,
  ReportedPhotoNotApprovedError,
  ReportedPhotoNotFoundError,
  ReportPhotoError,
  reportPhoto,
} from "../src/index";

const OWNER = "0a0b0c0d-1e1f-4a2b-8c3d-4e5f6a7b8c9d";
const PHOTO = "f0e1d2c3-b4a5-4968-8776-655443322110";
const REPORT = { owner: OWNER, photoId: PHOTO, reason: "SPAM" as const, comment: "ads" };

/** A fetch that records the request and answers with this status and JSON body. */
function answering(status: number, body: unknown) {
  const seen: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    seen.push({ url, init });
    return new Response(typeof body === "string" ? body : JSON.stringify(body), { status });
  }) as unknown as typeof globalThis.fetch;
  return { seen, api: { baseUrl: "https://admin.example/api/", accessToken: async () => "tok", fetch } };
}

const refusal = (code: string, message: string) => ({ error: { code, message } });

describe("reportPhoto", () => {
  it("POSTs the report to /reports with the user's token and returns whether it counted", async () => {
    const { seen, api } = answering(200, { owner: OWNER, photoId: PHOTO, counted: true });
    expect(await reportPhoto(api, REPORT)).toEqual({ owner: OWNER, photoId: PHOTO, counted: true });
    expect(seen[0]?.url).toBe("https://admin.example/api/reports");
    expect(seen[0]?.init.method).toBe("POST");
    expect((seen[0]?.init.headers as Record<string, string> | undefined)?.authorization).toBe("Bearer tok");
    expect(JSON.parse(String(seen[0]?.init.body))).toEqual(REPORT);
  });

  it.each([
    [404, "PHOTO_NOT_FOUND", ReportedPhotoNotFoundError],
    [409, "PHOTO_NOT_APPROVED", ReportedPhotoNotApprovedError],
    [409, "CANNOT_TARGET_SELF", OwnPhotoReportError],
    [400, "INVALID_REQUEST", InvalidReportError],
  ])("turns %i %s into its own error class, keeping the API's message", async (status, code, type) => {
    const { api } = answering(status, refusal(code, `the API says ${code}`));
    const error = await reportPhoto(api, REPORT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(ReportPhotoError);
    expect(error).toMatchObject({ status, code, detail: `the API says ${code}`, name: type.name });
  });

  it("treats a code that only an object's prototype knows (toString) as any other failure", async () => {
    const error = await reportPhoto(answering(409, refusal("toString", "odd")).api, REPORT).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ReportPhotoError);
    expect(error).toMatchObject({ status: 409, code: "REQUEST_FAILED", detail: "odd" });
  });

  it("names a 401 UNAUTHORIZED and any other failure REQUEST_FAILED, with its status", async () => {
    const unauthorized = await reportPhoto(answering(401, { message: "Unauthorized" }).api, REPORT).catch(
      (e: unknown) => e,
    );
    expect(unauthorized).toMatchObject({ status: 401, code: "UNAUTHORIZED" });
    const busy = await reportPhoto(answering(503, "Service Unavailable").api, REPORT).catch(
      (e: unknown) => e,
    );
    expect(busy).toMatchObject({ status: 503, code: "REQUEST_FAILED", detail: "Service Unavailable" });
    expect(busy).not.toBeInstanceOf(ReportedPhotoNotFoundError);
  });

  it("refuses a 2xx that is not a report result", async () => {
    const error = await reportPhoto(answering(200, { ok: true }).api, REPORT).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "INVALID_RESPONSE" });
  });
});
