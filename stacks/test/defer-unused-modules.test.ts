import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

describe("deferUnusedModules", () => {
  it("keeps archiver and semver unloaded while cdktf loads, and loads each on first use", () => {
    // A fresh process: this test's own module cache may already hold cdktf.
    const probe = spawnSync(
      process.execPath,
      ["--import", "tsx", join(import.meta.dirname, "fixtures/defer-probe.ts")],
      { encoding: "utf8" },
    );
    expect(probe.stderr).toBe("");
    expect(JSON.parse(probe.stdout)).toEqual({
      before: { archiver: false, semver: false, cdktf: true },
      works: { zip: 0, satisfies: true },
      after: { archiver: true },
    });
  });
});
