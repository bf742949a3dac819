/**
 * Keys, Usage and Requests as an operator meets them: the compiled binary in demo mode, in headless Chromium, in
 * both languages and both themes. A key made in the UI is used by a client, shows up in usage, in the log and on
 * the dashboard, and stops working when deleted.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type BrowserSession, type DemoServer, openBrowser, screenshot, sendMessages, startDemoBinary } from "./harness";

let server: DemoServer;
let session: BrowserSession;
let madeKey = "";

beforeAll(async () => {
  server = await startDemoBinary();
  session = await openBrowser({ locale: "en-US" });
  await sendMessages(server, 3);
  const { page } = session;
  await page.goto(server.url);
  await page.waitForURL(/\/login$/);
  await page.fill("#admin-key", server.adminKey);
  await page.click("button[type=submit]");
  await page.waitForURL(server.url);
});

afterAll(async () => {
  await session?.close();
  await server?.stop();
});

const ask = (key: string) =>
  fetch(`${server.url}v1/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "x-claude-code-session-id": "ui-session" },
    body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 64, messages: [{ role: "user", content: "Hello" }] }),
  });

describe("keys, usage and the request log in the admin UI", () => {
  test("Keys: make a key, shown once with a copy button; it works at once", async () => {
    const { page } = session;
    await page.locator("header nav").getByRole("link", { name: "Keys", exact: true }).click();
    await page.waitForURL(/\/keys$/);
    await page.locator('[data-testid=key-row][data-name="default"]').waitFor();
    await page.getByTestId("make-key").click();
    await page.fill("#key-name", "");
    await page.getByTestId("key-submit").click();
    expect(await page.getByTestId("key-form-error").textContent()).toBe("A name is required.");
    await page.fill("#key-name", "ui-alice");
    await page.fill("#key-models", "claude-sonnet-4-5*");
    await page.fill("#key-rpm", "100");
    await page.getByTestId("key-submit").click();
    const shown = page.getByTestId("made-key");
    await shown.waitFor();
    madeKey = await shown.inputValue();
    expect(madeKey).toStartWith("sk-kiro-");
    expect(await page.getByTestId("copy-key").textContent()).toBe("Copy");
    await screenshot(page, "20-key-made");
    await page.getByRole("button", { name: "Done" }).click();
    const row = page.locator('[data-testid=key-row][data-name="ui-alice"]');
    await row.waitFor();
    expect(await row.textContent()).toContain("claude-sonnet-4-5*");
    expect(await row.textContent()).toContain("100/min");
    expect(await row.textContent()).not.toContain(madeKey);

    for (let i = 0; i < 2; i++) expect((await ask(madeKey)).status).toBe(200);
    await page.getByRole("button", { name: "Refresh" }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid=key-row][data-name="ui-alice"]')?.textContent?.includes("2 req"));
  });

  test("Keys: disable refuses the key at once, enable lets it in again", async () => {
    const { page } = session;
    const row = page.locator('[data-testid=key-row][data-name="ui-alice"]');
    await row.getByTestId("toggle-key").click();
    await page.waitForFunction(() => document.querySelector('[data-testid=key-row][data-name="ui-alice"] [data-testid=key-status]')?.textContent === "Disabled");
    expect((await ask(madeKey)).status).toBe(401);
    await row.getByTestId("toggle-key").click();
    await page.waitForFunction(() => document.querySelector('[data-testid=key-row][data-name="ui-alice"] [data-testid=key-status]')?.textContent === "Active");
    expect((await ask(madeKey)).status).toBe(200);
  });

  test("Usage: by key over time with the chart, totals, and a CSV export", async () => {
    const { page } = session;
    await page.locator("header nav").getByRole("link", { name: "Usage", exact: true }).click();
    await page.waitForURL(/\/usage$/);
    await page.locator("[data-testid=usage-chart] canvas").waitFor();
    const alice = page.locator('[data-testid=usage-row][data-key="ui-alice"]');
    await alice.waitFor();
    expect(await alice.textContent()).toMatch(/^ui-alice3/);
    expect(await page.locator('[data-testid=usage-row][data-key="default"]').count()).toBe(1);
    await page.getByTestId("usage-by").getByRole("button", { name: "Account" }).click();
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=usage-row]").length >= 1 && !document.querySelector('[data-testid=usage-row][data-key="ui-alice"]'));
    await page.getByTestId("usage-metric").getByRole("button", { name: "Credits" }).click();
    const download = page.waitForEvent("download");
    await page.getByTestId("usage-export").click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^kiro-ts-usage-by-account-.*\.csv$/);
    const csv = await Bun.file((await file.path())!).text();
    expect(csv.split("\n")[0]).toBe("account,start,requests,errors,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,credits");
    expect(csv.split("\n").length).toBeGreaterThan(2);
    await screenshot(page, "21-usage");
  });

  test("Requests: the log, filtered by key, with the attempts of one request", async () => {
    const { page } = session;
    await page.locator("header nav").getByRole("link", { name: "Requests", exact: true }).click();
    await page.waitForURL(/\/requests$/);
    await page.locator("[data-testid=request-row]").first().waitFor();
    const keyId = await page.locator("#filter-key option", { hasText: "ui-alice" }).getAttribute("value");
    await page.selectOption("#filter-key", keyId!);
    await page.getByTestId("requests-filter").click();
    await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=request-row]")].every((r) => r.textContent?.includes("ui-alice")));
    expect(await page.locator("[data-testid=request-row]").count()).toBe(3);
    await page.locator("[data-testid=request-row]").first().click();
    const detail = page.getByTestId("request-detail");
    await detail.waitFor();
    expect(await detail.textContent()).toContain("ui-session");
    expect(await detail.getByTestId("request-attempts").textContent()).toMatch(/ — ok/);
    await screenshot(page, "22-request-detail");
    await detail.getByRole("button", { name: "Close" }).click();
  });

  test("Dashboard: today's credits and the busiest keys", async () => {
    const { page } = session;
    await page.locator("header nav").getByRole("link", { name: "Dashboard", exact: true }).click();
    await page.getByTestId("credits-today").waitFor();
    await page.waitForFunction(() => (document.querySelectorAll("[data-testid=busy-key]").length ?? 0) >= 2);
    expect(await page.getByTestId("busiest-keys").textContent()).toContain("ui-alice");
    const total = Number((await page.getByTestId("credits-today-value").textContent())?.replace(/,/g, ""));
    expect(total).toBeGreaterThan(0);
    // The keys' credits read as the total does (a request's are ~0.01, which one decimal showed as 0): they add up.
    const perKey = (await page.locator("[data-testid=busy-key]").allTextContents()).map((line) => Number(/([\d.,]+) cr$/.exec(line)![1]!.replace(/,/g, "")));
    expect(perKey.every((credits) => credits > 0)).toBe(true);
    expect(perKey.reduce((a, b) => a + b, 0)).toBeCloseTo(total, 2);
  });

  test("both languages and both themes", async () => {
    const { page } = session;
    await page.getByTestId("language-toggle").click();
    await page.locator("header nav").getByRole("link", { name: "用量", exact: true }).click();
    await page.locator("[data-testid=usage-chart] canvas").waitFor();
    expect(await page.getByTestId("usage-page").textContent()).toContain("导出 CSV");
    const dark = () => page.evaluate(() => document.documentElement.classList.contains("dark"));
    const before = await dark();
    await page.getByTestId("theme-toggle").click();
    expect(await dark()).toBe(!before);
    await screenshot(page, "23-usage-zh-other-theme");
    await page.locator("header nav").getByRole("link", { name: "密钥", exact: true }).click();
    await page.locator('[data-testid=key-row][data-name="ui-alice"]').waitFor();
    expect(await page.getByTestId("keys-page").textContent()).toContain("客户端密钥");
    await screenshot(page, "24-keys-zh-other-theme");
    await page.getByTestId("theme-toggle").click();
    await page.getByTestId("language-toggle").click();
  });

  test("Keys: delete asks first, then the key is refused at once", async () => {
    const { page } = session;
    await page.locator("header nav").getByRole("link", { name: "Keys", exact: true }).click();
    const row = page.locator('[data-testid=key-row][data-name="ui-alice"]');
    await row.getByTestId("delete-key").click();
    await page.getByTestId("confirm-delete-key").click();
    await row.waitFor({ state: "detached" });
    expect((await ask(madeKey)).status).toBe(401);
    const unexpected = session.problems.filter((p) => !/HTTP 401 POST \/v1\/messages/.test(p));
    expect(unexpected).toEqual([]);
  });
});
