import { describe, expect, it } from "vitest";
import {
  accessClaims,
  adminRole,
  decodeJwtPayload,
  needsRefresh,
  REFRESH_MARGIN_SECONDS,
  TokenError,
} from "../src/auth/tokens";
import {
  auditTargetRef,
  changedFields,
  describeMeasurement,
  faceBoxPercent,
  formatAge,
  formatBytes,
  formatMeasure,
  originalFate,
  parseTypedDate,
  readableValue,
  toCsv,
} from "../src/logic/format";
import {
  currentToken,
  firstPage,
  hasPrevious,
  nextPage,
  pagerFromParam,
  pagerToParam,
  previousPage,
} from "../src/logic/pager";
import { queueCommand } from "../src/logic/queue-keys";
import { fakeJwt } from "./jwt";

describe("tokens", () => {
  it("reads groups, sub and expiry from an access token (UTF-8 and base64url safe)", () => {
    const token = fakeJwt({ sub: "s-1", exp: 100, "cognito:groups": ["support"], username: "Zoë ~?>" });
    expect(accessClaims(token)).toEqual({ sub: "s-1", username: "Zoë ~?>", groups: ["support"], exp: 100 });
  });

  it("gives a plain user no role, and admins the stronger one", () => {
    expect(adminRole([])).toBeUndefined();
    expect(adminRole(["beta-testers"])).toBeUndefined();
    expect(adminRole(["support"])).toBe("support");
    expect(adminRole(["support", "admins"])).toBe("admins");
    expect(accessClaims(fakeJwt({ sub: "s", exp: 1 })).groups).toEqual([]);
  });

  it("refuses what is not a JWT", () => {
    expect(() => decodeJwtPayload("abc")).toThrow(TokenError);
    expect(() => decodeJwtPayload("a.bm90IGpzb24.c")).toThrow(TokenError);
    expect(() => accessClaims(fakeJwt({ sub: "s" }))).toThrow(/exp/);
  });

  it("refreshes within the margin before expiry, not earlier", () => {
    const exp = 10_000;
    expect(needsRefresh({ exp }, (exp - REFRESH_MARGIN_SECONDS - 1) * 1000)).toBe(false);
    expect(needsRefresh({ exp }, (exp - REFRESH_MARGIN_SECONDS) * 1000)).toBe(true);
    expect(needsRefresh({ exp }, (exp + 5) * 1000)).toBe(true);
  });
});

describe("pager over opaque next tokens", () => {
  it("goes forward with the API's token and back to pages already seen", () => {
    let state = firstPage;
    expect(currentToken(state)).toBeUndefined();
    expect(hasPrevious(state)).toBe(false);
    state = nextPage(state, "t1");
    state = nextPage(state, "t2");
    expect(currentToken(state)).toBe("t2");
    state = previousPage(state);
    expect(currentToken(state)).toBe("t1");
    // Forward again from page 1 with a different token forgets the old branch.
    state = nextPage(state, "t2b");
    expect(state.tokens).toEqual([undefined, "t1", "t2b"]);
    expect(nextPage(state, undefined)).toBe(state);
    expect(previousPage(firstPage)).toBe(firstPage);
  });
});

describe("moderation queue keys", () => {
  it("moves with j/k and the arrows, clamped to the list", () => {
    expect(queueCommand({ key: "j" }, 0, 3)).toEqual({ type: "select", index: 1 });
    expect(queueCommand({ key: "j" }, 2, 3)).toEqual({ type: "select", index: 2 });
    expect(queueCommand({ key: "k" }, 0, 3)).toEqual({ type: "select", index: 0 });
    expect(queueCommand({ key: "ArrowUp" }, 2, 3)).toEqual({ type: "select", index: 1 });
  });

  it("acts on the selected photo, clamped when the list shrank", () => {
    expect(queueCommand({ key: "a" }, 1, 3)).toEqual({ type: "approve", index: 1 });
    expect(queueCommand({ key: "r" }, 5, 3)).toEqual({ type: "reject", index: 2 });
    expect(queueCommand({ key: "Enter" }, 0, 1)).toEqual({ type: "open", index: 0 });
  });

  it("ignores keys while typing, with modifiers (browser shortcuts), unknown keys and an empty queue", () => {
    expect(queueCommand({ key: "a", inEditableField: true }, 0, 3)).toBeUndefined();
    expect(queueCommand({ key: "r", ctrlKey: true }, 0, 3)).toBeUndefined();
    expect(queueCommand({ key: "r", metaKey: true }, 0, 3)).toBeUndefined();
    expect(queueCommand({ key: "q" }, 0, 3)).toBeUndefined();
    expect(queueCommand({ key: "a" }, 0, 0)).toBeUndefined();
  });

  it("leaves Enter and Space to a focused link or button; on a card they open and mark", () => {
    expect(queueCommand({ key: "Enter", onControl: true }, 0, 3)).toBeUndefined();
    expect(queueCommand({ key: " ", onControl: true }, 0, 3)).toBeUndefined();
    expect(queueCommand({ key: " " }, 1, 3)).toEqual({ type: "mark", index: 1 });
    expect(queueCommand({ key: "x", onControl: true }, 2, 3)).toEqual({ type: "mark", index: 2 });
  });
});

