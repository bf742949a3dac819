/**
 * The accounts table with 1,500 accounts (the mock admin server: the demo has three), in headless Chromium:
 * it renders only what is in view, and search, filters, sorting and batches still work over all of them.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type BrowserSession, screenshot, signedInOnMock } from "./harness";

const ACCOUNTS = 1500;
const ADMIN_KEY = "admin-e2e-many";

let session: BrowserSession;

beforeAll(async () => {
  ({ session } = await signedInOnMock(ACCOUNTS, ADMIN_KEY));
  const { page } = session;
  await page.getByRole("link", { name: "Accounts", exact: true }).click();
  await page.getByTestId("accounts-count").waitFor();
});

afterAll(() => session?.close());

const renderedRows = () => session.page.locator("[data-testid=account-row]").count();
const count = () => session.page.getByTestId("accounts-count").textContent();

test("1,500 accounts are listed but only the rows in view are in the page", async () => {
  const { page } = session;
  await page.waitForFunction(() => document.querySelector("[data-testid=accounts-count]")?.textContent === "1500 of 1500");
  const rows = await renderedRows();
  expect(rows).toBeGreaterThan(5);
  expect(rows).toBeLessThan(60);
  await screenshot(page, "10-many-accounts");
});

test("scrolling to the end brings the last account into view, still with few rows in the page", async () => {
  const { page } = session;
  await page.getByTestId("accounts-scroller").evaluate((scroller) => scroller.scrollTo({ top: scroller.scrollHeight }));
  await page.locator('[data-testid=account-row][data-name="account-1500"]').waitFor();
  expect(await renderedRows()).toBeLessThan(60);
  await page.getByTestId("accounts-scroller").evaluate((scroller) => scroller.scrollTo({ top: 0 }));
  await page.locator('[data-testid=account-row][data-name="account-0001"]').waitFor();
});

test("search narrows 1,500 accounts to the one asked for", async () => {
  const { page } = session;
  await page.getByLabel("Search name, email, notes…").fill("account-1499@");
  await page.waitForFunction(() => document.querySelector("[data-testid=accounts-count]")?.textContent === "1 of 1500");
  expect(await page.locator("[data-testid=account-row]").getAttribute("data-name")).toBe("account-1499");
  await page.getByLabel("Search name, email, notes…").fill("");
});

test("the state filter and a descending sort by requests apply to every account", async () => {
  const { page } = session;
  await page.getByLabel("State", { exact: true }).selectOption("disabled");
  await page.waitForFunction(() => document.querySelector("[data-testid=accounts-count]")?.textContent === "60 of 1500");
  const states = await page.locator("[data-testid=account-row] [data-state]").evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-state")));
  expect(new Set(states)).toEqual(new Set(["disabled"]));

  await page.getByLabel("Sort by", { exact: true }).selectOption("requests");
  await page.getByRole("button", { name: "Ascending" }).click();
  const requests = await page
    .locator("[data-testid=account-row]")
    .evaluateAll((rows) => rows.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top).map((row) => Number(row.querySelectorAll("[role=cell]")[3]?.textContent?.replace(/,/g, ""))));
  expect(requests.length).toBeGreaterThan(3);
  expect(requests).toEqual([...requests].sort((a, b) => b - a));
  expect(await count()).toBe("60 of 1500");
});

test("a batch refresh over 60 accounts runs to 100 % and lists the ones that failed", async () => {
  const { page } = session;
  await page.getByLabel("Select all shown").check();
  await page.getByRole("button", { name: "Refresh 60", exact: true }).click();
  await page.waitForSelector("[data-testid=batch-progress][data-running=false]");
  expect(await page.getByTestId("batch-progress-percent").textContent()).toBe("100 %");
  // The mock refuses to refresh a disabled account, like a revoked refresh token would.
  expect(await page.getByTestId("batch-progress-counts").textContent()).toBe("60 / 60 · 0 ok · 60 failed");
  await page.getByText("Failed (60)").click();
  expect(await page.getByTestId("batch-progress").textContent()).toContain("Token 刷新失败: refresh token rejected (invalid_grant)");
  await screenshot(page, "11-batch-refresh-failures");
});

test("groups and tags made here land in the seed's localStorage format and filter the table", async () => {
  const { page } = session;
  await page.getByRole("button", { name: "Clear", exact: true }).click();
  await page.getByLabel("State", { exact: true }).selectOption("all");
  await page.getByRole("button", { name: "Groups & tags" }).click();
  const manage = page.getByTestId("manage-labels-dialog");
  await manage.getByLabel("New group").fill("Team A");
  await manage.getByRole("button", { name: "Add" }).first().click();
  await manage.getByLabel("New tag").fill("paid");
  await manage.getByRole("button", { name: "Add" }).last().click();
  await manage.getByRole("button", { name: "Close" }).click();
  await manage.waitFor({ state: "detached" });

  await page.getByLabel("Search name, email, notes…").fill("account-0002@");
  await page.getByRole("button", { name: "Group, tags, notes account-0002" }).click();
  const labels = page.getByTestId("labels-dialog");
  await labels.getByLabel("Group").selectOption({ label: "Team A" });
  await labels.getByText("paid").click();
  await labels.getByLabel("Notes").fill("shared with the night shift");
  await labels.getByRole("button", { name: "Save" }).click();
  await labels.waitFor({ state: "detached" });

  const stored = JSON.parse((await page.evaluate(() => localStorage.getItem("kiro.accountsMetaStorage"))) ?? "null");
  expect(stored.version).toBe(1);
  expect(stored.groups).toMatchObject([{ name: "Team A", order: 0 }]);
  expect(stored.tags).toMatchObject([{ name: "paid" }]);
  expect(stored.metaByName["account-0002"]).toEqual({ groupId: stored.groups[0].id, tagIds: [stored.tags[0].id], notes: "shared with the night shift" });

  await page.getByLabel("Search name, email, notes…").fill("");
  await page.getByLabel("Group", { exact: true }).selectOption({ label: "Group: Team A" });
  await page.waitForFunction(() => document.querySelector("[data-testid=accounts-count]")?.textContent === "1 of 1500");
  expect(await page.locator("[data-testid=account-row]").textContent()).toContain("Team A");
  await page.getByLabel("Search name, email, notes…").fill("night shift");
  expect(await count()).toBe("1 of 1500");
  await screenshot(page, "12-groups-and-tags");
});

test("with all 1,500 selected and a search showing 9, Remove names those 9 and removes only them", async () => {
  const { page } = session;
  const search = page.getByLabel("Search name, email, notes…");
  await search.fill("");
  await page.getByLabel("Group", { exact: true }).selectOption("all");
  await page.getByLabel("Sort by", { exact: true }).selectOption("name");
  await page.getByRole("button", { name: "Descending" }).click();
  await page.waitForFunction(() => document.querySelector("[data-testid=accounts-count]")?.textContent === "1500 of 1500");
  await page.getByLabel("Select all shown").check();
  expect(await page.getByTestId("selection-count").textContent()).toBe("· 1500 selected");

  await search.fill("account-000");
  await page.waitForFunction(() => document.querySelector("[data-testid=accounts-count]")?.textContent === "9 of 1500");
  expect(await page.getByTestId("selection-count").textContent()).toBe("· 9 selected");
  expect(await page.getByTestId("selection-hidden").textContent()).toBe("· 1491 more selected but hidden by the filters: no action touches them");
  const nine = Array.from({ length: 9 }, (_, i) => `account-000${i + 1}`);
  const remove = page.getByRole("button", { name: "Remove 9…", exact: true });
  expect(await remove.getAttribute("title")).toBe(`Acts on: ${nine.join(", ")}`);
  expect(await page.getByRole("button", { name: "Check 9", exact: true }).isVisible()).toBe(true);
  await remove.click();
  const dialog = page.getByTestId("remove-dialog");
  expect(await dialog.getByRole("heading").textContent()).toBe("Remove 9 account(s)?");
  expect(await dialog.textContent()).toContain(nine.join(", "));
  await screenshot(page, "13-remove-what-the-filter-shows");
  await dialog.getByRole("button", { name: "Remove", exact: true }).click();
  await page.waitForSelector("[data-testid=batch-progress][data-running=false]");
  expect(await page.getByTestId("batch-progress-counts").textContent()).toBe("9 / 9 · 9 ok · 0 failed");

  await search.fill("");
  await page.waitForFunction(() => document.querySelector("[data-testid=accounts-count]")?.textContent === "1491 of 1491");
  expect(await page.getByTestId("selection-count").textContent()).toBe("· 1491 selected");
  await page.getByRole("button", { name: "Clear", exact: true }).click();
  expect(await page.getByTestId("selection-count").count()).toBe(0);
});

test("no CSP violation or script error with 1,500 accounts", () => {
  expect(session.problems).toEqual([]);
});
