/**
 * The README's first commands, `bun install && bun run demo`, in a fresh checkout (no ui/dist, no binary): the
 * demo builds the admin UI, and the "Admin UI" link it prints opens the app in headless Chromium.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { type BrowserSession, type DemoServer, freshCheckout, openBrowser, screenshot, startDemoInCheckout } from "./harness";

let checkout: string;
let session: BrowserSession;
const demos: DemoServer[] = [];

async function startDemo(): Promise<DemoServer> {
  const demo = await startDemoInCheckout(checkout);
  demos.push(demo);
  return demo;
}

beforeAll(async () => {
  checkout = await freshCheckout();
  session = await openBrowser({ locale: "en-US" });
});

afterAll(async () => {
  await Promise.all(demos.map((demo) => demo.stop()));
  await session?.close();
  if (checkout) await rm(checkout, { recursive: true, force: true });
});

test("the first `bun run demo` builds the UI, and its Admin UI link opens the app", async () => {
  expect(await Bun.file(join(checkout, "ui", "dist", "index.html")).exists()).toBe(false);
  const demo = await startDemo();
  expect(demo.output).toContain("Building the admin UI (ui/dist is missing)…");
  expect(demo.output).toMatch(/Built the admin UI in \d+\.\d s\./);

  const { page } = session;
  await page.goto(demo.adminUi);
  await page.waitForURL(/\/login$/);
  await page.fill("#admin-key", demo.adminKey);
  await page.click("button[type=submit]");
  await page.waitForURL(demo.url);
  await page.waitForFunction(() => document.querySelector("[data-testid=stat-total]")?.textContent?.includes("3"));
  await page.getByRole("link", { name: "Accounts", exact: true }).click();
  await page.locator('[data-testid=account-row][data-name="alice-google"]').waitFor();
  expect(await page.content()).not.toContain("was not built");
  await screenshot(page, "20-checkout-demo-accounts");
  expect(session.problems).toEqual([]);
  await demo.stop();
});

test("the next `bun run demo` serves the UI it built, without building again", async () => {
  const demo = await startDemo();
  expect(demo.output).not.toContain("Building the admin UI");
  const index = await fetch(demo.adminUi);
  expect(index.status).toBe(200);
  expect(await index.text()).toContain('<div id="root">');
  const deepLink = await fetch(new URL("accounts", demo.url));
  expect(deepLink.status).toBe(200);
});