describe("what people type and read", () => {
  it("reads dates as typed, day first, and refuses impossible ones", () => {
    expect(parseTypedDate("27/11/2026")).toBe("2026-11-27");
    expect(parseTypedDate(" 2026-11-27 ")).toBe("2026-11-27");
    expect(parseTypedDate("1.2.2026")).toBe("2026-02-01");
    expect(parseTypedDate("27 Nov 2026")).toBe("2026-11-27");
    expect(parseTypedDate("31/02/2026")).toBeUndefined();
    expect(parseTypedDate("11/27/2026")).toBeUndefined();
    expect(parseTypedDate("yesterday")).toBeUndefined();
  });

  it("shows before/after values as words, not JSON", () => {
    expect(readableValue([{ code: "BLURRY", message: "too soft" }])).toBe("Blurry: too soft");
    expect(readableValue([])).toBe("none");
    expect(readableValue(false)).toBe("no");
    expect(readableValue({ groups: ["support"] })).toBe("groups: support");
    expect(changedFields({ enabled: true }, { enabled: false, reason: "spam" })).toEqual([
      { field: "enabled", from: "yes", to: "no" },
      { field: "reason", from: "—", to: "spam" },
    ]);
  });

  it("writes CSV with quotes doubled, and ages in minutes, hours, days", () => {
    expect(
      toCsv([
        ["a", 'say "hi"'],
        ["b,c", ""],
      ]),
    ).toBe('"a","say ""hi"""\r\n"b,c",""');
    const now = new Date("2026-11-27T12:00:00Z");
    expect(formatAge("2026-11-27T11:55:00Z", now)).toBe("5 min");
    expect(formatAge("2026-11-27T09:00:00Z", now)).toBe("3 h");
    expect(formatAge("2026-11-20T12:00:00Z", now)).toBe("7 d");
  });

  it("keeps the pages seen in the URL and reads them back", () => {
    const state = nextPage(nextPage(firstPage, "t1"), "t2");
    expect(pagerToParam(state)).toBe("t1.t2");
    expect(pagerFromParam("t1.t2")).toEqual(state);
    expect(pagerToParam(firstPage)).toBeUndefined();
    expect(pagerFromParam("bad!token")).toEqual(firstPage);
  });
});

describe("formatting what was measured", () => {
  it("shows each check's value in its unit", () => {
    expect(formatMeasure("FACE_TOO_SMALL", 0.0213)).toBe("2.1% of the photo");
    expect(formatMeasure("SUNGLASSES", 97.34)).toBe("97.3% confidence");
    expect(formatMeasure("POSE", -41.25)).toBe("-41.3°");
    expect(formatMeasure("TOO_SMALL", 64)).toBe("64 px");
    expect(formatMeasure("MULTIPLE_FACES", 2)).toBe("2 faces");
  });

  it("puts the measurement beside its limit (± for pose), or nothing when nothing was measured", () => {
    expect(
      describeMeasurement({ code: "FACE_TOO_SMALL", message: "", measured: 0.021, threshold: 0.05 }),
    ).toBe("measured 2.1% of the photo, limit 5% of the photo");
    expect(describeMeasurement({ code: "POSE", message: "", measured: 41.2, threshold: 30 })).toBe(
      "measured 41.2°, limit ±30°",
    );
    expect(describeMeasurement({ code: "BLURRY", message: "", measured: 12 })).toBe("measured sharpness 12");
    expect(describeMeasurement({ code: "CORRUPT", message: "" })).toBeUndefined();
  });

  it("draws the face box in percentages, clamped to the image", () => {
    expect(faceBoxPercent({ left: 0.25, top: 0.1, width: 0.5, height: 0.4 })).toEqual({
      left: "25.00%",
      top: "10.00%",
      width: "50.00%",
      height: "40.00%",
    });
    // Rekognition reports boxes that run past the edges for faces cut by the frame.
    expect(faceBoxPercent({ left: -0.1, top: 0.8, width: 0.3, height: 0.4 })).toEqual({
      left: "0.00%",
      top: "80.00%",
      width: "20.00%",
      height: "20.00%",
    });
  });
});

describe("audit entries", () => {
  it("links targets to their pages", () => {
    expect(auditTargetRef("user/abc")).toEqual({ kind: "user", sub: "abc", href: "/users/abc" });
    expect(auditTargetRef("photo/o/p")).toEqual({
      kind: "photo",
      owner: "o",
      photoId: "p",
      href: "/photos/o/p",
    });
    expect(auditTargetRef("bucket/x/y/z")).toEqual({ kind: "other", text: "bucket/x/y/z" });
  });

  it("lists the fields that changed between before and after", () => {
    expect(
      changedFields(
        { enabled: true, status: "CONFIRMED", n: 1 },
        { enabled: false, status: "CONFIRMED", extra: "x" },
      ),
    ).toEqual([
      { field: "enabled", from: "yes", to: "no" },
      { field: "extra", from: "—", to: "x" },
      { field: "n", from: "1", to: "—" },
    ]);
    expect(changedFields(undefined, { a: 1 })).toEqual([]);
  });
});

describe("formatBytes", () => {
  it("reads the quota's byte limits in 1024 steps", () => {
    expect(formatBytes(512)).toBe("512 bytes");
    expect(formatBytes(250 * 1024 * 1024)).toBe("250 MB");
    expect(formatBytes(1.5 * 1024 ** 3)).toBe("1.5 GB");
  });
});

describe("originalFate", () => {
  const now = new Date("2026-04-10T12:00:00.000Z");
  it("says an original without an expiry is kept, and before and after the date what happens", () => {
    expect(originalFate(undefined, now)).toBe("kept");
    expect(originalFate("2026-04-14T00:00:00.000Z", now)).toMatch(/^to be deleted on /);
    expect(originalFate("2026-04-01T00:00:00.000Z", now)).toMatch(/^original deleted on /);
  });
});
