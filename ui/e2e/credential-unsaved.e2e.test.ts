/**
 * An account whose rotated refresh token could not be written to its file (`credential_saved: false` from the
 * admin API) as the admin meets it: a count on the dashboard, the explanation in its "Needs attention" entry, and a
 * badge with that explanation as its tooltip on its row — in both languages. The mock admin server has one such
 * account (bob-github), the real server's shape (ui/dev/mock-admin.test.ts).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type BrowserSession, type MockAdmin, screenshot, signedInOnMock } from "./harness";

const ADMIN_KEY = "admin-e2e-credential";
const HINT_EN =
  "kiro-ts rotated this account's refresh token but could not write it to the account's credential file, so the new token lives only in memory. kiro-ts keeps retrying the write. Fix the disk or the file's permissions; otherwise the account must sign in again after a restart.";

let mock: MockAdmin;
let session: BrowserSession;

beforeAll(async () => {
  ({ mock, session } = await signedInOnMock(3, ADMIN_KEY));
});

afterAll(() => session?.close());

test("the mock reports one account's credential as not saved, as the server does", async () => {
  const answer = await fetch(`${mock.url}admin/accounts`, { headers: { "x-api-key": ADMIN_KEY } });
  const { data } = (await answer.json()) as { data: { name: string; credential_saved?: boolean }[] };
  expect(data.filter((a) => "credential_saved" in a).map((a) => [a.name, a.credential_saved])).toEqual([["bob-github", false]]);
});

test("the dashboard counts it, and its entry under Needs attention says what it means", async () => {
  const { page } = session;
  const count = page.getByTestId("credential-unsaved-count");
  await count.waitFor();
  expect(await count.textContent()).toBe("⚠Credential not saved on 1 of 3 accounts");
  expect(await count.getAttribute("title")).toBe(HINT_EN);

  const attention = page.getByTestId("attention");
  const entry = attention.locator("li", { hasText: "bob-github" });
  expect(await entry.getByTestId("credential-unsaved").innerText()).toContain("Credential not saved");
  expect(await entry.getByTestId("credential-unsaved-hint").textContent()).toBe(HINT_EN);
  // Healthy and saved: not an account needing attention.
  expect(await attention.locator("li").count()).toBe(1);
  await screenshot(page, "credential-unsaved-dashboard");

  // The count leads to the accounts.
  await count.getByRole("link").click();
  await page.waitForURL(/\/accounts$/);
});

test("on the accounts page, its row has the badge, with the explanation as tooltip; the others have none", async () => {
  const { page } = session;
  const row = page.locator('[data-testid=account-row][data-name="bob-github"]');
  await row.waitFor();
  const badge = row.getByTestId("credential-unsaved");
  expect(await badge.isVisible()).toBe(true);
  expect(await badge.getAttribute("title")).toBe(HINT_EN);
  // A screen reader hears the explanation too; the row itself stays short.
  expect(await badge.textContent()).toBe(`⚠Credential not saved: ${HINT_EN}`);
  expect((await badge.boundingBox())?.height).toBeLessThan(24);
  expect(await page.getByTestId("credential-unsaved").count()).toBe(1);
  await badge.hover();
  await screenshot(page, "credential-unsaved-accounts");
});

test("in Chinese too, in both themes", async () => {
  const { page } = session;
  await page.getByTestId("language-toggle").click();
  const badge = page.locator('[data-testid=account-row][data-name="bob-github"]').getByTestId("credential-unsaved");
  await page.waitForFunction(() => document.querySelector("[data-testid=credential-unsaved]")?.textContent?.includes("凭据未保存"));
  expect(await badge.getAttribute("title")).toContain("kiro-ts 会持续重试写入");
  expect(await badge.getAttribute("title")).toContain("重启后该账号需要重新登录");

  const dark = await page.evaluate(() => document.documentElement.classList.contains("dark"));
  await page.getByTestId("theme-toggle").click();
  expect(await page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(!dark);
  await screenshot(page, "credential-unsaved-accounts-zh-other-theme");

  await page.getByRole("link", { name: "仪表盘" }).click();
  const count = page.getByTestId("credential-unsaved-count");
  await count.waitFor();
  expect(await count.textContent()).toBe("⚠3 个账号中有 1 个凭据未保存");
  expect(await page.getByTestId("credential-unsaved-hint").textContent()).toContain("凭据文件");
  await screenshot(page, "credential-unsaved-dashboard-zh-other-theme");

  await page.getByTestId("language-toggle").click();
  await page.getByTestId("theme-toggle").click();
});

test("no CSP violation, script error or failed request", () => {
  expect(session.problems).toEqual([]);
});
