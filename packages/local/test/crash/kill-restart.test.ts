import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture } from "@photogate/local-emulators";
import { afterEach, describe, expect, it } from "vitest";
import { waitForFinalRecords } from "../../src/final-records";
import { type StackProcess, startStackProcess } from "../../src/stack-process";
import { uploadBurst } from "../../src/upload-burst";

/** A 150 px face crop (the emulators' face fixtures): small, so a burst is quick, and a real verdict either way. */
const face = fixture("face-frontal.jpg");
const UPLOADS = 24;
/** Accepted uploads after which the stack is stopped: some processed by then, most not. */
const STOP_AFTER = 8;

describe("an operator stops the local stack mid-burst, then starts it again", () => {
  let dataDir: string | undefined;
  const running: StackProcess[] = [];
  afterEach(async () => {
    for (const stack of running.splice(0)) await stack.stop("SIGKILL");
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function burstThenStop(signal: "SIGKILL" | "SIGINT", drainTimeoutMs: number) {
    dataDir = await mkdtemp(join(tmpdir(), "photogate-crash-"));
    const first = await startStackProcess({ dataDir, drainTimeoutMs });
    running.push(first);
    let stopped: ReturnType<StackProcess["stop"]> | undefined;
    const burst = await uploadBurst({
      endpoints: first.endpoints,
      count: UPLOADS,
      concurrency: 4,
      via: "edge",
      body: face,
      onAccepted: (accepted) => {
        if (accepted === STOP_AFTER) stopped = first.stop(signal);
      },
    });
    const exit = await stopped!;
    running.splice(running.indexOf(first), 1);
    const second = await startStackProcess({ dataDir });
    running.push(second);
    const records = await waitForFinalRecords(second.endpoints, burst.accepted, { timeoutMs: 180_000 });
    return { burst, exit, second, records };
  }

  it("after kill -9, every upload that was answered 2xx reaches a final verdict", async () => {
    const { burst, second, records } = await burstThenStop("SIGKILL", 10_000);

    expect(burst.accepted.length).toBeGreaterThanOrEqual(STOP_AFTER);
    expect(burst.accepted.length + burst.failed).toBe(UPLOADS);
    expect(records.missing).toEqual([]);
    expect(records.final).toHaveLength(burst.accepted.length);
    // The kill came right after the 8th answer: not all of them can have been processed by then.
    expect(second.redelivered).toBeGreaterThan(0);
  }, 420_000);

  it("after Ctrl-C (SIGINT), the same, with what was not drained left for the next start", async () => {
    // A short drain, so that some notifications are surely left pending across the restart.
    const { burst, exit, second, records } = await burstThenStop("SIGINT", 500);

    expect(exit.code).toBe(0);
    expect(exit.report).toBeDefined();
    expect(burst.accepted.length).toBeGreaterThanOrEqual(STOP_AFTER);
    expect(records.missing).toEqual([]);
    expect(records.final).toHaveLength(burst.accepted.length);
    // A delivery in flight at the drain's deadline may still finish before the emulators stop.
    expect(second.redelivered).toBeLessThanOrEqual(exit.report!.pending);
  }, 420_000);
});
