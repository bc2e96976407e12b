import { PhotogateError } from "@photogate/core";

/** The processor answered a replay with a function error (Lambda's `FunctionError`). */
export class ReplayFailedError extends PhotogateError {
  constructor(
    readonly functionName: string,
    readonly functionError: string,
    detail: string,
  ) {
    super("REPLAY_FAILED", `${functionName} failed (${functionError}): ${detail}`);
  }
}

/** Another redrive holds the dead letters right now; two runs would replay the same messages. */
export class RedriveBusyError extends PhotogateError {
  constructor(holder: string) {
    super("REDRIVE_IN_PROGRESS", `Another redrive is running (${holder}); wait for it to finish`);
  }
}
