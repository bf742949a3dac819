/**
 * The admin UI as a user meets it: the compiled binary in demo mode, driven in headless Chromium.
 * Run by `bun run test:ui` (scripts/test-ui.ts), which builds dist/kiro-ts first when needed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type BrowserSession, type DemoServer, openBrowser, ROOT, screenshot, sendMessages, startDemoBinary } from "./harness";

let server: DemoServer;
let session: BrowserSession;
/** The HTTP status of the add the server refused (the admin contract says logical errors are HTTP 200). */
let refusedAddStatus: number | undefined;

beforeAll(async () => {
  server = await startDemoBinary();
  session = await openBrowser({ locale: "en-US" });
});

afterAll(async () => {
  await session?.close();
  await server?.stop();
});

const rowNames = () => session.page.locator("[data-testid=account-row]").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-name")));

describe("the binary serves the embedded UI", () => {
  test("index.html without caching, hashed assets forever, compressed, deep links, API 404s", async () => {
    const index = await fetch(server.url);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(index.headers.get("cache-control")).toBe("no-cache");
    expect(index.headers.get("content-security-policy")).toContain("connect-src 'self'");
    const html = await index.text();
    const script = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    const style = html.match(/href="(\/assets\/[^"]+\.css)"/)?.[1];
    expect(script).toBeDefined();
    expect(style).toBeDefined();

    const js = await fetch(new URL(script ?? "", server.url), { headers: { "accept-encoding": "br" }, decompress: false } as RequestInit);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(js.headers.get("content-encoding")).toBe("br");
    expect(js.headers.get("vary")).toBe("accept-encoding");
    const etag = js.headers.get("etag") ?? "";
    const again = await fetch(new URL(script ?? "", server.url), { headers: { "accept-encoding": "br", "if-none-match": etag } });
    expect(again.status).toBe(304);

    const css = await fetch(new URL(style ?? "", server.url));
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");

    const deepLink = await fetch(new URL("accounts", server.url));
    expect(deepLink.status).toBe(200);
    expect(await deepLink.text()).toBe(html);

    for (const path of ["v1/nothing", "admin/nothing", "assets/missing.js", "%2e%2e%2fetc%2fpasswd"]) {
      const miss = await fetch(new URL(path, server.url));
      // The API areas check the key before the route: without one, a miss is a 401 there, never the app's HTML.
      expect(path.startsWith("assets") || path.startsWith("%") ? [404] : [401, 404]).toContain(miss.status);
      expect(await miss.text()).not.toContain("<html");
    }
  });
});

