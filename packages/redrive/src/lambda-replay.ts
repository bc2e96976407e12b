import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { Replay } from "./redrive";
import { ReplayFailedError } from "./redrive-errors";

/**
 * Replays a payload on AWS: a synchronous (`RequestResponse`) invocation of the processor, so the
 * result is known before the message is deleted. A function error (`FunctionError` in the
 * response, with the error in the payload) counts as a failure, like a throw.
 */
export function lambdaReplay(functionName: string, client: LambdaClient = new LambdaClient({})): Replay {
  return async (payload) => {
    const result = await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: "RequestResponse",
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
    );
    if (result.FunctionError) {
      throw new ReplayFailedError(functionName, result.FunctionError, errorMessageOf(result.Payload));
    }
  };
}

function errorMessageOf(payload: Uint8Array | undefined): string {
  if (!payload) return "no error payload";
  const text = new TextDecoder().decode(payload);
  try {
    const body = JSON.parse(text) as { errorType?: unknown; errorMessage?: unknown };
    if (typeof body.errorMessage === "string") {
      return typeof body.errorType === "string"
        ? `${body.errorType}: ${body.errorMessage}`
        : body.errorMessage;
    }
  } catch {
    // Not JSON: show it as it came.
  }
  return text.slice(0, 500);
}
