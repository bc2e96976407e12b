import { createLogger, type LogEntry } from "@photogate/core";
import { describe, expect, it } from "vitest";
import { createAlarmWatch, observedLogger } from "../src/operations";

describe("local alarm lines", () => {
  it("prints a condition once a minute, then says how many it held back", () => {
    const lines: string[] = [];
    let now = 0;
    const watch = createAlarmWatch(
      (l) => lines.push(l),
      () => now,
    );
    const deadLetter = {
      level: "error",
      event: "notification.dead-lettered",
      key: "uploads/o/p.jpg",
    } as LogEntry;
    watch.observeLog(deadLetter);
    now = 30_000;
    watch.observeLog(deadLetter);
    watch.observeLog(deadLetter);
    expect(lines).toEqual(["alarm  processor-dead-letters  1 upload dead-lettered (uploads/o/p.jpg)"]);
    now = 61_000;
    watch.observeLog(deadLetter);
    expect(lines[1]).toBe(
      "alarm  processor-dead-letters  1 upload dead-lettered (uploads/o/p.jpg) (+2 more in the minute before)",
    );
  });

  it("reads quota refusals and reconciler findings from EMF lines; zero findings raise nothing", () => {
    const lines: string[] = [];
    const watch = createAlarmWatch((l) => lines.push(l));
    watch.observeMetrics(JSON.stringify({ ReconcileOrphans: 0, ReconcileExpiredLeases: 0 }));
    expect(lines).toEqual([]);
    watch.observeMetrics(JSON.stringify({ ReconcileOrphans: 3 }));
    watch.observeMetrics(JSON.stringify({ ReconcileExpiredLeases: 1 }));
    watch.observeMetrics(JSON.stringify({ QuotaRefusals: 1 }));
    expect(lines.map((l) => l.split("  ")[1])).toEqual([
      "reconcile-orphans",
      "reconcile-expired-leases",
      "quota-refusals",
    ]);
    expect(lines[0]).toContain("3 upload(s)");
  });

  it("sees processor errors through a child logger, with the child's fields", () => {
    const seen: LogEntry[] = [];
    const log = observedLogger(
      createLogger(() => {}),
      (e) => seen.push(e),
    ).child({ owner: "o", photoId: "p" });
    log.error("upload.failed", { failure: { code: "REKOGNITION_FAILED" } });
    const lines: string[] = [];
    const watch = createAlarmWatch((l) => lines.push(l));
    for (const entry of seen) watch.observeLog(entry);
    expect(lines).toEqual(["alarm  processor-errors  processing failed (REKOGNITION_FAILED) for o/p"]);
  });
});
