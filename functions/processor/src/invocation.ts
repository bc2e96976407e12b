import { ReprocessRequest } from "@photogate/core";
import { InvalidInvocationError } from "./errors";

export type Invocation = { kind: "s3"; event: unknown } | { kind: "reprocess"; request: ReprocessRequest };

/**
 * Tells the two payloads the function accepts apart: an S3 notification (or S3's test event),
 * and the admin API's `{ "action": "reprocess", "owner", "photoId" }`. Anything else is refused
 * with a message that says what is accepted, rather than being read as an empty S3 event.
 */
export function classifyInvocation(payload: unknown): Invocation {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new InvalidInvocationError("the payload is not a JSON object");
  }
  if ("action" in payload) {
    const parsed = ReprocessRequest.safeParse(payload);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
      throw new InvalidInvocationError(problems.join("; "));
    }
    return { kind: "reprocess", request: parsed.data };
  }
  if ("Records" in payload || "Event" in payload) return { kind: "s3", event: payload };
  throw new InvalidInvocationError(
    `unrecognised keys ${Object.keys(payload).slice(0, 5).join(", ") || "(none)"}`,
  );
}
