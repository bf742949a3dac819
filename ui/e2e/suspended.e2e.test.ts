/**
 * An account Kiro suspended (admin API state `suspended`) as the admin meets it: its own count on the dashboard, its
 * own choice in the accounts page's state filter and its own badge — in both languages. The mock admin server has
 * one such account among 100 (account-0051), in the real server's shape (ui/dev/mock-admin.test.ts).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type BrowserSession, screenshot, signedInOnMock } from "./harness";

const ADMIN_KEY = "admin-e2e-suspended";
const SUSPENDED = "account-0051";

let session: BrowserSession;

beforeAll(async () => {
  ({ session } = await signedInOnMock(100, ADMIN_KEY));
});

afterAll(() => session?.close());

test("the dashboard counts the suspended account apart from the disabled ones, and lists it under Needs attention", async () => {
  const { page } = session;
  const stat = page.getByTestId("stat-suspended");
  await stat.waitFor();
  expect(await stat.textContent()).toContain("Suspended by Kiro");
  expect(await stat.locator(".text-2xl").textContent()).toBe("1");
  expect(await page.getByTestId("stat-disabled").locator(".text-2xl").textContent()).toBe("4");
  const entry = page.getByTestId("attention").locator("li", { hasText: SUSPENDED });
  expect(await entry.locator("[data-state=suspended] .chip").first().textContent()).toBe("Suspended");
  await screenshot(page, "suspended-dashboard");
});

test("the accounts page filters by it and shows its badge with Kiro's reason", async () => {
  const { page } = session;
  await page.getByRole("link", { name: "Accounts", exact: true }).click();
  await page.getByTestId("accounts-count").waitFor();
  await page.getByLabel("State", { exact: true }).selectOption("suspended");
  await page.waitForFunction(() => document.querySelector("[data-testid=accounts-count]")?.textContent === "1 of 100");
  const row = page.locator(`[data-testid=account-row][data-name="${SUSPENDED}"]`);
  const state = row.locator("[data-state]");
  expect(await state.getAttribute("data-state")).toBe("suspended");
  expect(await state.locator(".chip").first().textContent()).toBe("Suspended");
  expect(await state.innerText()).toContain("Kiro suspended the account");
  await screenshot(page, "suspended-accounts");
});

test("in Chinese too", async () => {
  const { page } = session;
  await page.getByTestId("language-toggle").click();
  const row = page.locator(`[data-testid=account-row][data-name="${SUSPENDED}"]`);
  await page.waitForFunction((name) => document.querySelector(`[data-testid=account-row][data-name="${name}"] [data-state] .chip`)?.textContent === "已封停", SUSPENDED);
  expect(await page.getByLabel("状态", { exact: true }).locator("option:checked").textContent()).toContain("已封停");
  expect(await row.count()).toBe(1);
  await page.getByRole("link", { name: "仪表盘" }).click();
  const stat = page.getByTestId("stat-suspended");
  await stat.waitFor();
  expect(await stat.textContent()).toContain("被 Kiro 封停");
  await screenshot(page, "suspended-dashboard-zh");
  await page.getByTestId("language-toggle").click();
});

test("no CSP violation, script error or failed request", () => {
  expect(session.problems).toEqual([]);
});
