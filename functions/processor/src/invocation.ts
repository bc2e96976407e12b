import { ReconcileRequest, ReprocessRequest } from "@photogate/core";
import { z } from "zod";
import { InvalidInvocationError } from "./errors";

export type Invocation =
  | { kind: "s3"; event: unknown }
  | { kind: "reprocess"; request: ReprocessRequest }
  | { kind: "reconcile"; request: ReconcileRequest };

/**
 * Tells the payloads the function accepts apart: an S3 notification (or S3's test event), the
 * admin API's `{ "action": "reprocess", "owner", "photoId" }` and the schedule's
 * `{ "action": "reconcile" }`. Anything else is refused
 * with a message that says what is accepted, rather than being read as an empty S3 event.
 */
export function classifyInvocation(payload: unknown): Invocation {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new InvalidInvocationError("the payload is not a JSON object");
  }
  if ("action" in payload) {
    const parsed =
      payload.action === "reconcile"
        ? ReconcileRequest.safeParse(payload)
        : ReprocessRequest.safeParse(payload);
    if (!parsed.success) throw new InvalidInvocationError(z.prettifyError(parsed.error));
    return parsed.data.action === "reconcile"
      ? { kind: "reconcile", request: parsed.data }
      : { kind: "reprocess", request: parsed.data };
  }
  if ("Records" in payload || "Event" in payload) return { kind: "s3", event: payload };
  throw new InvalidInvocationError(
    `unrecognised keys ${Object.keys(payload).slice(0, 5).join(", ") || "(none)"}`,
  );
}
