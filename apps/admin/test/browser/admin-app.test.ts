import { mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import { reportPhoto } from "@photogate/client";
import { PHOTO_STATUSES } from "@photogate/core";
import {
  type DevStackUser,
  findUser,
  type SeededPhoto,
  seedSamplePhotos,
  signInLocalUser,
  uploadThroughEdge,
} from "@photogate/local";
import { portraitScene } from "@photogate/local-emulators";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdminHarness, startAdminHarness } from "./harness";

/**
 * The admin app in a real browser (Debian's headless Chromium through playwright-core) against
 * the local stack, the admin API and the site server, all on free ports. The tests run in order
 * and share one support session, as a person working through the app would.
 */

const SCREENSHOTS = resolve(import.meta.dirname, "../../../../test-artifacts/screenshots");
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  // Without these two Chromium keeps calling home, which a closed network turns into noise.
  "--disable-background-networking",
  "--disable-component-update",
];
const LAPTOP = { width: 1440, height: 900 };
const TABLET = { width: 768, height: 1024 };
// Waits, not assertions: how long a page may take to show something on a busy 2-core machine.
const UI_WAIT = 30_000;
// Where the app keeps its tokens (apps/admin/src/auth/session.ts).
const SESSION_KEY = "photogate.admin.session";

let harness: AdminHarness;
let browser: Browser;
let laptop: BrowserContext;
let page: Page;
let demo: DevStackUser;
let support: DevStackUser;
let samples: SeededPhoto[];
let sunglassesId: string;
let extraId: string;
const problems: string[] = [];
/** Failures a test caused on purpose (a wrong password's 400 from the user pool). */
const expectedProblems: RegExp[] = [];

function photoId(name: string): string {
  const sample = samples.find((s) => s.name === name);
  if (!sample) throw new Error(`no sample ${name}`);
  return sample.photoId;
}

async function newContext(viewport: { width: number; height: number }): Promise<BrowserContext> {
  // Reduced motion: the app then skips its transitions, so screenshots never catch one midway.
  const context = await browser.newContext({ viewport, reducedMotion: "reduce" });
  context.on("page", watch);
  return context;
}

