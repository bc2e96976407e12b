import { describe, expect, it } from "vitest";
import { runEach } from "../src/logic/bulk";

const photos = ["a", "b", "c"].map((id) => ({ owner: "o", photoId: id }));

describe("runEach (bulk actions and their Undo)", () => {
  it("acts on each photo in turn and says per photo what happened, or why not, without stopping", async () => {
    const order: string[] = [];
    const results = await runEach(photos, {
      name: (p) => `photo ${p.photoId}`,
      act: async (p) => {
        order.push(p.photoId);
        if (p.photoId === "b") throw new Error("The item changed while you were looking at it");
        return { status: "rejected" };
      },
      done: (record) => `restored (${record.status})`,
      failed: (error) => (error as Error).message,
    });
    expect(order).toEqual(["a", "b", "c"]);
    expect(results).toEqual([
      { owner: "o", photoId: "a", name: "photo a", ok: true, text: "restored (rejected)" },
      {
        owner: "o",
        photoId: "b",
        name: "photo b",
        ok: false,
        text: "failed: The item changed while you were looking at it",
      },
      { owner: "o", photoId: "c", name: "photo c", ok: true, text: "restored (rejected)" },
    ]);
  });

  it("runs one call at a time: the next starts only after the last settled", async () => {
    let running = 0;
    let most = 0;
    await runEach(photos, {
      name: (p) => p.photoId,
      act: async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running -= 1;
      },
      done: () => "ok",
      failed: String,
    });
    expect(most).toBe(1);
  });
});