describe("the admin UI in demo mode", () => {
  test("a wrong admin key is refused, and says so", async () => {
    const { page } = session;
    await page.goto(server.url);
    await page.waitForURL(/\/login$/);
    await page.fill("#admin-key", "not-the-admin-key");
    await page.click("button[type=submit]");
    const error = page.getByTestId("login-error");
    await error.waitFor();
    expect(await error.textContent()).toBe("Wrong admin key: the server refused it.");
    expect(await page.evaluate(() => localStorage.getItem("adminApiKey"))).toBeNull();
    await screenshot(page, "01-login-wrong-key");
  });

  test("the admin key opens the dashboard with the three demo accounts", async () => {
    const { page } = session;
    await sendMessages(server, 5);
    await page.fill("#admin-key", server.adminKey);
    await page.click("button[type=submit]");
    await page.waitForURL(server.url);
    await page.waitForFunction(() => document.querySelector("[data-testid=stat-total]")?.textContent?.includes("3"));
    expect(await page.getByTestId("stat-total").textContent()).toContain("Accounts3");
    expect(await page.getByTestId("stat-requests").textContent()).toMatch(/Total requests[1-9]/);
    expect(await page.getByTestId("requests-last-hour").textContent()).toMatch(/^[1-9]\d* in the last 60 minutes$/);
    expect(await page.evaluate(() => localStorage.getItem("adminApiKey"))).toBe(server.adminKey);
    await page.locator("[data-testid=requests-chart] canvas").waitFor();
    await screenshot(page, "02-dashboard");
  });

  test("the accounts page lists them", async () => {
    const { page } = session;
    await page.getByRole("link", { name: "Accounts", exact: true }).click();
    await page.waitForURL(/\/accounts$/);
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=account-row]").length === 3);
    expect((await rowNames()).sort()).toEqual(["alice-google", "bob-github", "carol-builder-id"]);
    expect(await page.getByTestId("accounts-count").textContent()).toBe("3 of 3");
    await screenshot(page, "03-accounts");
  });

  test("adding an account: one whose token does not work is refused with the server's reason; kept out of the pool, it is added", async () => {
    const { page } = session;
    await page.getByRole("button", { name: "Add account" }).click();
    const dialog = page.getByTestId("add-account-dialog");
    await dialog.waitFor();
    await page.fill("#acc-name", "erin-e2e");
    await page.fill("#acc-refresh", `e2e-${"r".repeat(120)}`);
    await page.selectOption("#acc-provider", "Google");
    const refused = page.waitForResponse((response) => response.url().endsWith("/admin/accounts") && response.request().method() === "POST");
    await dialog.getByRole("button", { name: "Add", exact: true }).click();
    refusedAddStatus = (await refused).status();
    const formError = page.getByTestId("form-error");
    await formError.waitFor();
    expect((await formError.textContent())?.length).toBeGreaterThan(5);
    expect(await dialog.isVisible()).toBe(true);

    await dialog.getByLabel("Add to the pool now").uncheck();
    await dialog.getByRole("button", { name: "Add", exact: true }).click();
    await dialog.waitFor({ state: "detached" });
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=account-row]").length === 4);
    expect(await rowNames()).toContain("erin-e2e");
    expect(await page.locator('[data-testid=account-row][data-name="erin-e2e"]').textContent()).toContain("not in pool");
    await screenshot(page, "04-account-added");
  });

  test("adding an API-key account: the form asks for the key alone, sends it as kiroApiKey, and shows the server's refusal of an unknown key", async () => {
    const { page } = session;
    await page.getByRole("button", { name: "Add account" }).click();
    const dialog = page.getByTestId("add-account-dialog");
    await dialog.waitFor();
    await page.fill("#acc-name", "key-e2e");
    await page.selectOption("#acc-auth", "api_key");
    await page.locator("#acc-api-key").waitFor();
    expect(await dialog.locator("#acc-refresh, #acc-provider, #acc-region, #acc-access, #acc-client-id, #acc-client-id2").count()).toBe(0);
    await dialog.getByRole("button", { name: "Add", exact: true }).click();
    const formError = page.getByTestId("form-error");
    await formError.waitFor();
    expect(await formError.textContent()).toBe("API key is required.");

    // The demo's simulator knows only the keys it made, so a made-up one fails the server's quota check.
    await page.fill("#acc-api-key", ` ksk_${"k".repeat(60)} `);
    const sent = page.waitForRequest((request) => request.url().endsWith("/admin/accounts") && request.method() === "POST");
    await dialog.getByRole("button", { name: "Add", exact: true }).click();
    expect((await sent).postDataJSON()).toEqual({ name: "key-e2e", kiroApiKey: `ksk_${"k".repeat(60)}`, authMethod: "api_key", addToPool: true });
    await page.waitForFunction(() => document.querySelector("[data-testid=form-error]")?.textContent?.includes("does not work"));
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(await rowNames()).not.toContain("key-e2e");
  });

  test("a batch check of every account drives the progress bar to 100 %", async () => {
    const { page } = session;
    await page.getByLabel("Select all shown").check();
    expect(await page.getByTestId("selection-count").textContent()).toContain("4 selected");
    await page.getByRole("button", { name: "Check 4", exact: true }).click();
    const progress = page.getByTestId("batch-progress");
    await progress.waitFor();
    await page.waitForSelector("[data-testid=batch-progress][data-running=false]");
    expect(await page.getByTestId("batch-progress-percent").textContent()).toBe("100 %");
    expect(await page.getByTestId("batch-progress-counts").textContent()).toMatch(/^4 \/ 4 · \d ok · \d failed$/);
    expect(await progress.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("100");
    // The demo's accounts report their simulated quota; the table shows it.
    await page.waitForFunction(() => /\d+ \/ [\d,]+\d+%/.test(document.querySelector('[data-testid=account-row][data-name="alice-google"]')?.textContent ?? ""));
    await screenshot(page, "05-batch-check");
  });

  test("the language switches to Chinese, and stays so after a reload", async () => {
    const { page } = session;
    await page.getByTestId("language-toggle").click();
    await page.getByRole("link", { name: "账号管理" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("zh-CN");
    expect(await page.getByRole("button", { name: "添加账号" }).isVisible()).toBe(true);
    await screenshot(page, "06-chinese");
    await page.reload();
    await page.getByRole("link", { name: "仪表盘" }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem("kiro-lang"))).toBe("zh");
    await page.getByTestId("language-toggle").click();
    await page.getByRole("link", { name: "Dashboard" }).waitFor();
  });

  test("light theme is one click away and remembered under the seed's kiro-theme key", async () => {
    const { page } = session;
    expect(await page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(true);
    await page.getByTestId("theme-toggle").click();
    expect(await page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(false);
    expect(await page.evaluate(() => localStorage.getItem("kiro-theme"))).toBe("light");
    await screenshot(page, "07-light-theme");
    await page.getByTestId("theme-toggle").click();
  });

  test("the config page shows the server's settings and no secret", async () => {
    const { page } = session;
    await page.getByRole("link", { name: "Config" }).click();
    const config = page.getByTestId("config");
    await config.getByText("Failures before disabling").waitFor();
    const text = (await config.textContent()) ?? "";
    expect(text).toContain("127.0.0.1");
    expect(text).not.toContain(server.adminKey);
    expect(text).not.toContain(server.apiKey);
    await screenshot(page, "08-config");
  });

  test("logging out forgets the key and returns to the login page", async () => {
    const { page } = session;
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(/\/login$/);
    expect(await page.evaluate(() => localStorage.getItem("adminApiKey"))).toBeNull();
  });

  test("no CSP violation, script error or failed request other than the refused key and the refused add", () => {
    const expected = new Set(["HTTP 401 GET /admin/config", `HTTP ${refusedAddStatus} POST /admin/accounts`]);
    expect(session.problems.filter((problem) => !expected.has(problem))).toEqual([]);
  });

  test("the refused add was a logical error of the admin contract: HTTP 200 with success:false", () => {
    expect(refusedAddStatus).toBe(200);
  });
});

if (process.env.KIRO_UI_DOCS === "1") {
  test("README screenshots (docs/)", async () => {
    const docs = await openBrowser({ locale: "en-US", width: 1280, height: 760 });
    try {
      const { page } = docs;
      await page.goto(`${server.url}login`);
      await page.fill("#admin-key", server.adminKey);
      await page.click("button[type=submit]");
      await page.waitForFunction(() => document.querySelector("[data-testid=stat-total]")?.textContent?.includes("4"));
      await page.locator("[data-testid=requests-chart] canvas").waitFor();
      await screenshot(page, "dashboard", join(ROOT, "docs", "dashboard.png"));
      await page.getByRole("link", { name: "Accounts", exact: true }).click();
      await page.waitForFunction(() => document.querySelectorAll("[data-testid=account-row]").length === 4);
      await screenshot(page, "accounts", join(ROOT, "docs", "accounts.png"));
    } finally {
      await docs.close();
    }
  });
}