/** CSP violations, uncaught errors and failed image loads fail the run at the end. */
function watch(p: Page) {
  p.on("console", (message) => {
    // Failed loads are recorded with their URL below; Chromium's console line has none.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      problems.push(`console: ${message.text()}`);
    }
  });
  p.on("response", (response) => {
    if (response.status() >= 400)
      problems.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  p.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
}

async function shot(p: Page, name: string) {
  const width = p.viewportSize()?.width ?? 0;
  await p.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
}

async function signIn(p: Page, user: { email: string; password: string }) {
  await p.goto(harness.siteUrl);
  await p.getByLabel("E-mail").fill(user.email);
  await p.getByRole("textbox", { name: "Password" }).fill(user.password);
  await p.getByRole("button", { name: "Sign in" }).click();
}

/** Waits for a result toast with this text and returns it. */
async function toast(p: Page, text: string | RegExp) {
  const locator = p.getByTestId("toast").filter({ hasText: text });
  await locator.first().waitFor({ timeout: UI_WAIT });
  return locator.first();
}

async function apiAs(p: Page, path: string) {
  const tokens = await p.evaluate<string | null>(`sessionStorage.getItem("${SESSION_KEY}")`);
  const { accessToken } = JSON.parse(tokens ?? "{}") as { accessToken?: string };
  const response = await fetch(`${harness.siteUrl}/api${path}`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const AXE_SOURCE = readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
/** Serious or critical axe-core violations, by page state: the run must end with none. */
const axeFindings: string[] = [];

/** Runs axe-core in the page (through the debugger protocol, so the site's CSP is untouched). */
async function axe(p: Page, state: string) {
  if (!(await p.evaluate<boolean>("typeof window.axe === 'object'"))) await p.evaluate(await AXE_SOURCE);
  const found = await p.evaluate<string[]>(`axe
    .run(document, { resultTypes: ["violations"] })
    .then((r) => r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")))`);
  const width = p.viewportSize()?.width ?? 0;
  for (const f of found) axeFindings.push(`${state} at ${width}px: ${f}`);
}

/** Closes the result toasts of earlier actions, as a person would before looking on. */
async function dismissToasts(p: Page) {
  const buttons = p.getByRole("button", { name: "Dismiss" });
  while ((await buttons.count()) > 0) {
    // A success toast may close by itself meanwhile: then there is nothing to click.
    await buttons
      .first()
      .click({ timeout: 1000 })
      .catch(() => {});
  }
}

/** Mantine's SegmentedControl hides its radio inputs: a person clicks the label. */
async function segment(p: Page, label: string) {
  await p.locator(".mantine-SegmentedControl-label").getByText(label, { exact: true }).click();
}

async function noHorizontalScroll(p: Page): Promise<number> {
  // Strings, not functions: this package type-checks without the DOM library.
  return p.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
}

beforeAll(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  harness = await startAdminHarness();
  const { endpoints } = harness.stack;
  demo = findUser(endpoints, "demo");
  support = findUser(endpoints, "support");
  // Approved portrait, two people (MULTIPLE_FACES), a landscape (NO_FACE)…
  samples = await seedSamplePhotos(endpoints, "demo");
  // …a portrait with sunglasses (a face box and a measured reason) and one more to delete.
  const tokens = await signInLocalUser(endpoints, demo);
  sunglassesId = "5a1e0000-0000-4000-8000-000000000001";
  extraId = "5a1e0000-0000-4000-8000-000000000002";
  const [sunglasses, extra] = await Promise.all([
    portraitScene("face-sunglasses.jpg"),
    portraitScene("face-smiling.jpg"),
  ]);
  // Two more for the review queue, so the bulk actions have photos of their own.
  // Their ids differ in the first 8 characters: that is how the app names a photo.
  for (const photoId of ["5a1e0003-0000-4000-8000-000000000003", "5a1e0004-0000-4000-8000-000000000004"]) {
    await uploadThroughEdge(endpoints.urls.edge, tokens.accessToken, {
      owner: demo.sub,
      photoId,
      extension: "jpg",
      body: sunglasses.jpeg,
    });
  }
  await uploadThroughEdge(endpoints.urls.edge, tokens.accessToken, {
    owner: demo.sub,
    photoId: sunglassesId,
    extension: "jpg",
    body: sunglasses.jpeg,
  });
  await uploadThroughEdge(endpoints.urls.edge, tokens.accessToken, {
    owner: demo.sub,
    photoId: extraId,
    extension: "jpg",
    body: extra.jpeg,
  });
  await harness.stack.notifications.idle();
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  laptop = await newContext(LAPTOP);
  page = await laptop.newPage();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await harness?.stop();
}, 120_000);

describe("admin app in a browser", () => {
  it("refuses a wrong password, and lets a plain user (demo) no further than a no-access page", async () => {
    const context = await newContext(LAPTOP);
    const p = await context.newPage();
    await p.goto(harness.siteUrl);
    await p.getByRole("heading", { name: "Sign in" }).waitFor({ timeout: UI_WAIT });
    await shot(p, "sign-in");
    expectedProblems.push(new RegExp(`^400 POST ${harness.stack.endpoints.urls.cognitoIdp}/?$`));
    await signIn(p, { email: support.email, password: "not-the-password-1" });
    const alert = p.getByRole("alert").filter({ hasText: "Incorrect e-mail or password" });
    await alert.waitFor({ timeout: UI_WAIT });

    await signIn(p, demo);
    await p.getByRole("heading", { name: "No access" }).waitFor({ timeout: UI_WAIT });
    expect(await p.getByRole("alert").textContent()).toContain(
      "demo@photogate.local is not a member of the support team",
    );
    expect(await p.getByRole("navigation", { name: "Main" }).count()).toBe(0);
    await shot(p, "no-access");
    // The API refuses the same token: the page is a courtesy, not the control.
    const refused = await apiAs(p, "/users");
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { code: "FORBIDDEN" } });

    await p.getByRole("button", { name: "Sign out" }).click();
    await p.getByRole("heading", { name: "Sign in" }).waitFor({ timeout: UI_WAIT });
    expect(await p.evaluate<string | null>(`sessionStorage.getItem("${SESSION_KEY}")`)).toBeNull();
    await context.close();
  }, 120_000);

  it("signs the support user in, finds the demo user, disables and re-enables them", async () => {
    await signIn(page, support);
    await page.getByRole("table", { name: "Users" }).waitFor({ timeout: UI_WAIT });
    await shot(page, "users");
    await axe(page, "users");

    await page.getByRole("textbox", { name: "Search text" }).fill("demo@");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/\/users\?q=demo%40/, { timeout: UI_WAIT });
    const rows = page.getByTestId("user-row");
    await rows.filter({ hasText: "demo@photogate.local" }).waitFor({ timeout: UI_WAIT });
    expect(await rows.count()).toBe(1);

    await page.getByRole("link", { name: "demo@photogate.local" }).click();
    await page.getByRole("heading", { name: "demo@photogate.local" }).waitFor({ timeout: UI_WAIT });
    expect(page.url()).toBe(`${harness.siteUrl}/users/${demo.sub}`);
    // Support, not admins: the admins-only actions are not offered.
    expect(await page.getByRole("button", { name: "Delete user" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Add to support" }).count()).toBe(0);
    await page.locator(".photo-card img").first().waitFor({ timeout: UI_WAIT });
    await shot(page, "user-detail");
    await axe(page, "user-detail");

    await page.getByRole("button", { name: "Disable", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("will not be able to sign in").waitFor({ timeout: UI_WAIT });
    await dialog.getByRole("textbox", { name: /Why/ }).fill("Reported for spam by two users");
    await shot(page, "confirm-disable");
    await axe(page, "disable dialog");
    await dialog.getByRole("button", { name: "Disable user" }).click();
    await toast(page, "Disabled demo@photogate.local");
    await page.getByTestId("user-state").filter({ hasText: "disabled" }).waitFor({ timeout: UI_WAIT });
    // Who, when and why, from the audit log.
    const disabledBy = page.getByTestId("disabled-by");
    await disabledBy.waitFor({ timeout: UI_WAIT });
    expect(await disabledBy.textContent()).toMatch(
      /^by support@photogate\.local on .+: “Reported for spam by two users”$/,
    );
    // Photo counts per status: what the API counted over every photo of the user, each shown.
    const detail = await apiAs(page, `/users/${demo.sub}`);
    const counts = detail.body.photoCounts as Record<string, number>;
    expect(counts.rejected).toBeGreaterThanOrEqual(3);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(
      (detail.body.photos as { items: unknown[] }).items.length,
    );
    expect(await page.getByTestId("photo-counts").textContent()).toBe(
      PHOTO_STATUSES.map((status) => `${counts[status]} ${status}`).join(" · "),
    );

    const idp = new CognitoIdentityProviderClient({
      endpoint: harness.stack.endpoints.urls.cognitoIdp,
      region: harness.stack.endpoints.region,
      credentials: harness.stack.endpoints.serviceCredentials,
    });
    try {
      const user = () =>
        idp.send(
          new AdminGetUserCommand({ UserPoolId: harness.stack.endpoints.userPool.id, Username: demo.sub }),
        );
      expect((await user()).Enabled).toBe(false);

      await page.getByRole("button", { name: "Enable", exact: true }).click();
      await toast(page, "Enabled demo@photogate.local");
      await page.getByTestId("user-state").filter({ hasText: "active" }).waitFor({ timeout: UI_WAIT });
      expect((await user()).Enabled).toBe(true);
      expect(await page.getByTestId("disabled-by").count()).toBe(0);
    } finally {
      idp.destroy();
    }
  }, 120_000);

  it("reviews a rejected photo in the moderation queue and approves it from the keyboard", async () => {
    const target = photoId("two-people");
    await page.getByRole("link", { name: "Moderation" }).click();
    const options = page.getByRole("option");
    await options.first().waitFor({ timeout: UI_WAIT });
    const order = await page
      .locator('[role="option"][data-photo-id]')
      .evaluateAll((cards) => cards.map((c) => c.getAttribute("data-photo-id")));
    expect(order).toEqual(expect.arrayContaining([target, photoId("landscape"), sunglassesId]));
    const index = order.indexOf(target);
    for (let i = 0; i < index; i++) await page.keyboard.press("j");
    await page
      .locator(`[role="option"][aria-selected="true"][data-photo-id="${target}"]`)
      .waitFor({ timeout: UI_WAIT });
    // The preview shows why it was rejected, with what was measured.
    const reasons = page.getByTestId("reasons");
    await reasons.filter({ hasText: "More than one face" }).waitFor({ timeout: UI_WAIT });
    expect(await reasons.textContent()).toContain("measured 2 faces, limit 1 face");
    await page.locator(".queue-preview .face-frame img").waitFor({ timeout: UI_WAIT });
    await dismissToasts(page);
    await shot(page, "moderation-queue");
    await axe(page, "moderation queue");

    await page.keyboard.press("a");
    const dialog = page.getByRole("dialog", {
      name: `Approve demo@photogate.local's photo ${target.slice(0, 8)}?`,
    });
    await dialog.waitFor({ timeout: UI_WAIT });
    expect(await dialog.getByTestId("dialog-subject").textContent()).toContain(target);
    const reason = dialog.getByRole("textbox", { name: /Internal note/ });
    await reason.fill("Two people, but the owner is clearly the one in front");
    await shot(page, "approve-dialog");
    await axe(page, "approve dialog");
    await reason.press("Enter");
    await toast(page, `Approved demo@photogate.local's photo ${target.slice(0, 8)}`);
    await page.locator(`[data-photo-id="${target}"]`).waitFor({ state: "detached", timeout: UI_WAIT });

    const record = await apiAs(page, `/photos/${demo.sub}/${target}`);
    expect(record.body).toMatchObject({ status: "approved", reviewedBy: support.sub, reasons: [] });
  }, 120_000);

  it("shows a photo with the face box drawn over it and the reasons with measured values", async () => {
    await page.goto(`${harness.siteUrl}/photos/${demo.sub}/${sunglassesId}`);
    const image = page.locator(".face-frame img");
    await image.waitFor({ timeout: UI_WAIT });
    // Polled through locators: a string predicate would be eval'd in the page, which the CSP forbids.
    await expect
      .poll(() =>
        page
          .locator(".face-frame img")
          .evaluateAll((imgs) => imgs.some((img) => (img as unknown as { complete: boolean }).complete)),
      )
      .toBe(true);
    const box = await page.getByTestId("face-box").boundingBox();
    const frame = await image.boundingBox();
    expect(box && frame).toBeTruthy();
    // Inside the image and a plausible face size, not a 0×0 or full-frame box.
    expect(box!.x).toBeGreaterThanOrEqual(frame!.x);
    expect(box!.y).toBeGreaterThanOrEqual(frame!.y);
    expect(box!.x + box!.width).toBeLessThanOrEqual(frame!.x + frame!.width + 1);
    expect(box!.y + box!.height).toBeLessThanOrEqual(frame!.y + frame!.height + 1);
    expect(box!.width * box!.height).toBeGreaterThan(0.03 * frame!.width * frame!.height);
    expect(box!.width * box!.height).toBeLessThan(0.9 * frame!.width * frame!.height);
    const reasons = await page.getByTestId("reasons").textContent();
    expect(reasons).toContain("Sunglasses");
    expect(reasons).toMatch(/measured [\d.]+% confidence, limit [\d.]+% confidence/);
    expect(await page.getByRole("table", { name: "Measurements" }).textContent()).toMatch(/Sunglassesyes/);
    await shot(page, "photo-detail");
    await axe(page, "photo detail");
  }, 120_000);

  it("reprocesses a photo: the processor runs again and the verdict comes back", async () => {
    const target = photoId("landscape");
    await page.goto(`${harness.siteUrl}/photos/${demo.sub}/${target}`);
    await page.getByTestId("reasons").filter({ hasText: "No face" }).waitFor({ timeout: UI_WAIT });
    const before = await apiAs(page, `/photos/${demo.sub}/${target}`);
    await page.getByRole("button", { name: "Reprocess" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Reprocess" }).click();
    await toast(page, `Reprocessing demo@photogate.local's photo ${target.slice(0, 8)}`);
    await harness.stack.adminIdle();
    await page.reload();
    await page.getByTestId("reasons").filter({ hasText: "No face" }).waitFor({ timeout: UI_WAIT });
    const after = await apiAs(page, `/photos/${demo.sub}/${target}`);
    expect(after.body.status).toBe("rejected");
    expect(after.body.processedAt).not.toBe(before.body.processedAt);
  }, 120_000);

  it("deletes a photo after confirmation", async () => {
    await page.goto(`${harness.siteUrl}/photos/${demo.sub}/${extraId}`);
    await page.locator(".face-frame img").waitFor({ timeout: UI_WAIT });
    await page.getByRole("button", { name: "Delete" }).click();
    const dialog = page.getByRole("dialog", { name: /^Delete demo@photogate.local's photo .* for good\?$/ });
    await dialog.waitFor({ timeout: UI_WAIT });
    await shot(page, "confirm-delete");
    // Cancelling changes nothing.
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached", timeout: UI_WAIT });
    expect((await apiAs(page, `/photos/${demo.sub}/${extraId}`)).status).toBe(200);

    await page.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete photo" }).click();
    await toast(page, `Deleted demo@photogate.local's photo ${extraId.slice(0, 8)}`);
    await page.waitForURL(`${harness.siteUrl}/users/${demo.sub}`, { timeout: UI_WAIT });
    await page.locator(".photo-card").first().waitFor({ timeout: UI_WAIT });
    expect(await page.locator(`[data-photo-id="${extraId}"]`).count()).toBe(0);
    const gone = await apiAs(page, `/photos/${demo.sub}/${extraId}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ error: { code: "PHOTO_NOT_FOUND" } });
  }, 120_000);

  it("shows every action in the audit log, filterable by target", async () => {
    await page.getByRole("link", { name: "Audit log", exact: true }).click();
    const rows = page.getByTestId("audit-row");
    await rows.first().waitFor({ timeout: UI_WAIT });
    const actions = await rows.evaluateAll((r) => r.map((row) => row.getAttribute("data-action")));
    expect(actions).toEqual(
      expect.arrayContaining([
        "user.disable",
        "user.enable",
        "photo.approve",
        "photo.reprocess",
        "photo.delete",
      ]),
    );
    await dismissToasts(page);
    await shot(page, "audit-log");
    await axe(page, "audit log");

    await page.goto(`${harness.siteUrl}/audit?target=${encodeURIComponent(`user/${demo.sub}`)}`);
    await rows.first().waitFor({ timeout: UI_WAIT });
    const userActions = await rows.evaluateAll((r) => r.map((row) => row.getAttribute("data-action")));
    expect([...new Set(userActions)].sort()).toEqual(["user.disable", "user.enable"]);
    // Every entry names the support user as the actor.
    expect(await rows.filter({ hasText: "you" }).count()).toBe(userActions.length);
  }, 120_000);

  it("shows the photos grid with thumbnails and a status filter", async () => {
    await page.goto(`${harness.siteUrl}/photos`);
    await segment(page, "rejected");
    await page.waitForURL(/status=rejected/, { timeout: UI_WAIT });
    const cards = page.locator(".photo-card");
    await cards.first().waitFor({ timeout: UI_WAIT });
    const statuses = await cards.evaluateAll((c) => c.map((card) => card.getAttribute("data-status")));
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set(["rejected"]));
    // Presigned thumbnails load through the S3 gateway (the CSP's img-src allows it).
    await expect
      .poll(() =>
        page
          .locator(".photo-card img")
          .evaluateAll((imgs) => imgs.every((img) => (img as unknown as { complete: boolean }).complete)),
      )
      .toBe(true);
    const loaded = await cards
      .locator("img")
      .evaluateAll((imgs) => imgs.map((img) => (img as unknown as { naturalWidth: number }).naturalWidth));
    expect(loaded.every((w) => w > 0)).toBe(true);
    await shot(page, "photos");
    await axe(page, "photos");

    await segment(page, "failed");
    await page.getByTestId("empty-state").waitFor({ timeout: UI_WAIT });
    expect(await page.getByTestId("empty-state").textContent()).toContain("No photo failed processing");
  }, 120_000);

  it("lays every page out at tablet width without sideways scrolling", async () => {
    const tablet = await newContext(TABLET);
    const p = await tablet.newPage();
    await signIn(p, support);
    await p.getByRole("table", { name: "Users" }).waitFor({ timeout: UI_WAIT });
    const pages: [string, string, string][] = [
      ["users", "/users", '[data-testid="user-row"]'],
      ["user-detail", `/users/${demo.sub}`, ".photo-card img"],
      ["photos", "/photos?status=approved", ".photo-card img"],
      ["moderation-queue", "/queue", ".queue-preview .face-frame img"],
      ["photo-detail", `/photos/${demo.sub}/${sunglassesId}`, '[data-testid="face-box"]'],
      ["audit-log", "/audit", '[data-testid="audit-row"]'],
    ];
    for (const [name, path, ready] of pages) {
      await p.goto(`${harness.siteUrl}${path}`);
      await p.locator(ready).first().waitFor({ timeout: UI_WAIT });
      expect(await noHorizontalScroll(p), name).toBeLessThanOrEqual(0);
      await shot(p, name);
      await axe(p, name);
    }
    await p.getByRole("button", { name: "Sign out" }).click();
    await p.getByRole("heading", { name: "Sign in" }).waitFor({ timeout: UI_WAIT });
    await tablet.close();
  }, 180_000);

  it("works the review queue by keyboard alone: Tab moves the selection, r rejects the focused photo with a message and a note, Undo restores it", async () => {
    await page.goto(`${harness.siteUrl}/queue`);
    const cards = page.locator('[role="option"][data-photo-id]');
    await cards.first().waitFor({ timeout: UI_WAIT });
    await page.getByTestId("review-count").waitFor({ timeout: UI_WAIT });
    // Tab from the heading onto the cards: the focused card becomes the selected one.
    await cards.first().focus();
    await page.keyboard.press("Tab");
    const second = await cards.nth(1).getAttribute("data-photo-id");
    await page
      .locator(`[role="option"][aria-selected="true"][data-photo-id="${second}"]`)
      .waitFor({ timeout: UI_WAIT });
    expect(page.url()).toContain(`photo=${second}`);
    // Deep link: a reload keeps the selection.
    await page.reload();
    await page
      .locator(`[role="option"][aria-selected="true"][data-photo-id="${second}"]`)
      .waitFor({ timeout: UI_WAIT });
    await page.locator(`[role="option"][data-photo-id="${second}"]`).focus();
    await page.keyboard.press("r");
    const dialog = page.getByRole("dialog", {
      name: `Reject demo@photogate.local's photo ${second!.slice(0, 8)}?`,
    });
    await dialog.waitFor({ timeout: UI_WAIT });
    const before = await apiAs(page, `/photos/${demo.sub}/${second}`);
    const currentCode = (before.body.reasons as { code: string }[])[0]!.code;
    expect(await dialog.getByRole("combobox", { name: "Reason code shown to the user" }).inputValue()).toBe(
      currentCode,
    );
    expect(await dialog.getByRole("textbox", { name: /Message to the user/ }).inputValue()).not.toBe("");
    await dialog
      .getByRole("textbox", { name: /Internal note/ })
      .fill("INTERNAL: checked with the owner by phone");
    await shot(page, "reject-dialog");
    await axe(page, "reject dialog");
    await page.keyboard.press("Enter");
    const done = await toast(page, `Rejected demo@photogate.local's photo ${second!.slice(0, 8)}`);
    await page
      .locator(`[role="option"][data-photo-id="${second}"]`)
      .waitFor({ state: "detached", timeout: UI_WAIT });
    await done.getByRole("button", { name: "Undo" }).click();
    await toast(page, "Restored the automatic verdict");
    await page.locator(`[role="option"][data-photo-id="${second}"]`).waitFor({ timeout: UI_WAIT });
    const restored = await apiAs(page, `/photos/${demo.sub}/${second}`);
    expect(restored.body).toMatchObject({ status: "rejected", reviewQueue: "open" });

    // Enter on a focused link follows the link, not the selected card.
    await page.getByRole("link", { name: "Audit log", exact: true }).focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/audit/, { timeout: UI_WAIT });
    await page.getByRole("heading", { name: "Audit log" }).waitFor({ timeout: UI_WAIT });
    expect(await page.title()).toBe("Audit log · photogate admin");
    expect(await page.evaluate<string>("document.activeElement.tagName")).toBe("H1");

    await page.keyboard.press("?");
    await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor({ timeout: UI_WAIT });
    await axe(page, "shortcuts dialog");
    await page.keyboard.press("Escape");
  }, 180_000);

  it("approves and goes to the next photo from the photo page by keyboard; Undo restores the automatic verdict", async () => {
    // An override names its reviewer by e-mail.
    await page.goto(`${harness.siteUrl}/photos/${demo.sub}/${photoId("two-people")}`);
    const override = page.getByTestId("override");
    await override.waitFor({ timeout: UI_WAIT });
    expect(await override.textContent()).toContain(`Approved by ${support.email}`);

    const queue = await apiAs(page, "/photos?queue=review");
    const [first, second] = (queue.body.items as { photoId: string }[]).map((p) => p.photoId);
    expect(first && second).toBeTruthy();
    await page.goto(`${harness.siteUrl}/photos/${demo.sub}/${first}`);
    const next = page.getByRole("button", { name: "Approve and next" });
    await next.waitFor({ timeout: UI_WAIT });
    await next.press("Enter");
    const dialog = page.getByRole("dialog", {
      name: `Approve demo@photogate.local's photo ${first!.slice(0, 8)}?`,
    });
    await dialog.waitFor({ timeout: UI_WAIT });
    await axe(page, "approve-and-next dialog");
    await dialog.getByRole("textbox", { name: /Internal note/ }).press("Enter");
    await page.waitForURL(`${harness.siteUrl}/photos/${demo.sub}/${second}`, { timeout: UI_WAIT });
    const done = await toast(page, `Approved demo@photogate.local's photo ${first!.slice(0, 8)}`);
    expect((await apiAs(page, `/photos/${demo.sub}/${first}`)).body).toMatchObject({ status: "approved" });

    await done.getByRole("button", { name: "Undo" }).press("Enter");
    await toast(page, `Restored the automatic verdict on demo@photogate.local's photo ${first!.slice(0, 8)}`);
    const restored = await apiAs(page, `/photos/${demo.sub}/${first}`);
    expect(restored.body).toMatchObject({ status: "rejected", reviewQueue: "open" });
    expect(restored.body.reviewedBy).toBeUndefined();
  }, 120_000);

  it("bulk-approves and bulk-rejects marked photos by keyboard, with a result per photo, Undo of a bulk approve restoring each, until the queue is empty", async () => {
    const cards = page.locator('[role="option"][data-photo-id]');
    const markTwo = async () => {
      await cards.first().focus();
      await page.keyboard.press("x");
      await page.keyboard.press("j");
      await page.keyboard.press("x");
      await page.getByText("2 marked", { exact: true }).waitFor({ timeout: UI_WAIT });
      return page
        .locator('[role="option"][aria-checked="true"]')
        .evaluateAll((marked) => marked.map((c) => c.getAttribute("data-photo-id")!));
    };
    const reviewed = async (kind: "Approve" | "Reject", ids: string[]) => {
      await page.getByRole("button", { name: `${kind} marked` }).press("Enter");
      const dialog = page.getByRole("dialog", { name: `${kind} 2 marked photos?` });
      await dialog.waitFor({ timeout: UI_WAIT });
      // The dialog names every photo it acts on.
      for (const id of ids) await dialog.getByText(`photo ${id.slice(0, 8)}`).waitFor({ timeout: UI_WAIT });
      await shot(page, `bulk-${kind.toLowerCase()}-dialog`);
      await axe(page, `bulk ${kind.toLowerCase()} dialog`);
      await dialog.getByRole("textbox", { name: /Internal note/ }).press("Enter");
      const done = await toast(page, `${kind === "Approve" ? "Approved" : "Rejected"} 2 of 2 photos`);
      const results = page.getByTestId("bulk-results").locator("li");
      await expect.poll(() => results.count(), { timeout: UI_WAIT }).toBe(2);
      const lines = await results.evaluateAll((items) =>
        items.map((li) => `${li.getAttribute("data-ok")} ${li.textContent}`),
      );
      const verb = kind === "Approve" ? "approved" : "rejected";
      expect(lines.sort()).toEqual(
        ids.map((id) => `true demo@photogate.local's photo ${id.slice(0, 8)}: ${verb}`).sort(),
      );
      for (const id of ids) {
        await page
          .locator(`[role="option"][data-photo-id="${id}"]`)
          .waitFor({ state: "detached", timeout: UI_WAIT });
        const record = await apiAs(page, `/photos/${demo.sub}/${id}`);
        expect(record.body).toMatchObject({ status: verb, reviewedBy: support.sub });
        expect(record.body.reviewQueue).not.toBe("open");
      }
      return done;
    };

    await page.goto(`${harness.siteUrl}/queue`);
    await cards.first().waitFor({ timeout: UI_WAIT });
    expect(await cards.count()).toBe(4);
    const approvedIds = await markTwo();
    const approved = await reviewed("Approve", approvedIds);
    await shot(page, "bulk-results");

    // Undo in the toast, by keyboard: each photo gets its automatic verdict back, a result per photo.
    await approved.getByRole("button", { name: "Undo" }).press("Enter");
    await toast(page, "Restored 2 of 2 photos");
    await page.getByText("Undo results", { exact: true }).waitFor({ timeout: UI_WAIT });
    const undoLines = () =>
      page
        .getByTestId("bulk-results")
        .locator("li")
        .evaluateAll((items) => items.map((li) => `${li.getAttribute("data-ok")} ${li.textContent}`).sort());
    await expect
      .poll(undoLines, { timeout: UI_WAIT })
      .toEqual(
        approvedIds
          .map(
            (id) =>
              `true demo@photogate.local's photo ${id.slice(0, 8)}: restored (rejected, as the automatic verdict said)`,
          )
          .sort(),
      );
    for (const id of approvedIds) {
      await page.locator(`[role="option"][data-photo-id="${id}"]`).waitFor({ timeout: UI_WAIT });
      const record = await apiAs(page, `/photos/${demo.sub}/${id}`);
      expect(record.body).toMatchObject({ status: "rejected", reviewQueue: "open" });
      expect(record.body.reviewedBy).toBeUndefined();
    }
    await expect.poll(() => cards.count(), { timeout: UI_WAIT }).toBe(4);
    await dismissToasts(page);
    await shot(page, "bulk-undo-results");
    await axe(page, "bulk undo results");

    await reviewed("Approve", await markTwo());
    await reviewed("Reject", await markTwo());
    await page
      .getByTestId("empty-state")
      .filter({ hasText: "Nothing to review" })
      .waitFor({ timeout: UI_WAIT });
    await page
      .getByTestId("review-count")
      .filter({ hasText: /^\s*\(?0/ })
      .waitFor({ timeout: UI_WAIT });
  }, 180_000);

  it("shows a user's report in the queue with its reason; approving keeps the photo and empties the queue", async () => {
    const target = photoId("portrait");
    // Another signed-in user (support's upload-app account) reports demo's approved photo.
    const reporter = await signInLocalUser(harness.stack.endpoints, support);
    const reported = await reportPhoto(
      { baseUrl: harness.stack.endpoints.urls.adminApi, accessToken: reporter.accessToken },
      { owner: demo.sub, photoId: target, reason: "IMPERSONATION", comment: "Uses my name" },
    );
    expect(reported.counted).toBe(true);

    await page.goto(`${harness.siteUrl}/queue`);
    const card = page.locator(`[role="option"][data-photo-id="${target}"]`);
    await card.waitFor({ timeout: UI_WAIT });
    expect(await page.locator('[role="option"][data-photo-id]').count()).toBe(1);
    expect(await card.getByTestId("reported").textContent()).toBe("Reported: Pretends to be someone else");
    const reports = page.locator(".queue-preview").getByTestId("photo-reports");
    await reports.getByText("“Uses my name”", { exact: false }).waitFor({ timeout: UI_WAIT });
    expect(await reports.textContent()).toContain("Reported by 1 user");
    await dismissToasts(page);
    await shot(page, "moderation-queue-reported");
    await axe(page, "moderation queue with a reported photo");

    await card.focus();
    await page.keyboard.press("a");
    const dialog = page.getByRole("dialog", {
      name: `Approve demo@photogate.local's photo ${target.slice(0, 8)}?`,
    });
    await dialog.getByText("its 1 report is marked handled").waitFor({ timeout: UI_WAIT });
    await dialog.getByRole("textbox", { name: /Internal note/ }).press("Enter");
    await toast(page, `Approved demo@photogate.local's photo ${target.slice(0, 8)}`);
    await page
      .getByTestId("empty-state")
      .filter({ hasText: "Nothing to review" })
      .waitFor({ timeout: UI_WAIT });
    const record = await apiAs(page, `/photos/${demo.sub}/${target}`);
    expect(record.body).toMatchObject({ status: "approved", reportsHandled: { outcome: "kept" } });
    expect(record.body.reviewQueue).toBeUndefined();
    expect(record.body.openReports).toBeUndefined();
  }, 120_000);

  it("finds a photo's owner by typing the photo id in the users search", async () => {
    await page.goto(`${harness.siteUrl}/users`);
    const search = page.getByRole("textbox", { name: "Search text" });
    await search.fill(sunglassesId);
    await search.press("Enter");
    await page.waitForURL(new RegExp(`/users\\?q=${sunglassesId}`), { timeout: UI_WAIT });
    const rows = page.getByTestId("user-row");
    await rows.getByTestId("owns-photo").waitFor({ timeout: UI_WAIT });
    expect(await rows.count()).toBe(1);
    expect(await rows.locator("a").first().textContent()).toBe(demo.email);
    const link = rows.getByRole("link", { name: `photo ${sunglassesId}` });
    await shot(page, "users-by-photo-id");
    await axe(page, "users found by photo id");
    await link.press("Enter");
    await page.waitForURL(`${harness.siteUrl}/photos/${demo.sub}/${sunglassesId}`, { timeout: UI_WAIT });
  }, 120_000);

  it("keeps filters, sort and dates in the URL: a reload shows the same view", async () => {
    await page.goto(`${harness.siteUrl}/users?q=photogate.local&sort=-email`);
    const rows = page.getByTestId("user-row");
    await rows.first().waitFor({ timeout: UI_WAIT });
    const emails = () => rows.evaluateAll((r) => r.map((row) => row.querySelector("a")?.textContent ?? ""));
    const descending = await emails();
    expect(descending.length).toBeGreaterThanOrEqual(3);
    expect(descending).toEqual([...descending].sort().reverse());
    await page.getByRole("combobox", { name: "Group" }).selectOption("support");
    await page.waitForURL(/group=support/, { timeout: UI_WAIT });
    await expect.poll(emails, { timeout: UI_WAIT }).toEqual([support.email]);
    await page.reload();
    await expect.poll(emails, { timeout: UI_WAIT }).toEqual([support.email]);
    expect(await page.getByRole("textbox", { name: "Search text" }).inputValue()).toBe("photogate.local");
    expect(await page.getByRole("combobox", { name: "Group" }).inputValue()).toBe("support");

    // The audit log by actor (typed as an e-mail), action and a date range from the date pickers.
    const today = new Date().toISOString().slice(0, 10);
    await page.goto(`${harness.siteUrl}/audit`);
    await page.getByRole("textbox", { name: "Actor" }).fill(support.email);
    await page.getByRole("combobox", { name: "Action" }).selectOption("photo.reject");
    await page.getByLabel("From (UTC day)").fill(today);
    await page.getByLabel("To (UTC day)").fill(today);
    await page.getByRole("button", { name: "Filter", exact: true }).press("Enter");
    await page.waitForURL(/action=photo\.reject/, { timeout: UI_WAIT });
    const audit = page.getByTestId("audit-row");
    const actions = () => audit.evaluateAll((r) => r.map((row) => row.getAttribute("data-action")));
    await expect.poll(async () => (await actions()).length, { timeout: UI_WAIT }).toBeGreaterThanOrEqual(1);
    const filtered = await actions();
    expect(new Set(filtered)).toEqual(new Set(["photo.reject"]));
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({
      actor: support.email,
      action: "photo.reject",
      from: today,
      to: today,
    });
    await page.reload();
    await expect.poll(actions, { timeout: UI_WAIT }).toEqual(filtered);
    expect(await page.getByLabel("From (UTC day)").inputValue()).toBe(today);
    expect(await page.getByRole("textbox", { name: "Actor" }).inputValue()).toBe(support.email);

    // The same link opened in a new tab: the open tab shares its session, no sign-in page.
    const tab = await laptop.newPage();
    try {
      await tab.goto(page.url());
      const tabRows = tab.getByTestId("audit-row");
      await expect
        .poll(() => tabRows.evaluateAll((r) => r.map((row) => row.getAttribute("data-action"))), {
          timeout: UI_WAIT,
        })
        .toEqual(filtered);
      expect(await tab.getByRole("textbox", { name: "Actor" }).inputValue()).toBe(support.email);
    } finally {
      await tab.close();
    }
  }, 120_000);

  it("lets an admin change a user's groups and delete the user after confirmation, by keyboard", async () => {
    const admin = findUser(harness.stack.endpoints, "admin");
    const idp = new CognitoIdentityProviderClient({
      endpoint: harness.stack.endpoints.urls.cognitoIdp,
      region: harness.stack.endpoints.region,
      credentials: harness.stack.endpoints.serviceCredentials,
    });
    const email = "leaving@photogate.local";
    let sub: string;
    try {
      const created = await idp.send(
        new AdminCreateUserCommand({
          UserPoolId: harness.stack.endpoints.userPool.id,
          Username: email,
          MessageAction: "SUPPRESS",
          UserAttributes: [
            { Name: "email", Value: email },
            { Name: "email_verified", Value: "true" },
          ],
        }),
      );
      sub = created.User?.Attributes?.find((a) => a.Name === "sub")?.Value ?? "";
      expect(sub).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      idp.destroy();
    }
    const context = await newContext(LAPTOP);
    const p = await context.newPage();
    try {
      await signIn(p, admin);
      await p.getByRole("table", { name: "Users" }).waitFor({ timeout: UI_WAIT });
      await p.goto(`${harness.siteUrl}/users/${sub}`);
      await p.getByRole("heading", { name: email }).waitFor({ timeout: UI_WAIT });

      await p.getByRole("button", { name: "Add to support" }).press("Enter");
      const add = p.getByRole("dialog", { name: "Add to support?" });
      await add.waitFor({ timeout: UI_WAIT });
      await axe(p, "add-to-support dialog");
      await add.getByRole("button", { name: "Add to support" }).press("Enter");
      await toast(p, `Added ${email} to support`);
      await p.getByRole("button", { name: "Remove from support" }).waitFor({ timeout: UI_WAIT });
      expect((await apiAs(p, `/users/${sub}`)).body.groups).toEqual(["support"]);

      await p.getByRole("button", { name: "Remove from support" }).press("Enter");
      const remove = p.getByRole("dialog", { name: "Remove from support?" });
      await remove.waitFor({ timeout: UI_WAIT });
      await axe(p, "remove-from-support dialog");
      await remove.getByRole("button", { name: "Remove from support" }).press("Enter");
      await toast(p, `Removed ${email} from support`);
      await p.getByRole("button", { name: "Add to support" }).waitFor({ timeout: UI_WAIT });
      expect((await apiAs(p, `/users/${sub}`)).body.groups).toEqual([]);

      // The upload quota: usage with limit and reset, and the admin's form, by keyboard.
      const quota = p.getByRole("region", { name: "Upload quota" });
      await quota.getByTestId("usage").filter({ hasText: "0 of 50 uploads" }).waitFor({ timeout: UI_WAIT });
      await quota
        .getByText(/resets /)
        .first()
        .waitFor({ timeout: UI_WAIT });
      const uploadsField = quota.getByLabel("Uploads per day");
      await uploadsField.focus();
      await p.keyboard.press("ControlOrMeta+a");
      await p.keyboard.type("80");
      // No reason yet: the API's field error shows under the input, nothing is saved.
      await uploadsField.press("Enter");
      await quota.getByText(/at least 3 characters|Too small/i).waitFor({ timeout: UI_WAIT });
      await axe(p, "quota form with an error");
      await quota.getByLabel("Why (kept in the audit log)").fill("needs more for a campaign");
      await quota.getByLabel("Why (kept in the audit log)").press("Enter");
      await toast(p, `${email} may now upload 80 photos a day`);
      await quota.getByTestId("usage").filter({ hasText: "0 of 80 uploads" }).waitFor({ timeout: UI_WAIT });
      await shot(p, "user-quota");
      expect((await apiAs(p, `/users/${sub}/usage`)).body).toMatchObject({ day: { limit: { uploads: 80 } } });
      await dismissToasts(p);

      // Delete asks first; Cancel (Escape) changes nothing.
      await p.getByRole("button", { name: "Delete user" }).press("Enter");
      const confirmDelete = p.getByRole("dialog", { name: "Delete this user for good?" });
      await confirmDelete.waitFor({ timeout: UI_WAIT });
      await axe(p, "delete-user dialog");
      await shot(p, "confirm-delete-user");
      await p.keyboard.press("Escape");
      await confirmDelete.waitFor({ state: "detached", timeout: UI_WAIT });
      expect((await apiAs(p, `/users/${sub}`)).status).toBe(200);

      await p.getByRole("button", { name: "Delete user" }).press("Enter");
      await confirmDelete.getByRole("button", { name: "Delete user and photos" }).press("Enter");
      await toast(p, `Deleted ${email} and 0 photos`);
      await p.waitForURL(`${harness.siteUrl}/users`, { timeout: UI_WAIT });
      const gone = await apiAs(p, `/users/${sub}`);
      expect(gone).toMatchObject({ status: 404, body: { error: { code: "USER_NOT_FOUND" } } });
      const audit = await apiAs(p, `/audit?target=${encodeURIComponent(`user/${sub}`)}`);
      expect((audit.body.items as { action: string }[]).map((e) => e.action).sort()).toEqual([
        "user.add-to-support",
        "user.delete",
        "user.remove-from-support",
        "user.set-quota",
      ]);
    } finally {
      await context.close();
    }
  }, 180_000);

  it("says so when offline instead of showing a skeleton", async () => {
    await page.goto(`${harness.siteUrl}/users`);
    await page.getByRole("table", { name: "Users" }).waitFor({ timeout: UI_WAIT });
    await laptop.setOffline(true);
    try {
      await page.getByRole("link", { name: "Photos", exact: true }).click();
      await page.getByTestId("offline").waitFor({ timeout: UI_WAIT });
      await shot(page, "offline");
    } finally {
      await laptop.setOffline(false);
    }
  }, 120_000);

  it("has no serious or critical axe-core violation on any page or dialog checked", () => {
    expect(axeFindings).toEqual([]);
  });

  it("ran without CSP violations, script errors or failed loads", () => {
    expect(problems.filter((line) => !expectedProblems.some((allowed) => allowed.test(line)))).toEqual([]);
  });
});
