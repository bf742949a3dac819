/**
 * The API reference at /swagger, served by the compiled binary from its embedded UI: the page renders the
 * server's OpenAPI document (/swagger/json, no key) under the UI's CSP, and opening it makes no request that
 * leaves the machine — every request is watched and anything for another origin is refused and listed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Route } from "playwright-core";
import { type BrowserSession, type DemoServer, openBrowser, screenshot, startDemoBinary } from "./harness";

let server: DemoServer;
let session: BrowserSession;
let origin: string;
/** Every request the browser made, as method and URL, and those bound elsewhere (refused). */
const requests: { method: string; url: string; headers: Record<string, string> }[] = [];
const elsewhere: string[] = [];
let operationCount = 0;

beforeAll(async () => {
  server = await startDemoBinary();
  origin = new URL(server.url).origin;
  session = await openBrowser({ locale: "en-US" });
  await session.context.route("**/*", (route: Route) => {
    const request = route.request();
    requests.push({ method: request.method(), url: request.url(), headers: request.headers() });
    if (new URL(request.url()).origin !== origin) {
      elsewhere.push(request.url());
      return route.abort("blockedbyclient");
    }
    return route.continue();
  });
  const spec = (await (await fetch(`${server.url}swagger/json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  operationCount = Object.values(spec.paths).reduce((sum, item) => sum + Object.keys(item).length, 0);
});

afterAll(async () => {
  await session?.close();
  await server?.stop();
});

const operation = (method: string, path: string) => session.page.locator(`[data-testid=api-operation][data-method="${method}"][data-path="${path}"]`);

describe("the binary serves the API reference", () => {
  test("/swagger is the embedded app under the UI's CSP; /swagger/json needs no key", async () => {
    const page = await fetch(`${server.url}swagger`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const index = await fetch(server.url);
    expect(page.headers.get("content-security-policy")).toBe(index.headers.get("content-security-policy"));
    const csp = page.headers.get("content-security-policy") ?? "";
    for (const directive of ["default-src 'self'", "script-src 'self'", "connect-src 'self'", "style-src 'self'"]) expect(csp).toContain(directive);
    const html = await page.text();
    expect(html).toBe(await index.text());
    expect(html).not.toMatch(/(src|href)="https?:/);

    const spec = await fetch(`${server.url}swagger/json`);
    expect(spec.status).toBe(200);
    expect(((await spec.json()) as { openapi: string }).openapi).toBe("3.0.3");
    expect(operationCount).toBeGreaterThan(20);
  });
});

describe("the API reference page in headless Chromium", () => {
  test("signed out, it lists every operation of the document, grouped, with their summaries", async () => {
    const { page } = session;
    await page.goto(`${server.url}swagger`);
    await operation("POST", "/v1/messages").waitFor();
    expect(page.url()).toBe(`${server.url}swagger`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toContain("kiro-ts");
    expect(await page.getByTestId("api-count").textContent()).toBe(`${operationCount} of ${operationCount} operations`);
    expect(await page.getByTestId("api-operation").count()).toBe(operationCount);
    expect(await page.getByRole("heading", { level: 2 }).allTextContents()).toEqual(expect.arrayContaining(["/v1", "/admin", "Other"]));
    expect(await operation("GET", "/admin/accounts").locator("summary").innerText()).toBe("GET\n/admin/accounts\nEvery account");
    await screenshot(page, "api-reference");
  });

  test("an operation opens on its request schema: fields, types, required, constraints", async () => {
    const { page } = session;
    const messages = operation("POST", "/v1/messages");
    await messages.locator("summary").click();
    await messages.getByText("Request body").waitFor();
    const fields = await messages.getByTestId("schema-field").allTextContents();
    expect(fields.slice(0, 3)).toEqual(["model", "max_tokens", "messages"]);
    expect(fields).toContain("stream");
    const maxTokens = messages.locator("li", { has: page.locator("[data-testid=schema-field]", { hasText: /^max_tokens$/ }) }).first();
    expect(await maxTokens.innerText()).toContain("integer");
    expect(await maxTokens.innerText()).toContain("required");
    expect(await maxTokens.innerText()).toContain("≥ 1");
    expect(await messages.innerText()).toContain("Content types: application/json");
    await screenshot(page, "api-reference-messages");
    await messages.locator("summary").click();
  });

  test("and on its responses, with the fields of each answer", async () => {
    const { page } = session;
    const accounts = operation("GET", "/admin/accounts");
    await accounts.locator("summary").click();
    const ok = accounts.locator("[data-testid=api-response][data-status='200']");
    await ok.waitFor();
    const fields = await ok.getByTestId("schema-field").allTextContents();
    expect(fields).toEqual(expect.arrayContaining(["success", "data", "name", "state", "credential_saved"]));
    expect(await ok.innerText()).toContain("present while a rotated credential lives only in memory");
    expect(await accounts.locator("[data-testid=api-response][data-status='401']").count()).toBe(1);
    await accounts.locator("summary").click();
  });

  test("the filter narrows the list", async () => {
    const { page } = session;
    await page.getByRole("searchbox").fill("batch check");
    expect(await page.getByTestId("api-count").textContent()).toBe(`1 of ${operationCount} operations`);
    expect(await page.getByTestId("api-operation").getAttribute("data-path")).toBe("/admin/accounts/batch-check");
    await page.getByRole("searchbox").fill("no-such-route");
    expect(await page.getByText("No operation matches.").count()).toBe(1);
    await page.getByRole("searchbox").fill("");
  });

  test("in Chinese and in the other theme too", async () => {
    const { page } = session;
    const dark = await page.evaluate(() => document.documentElement.classList.contains("dark"));
    await page.getByTestId("language-toggle").click();
    await page.getByTestId("theme-toggle").click();
    expect(await page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(!dark);
    expect(await page.getByTestId("api-count").textContent()).toBe(`显示 ${operationCount} / ${operationCount} 个接口`);
    const messages = operation("POST", "/v1/messages");
    await messages.locator("summary").click();
    await messages.getByText("请求体").waitFor();
    expect(await messages.innerText()).toContain("必填");
    await screenshot(page, "api-reference-zh-other-theme");
    await messages.locator("summary").click();
    await page.getByTestId("language-toggle").click();
    await page.getByTestId("theme-toggle").click();
  });

  test("signed in, the admin UI links to it, and it never sends the admin key", async () => {
    const { page } = session;
    await page.getByRole("link", { name: "Admin UI" }).click();
    await page.waitForURL(/\/login$/);
    await page.fill("#admin-key", server.adminKey);
    await page.click("button[type=submit]");
    await page.waitForURL(server.url);
    const before = requests.length;
    await page.getByRole("link", { name: "API reference" }).click();
    await page.waitForURL(/\/swagger$/);
    await operation("POST", "/v1/messages").waitFor();
    const specRequests = requests.slice(before).filter((r) => new URL(r.url).pathname === "/swagger/json");
    expect(specRequests).toHaveLength(1);
    expect(Object.keys(specRequests[0]?.headers ?? {})).not.toContain("x-api-key");
    expect(await page.evaluate(() => localStorage.getItem("adminApiKey"))).toBe(server.adminKey);
  });

  test("every request the page made went to the gateway itself; no CSP violation or script error", () => {
    expect(elsewhere).toEqual([]);
    expect(requests.length).toBeGreaterThan(3);
    expect(requests.every((r) => new URL(r.url).origin === origin)).toBe(true);
    expect(requests.map((r) => new URL(r.url).pathname)).toEqual(expect.arrayContaining(["/swagger", "/swagger/json"]));
    expect(session.problems).toEqual([]);
  });
});
