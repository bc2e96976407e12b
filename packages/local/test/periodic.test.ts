import type { Logger } from "@photogate/core";
import { describe, expect, it } from "vitest";
import { periodic } from "../src/periodic";

function recordingLog() {
  const errors: { message: string; fields: unknown }[] = [];
  const log = {
    error: (message: string, fields?: unknown) => errors.push({ message, fields }),
    warn: () => {},
    info: () => {},
    debug: () => {},
  } as unknown as Logger;
  return { log, errors };
}
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("periodic", () => {
  it("never overlaps runs: each starts after the one before has finished", async () => {
    let active = 0;
    let most = 0;
    const runner = periodic(
      async (n: number) => {
        active++;
        most = Math.max(most, active);
        await tick(5);
        active--;
        return n * 2;
      },
      { intervalMs: 60_000, ...recordingLog(), failure: "task.failed" },
    );
    expect(await Promise.all([runner.run(1), runner.run(2), runner.run(3)])).toEqual([2, 4, 6]);
    expect(most).toBe(1);
    await runner.stop();
  });

  it("runs on its interval, logs a failed periodic run, and keeps going after it", async () => {
    const { log, errors } = recordingLog();
    let calls = 0;
    const runner = periodic(
      async () => {
        calls++;
        if (calls === 1) throw new Error("first run fails");
      },
      { intervalMs: 10, log, failure: "task.failed" },
    );
    await tick(80);
    await runner.stop();
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(errors[0]).toMatchObject({
      message: "task.failed",
      fields: { error: expect.objectContaining({ message: "first run fails" }) },
    });
  });

  it("rejects an on-demand run with the task's error, and stop waits for a run in progress", async () => {
    let finished = false;
    const runner = periodic(
      async (fail: boolean) => {
        await tick(20);
        if (fail) throw new Error("refused");
        finished = true;
      },
      { intervalMs: 60_000, ...recordingLog(), failure: "task.failed" },
    );
    await expect(runner.run(true)).rejects.toThrow("refused");
    void runner.run(false);
    await runner.stop();
    expect(finished).toBe(true);
    expect(runner.stopped).toBe(true);
  });
});
