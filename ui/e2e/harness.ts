/**
 * What the browser tests share: the compiled binary in demo mode (or the mock admin server), headless
 * Chromium through playwright-core, a watch on the browser console, and screenshots kept as test artefacts.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { startMockServer } from "../dev/mock-admin";

export const ROOT = resolve(import.meta.dir, "..", "..");
export const ARTIFACTS = join(ROOT, "test-artifacts", "ui");
export const BINARY = resolve(ROOT, process.env.KIRO_TS_BINARY ?? join("dist", "kiro-ts"));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Flags that keep Debian's Chromium quiet and offline in a container (bun-elysia-notes.md). */
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];

export interface DemoServer {
  url: string;
  apiKey: string;
  adminKey: string;
  /** The "Admin UI" link of the banner. */
  adminUi: string;
  /** What the demo printed on stdout up to its banner's last line. */
  output: string;
  stop(): Promise<void>;
}

const BANNER = ["URL", "API key", "Admin key", "Admin UI"] as const;

/** Reads the child's stdout until every wanted `label  value` line has appeared (the demo's banner). */
async function readBanner(stream: ReadableStream<Uint8Array>, labels: readonly string[], deadlineMs: number): Promise<{ found: Record<string, string>; text: string }> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const found: Record<string, string> = {};
  const deadline = Date.now() + deadlineMs;
  try {
    while (labels.some((label) => !(label in found))) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`the demo did not print ${labels.join(", ")} in time; it printed:\n${text}`);
      const chunk = await Promise.race([reader.read(), Bun.sleep(remaining).then(() => null)]);
      if (chunk === null) continue;
      if (chunk.done) throw new Error(`the demo exited before printing its URL and keys; it printed:\n${text}`);
      text += decoder.decode(chunk.value, { stream: true });
      for (const label of labels) {
        const match = text.match(new RegExp(`^\\s*${label}\\s+(\\S+)\\s*$`, "m"));
        if (match?.[1]) found[label] = match[1];
      }
    }
  } finally {
    reader.releaseLock();
  }
  return { found, text };
}

/** Runs a demo command in `cwd` until its banner is out; stopping it also deletes `cwd` when `removeCwd` is set. */
async function startDemoProcess(command: string[], cwd: string, options: { removeCwd: boolean; deadlineMs: number }): Promise<DemoServer> {
  const child = Bun.spawn(command, { cwd, stdout: "pipe", stderr: "inherit", env: { ...process.env, LOG_LEVEL: "warn" } });
  let banner: Awaited<ReturnType<typeof readBanner>>;
  try {
    banner = await readBanner(child.stdout, BANNER, options.deadlineMs);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  // Keep draining stdout so the child never blocks on a full pipe.
  void child.stdout.pipeTo(new WritableStream()).catch(() => undefined);
  return {
    url: (banner.found.URL ?? "").replace(/\/?$/, "/"),
    apiKey: banner.found["API key"] ?? "",
    adminKey: banner.found["Admin key"] ?? "",
    adminUi: banner.found["Admin UI"] ?? "",
    output: banner.text,
    async stop() {
      child.kill("SIGTERM");
      const exited = await Promise.race([child.exited.then(() => true), Bun.sleep(12_000).then(() => false)]);
      if (!exited) child.kill("SIGKILL");
      if (options.removeCwd) await rm(cwd, { recursive: true, force: true });
    },
  };
}

/**
 * Starts `kiro-ts demo --port 0` from an empty temporary folder, which also shows the binary needs nothing
 * from the working directory to serve the UI.
 */
export async function startDemoBinary(): Promise<DemoServer> {
  const cwd = await mkdtemp(join(tmpdir(), "kiro-ui-e2e-"));
  return startDemoProcess([BINARY, "demo", "--port", "0"], cwd, { removeCwd: true, deadlineMs: 20_000 });
}

/** Starts `bun run demo --port 0` in a checkout, as the README's Quick start does; it may build the UI first. */
export function startDemoInCheckout(checkout: string): Promise<DemoServer> {
  return startDemoProcess([process.execPath, "run", "demo", "--port", "0"], checkout, { removeCwd: false, deadlineMs: 90_000 });
}

/**
 * A fresh checkout of this working tree in a temporary folder, as `git clone` would give (its files as they are
 * now, none that .gitignore leaves out: no node_modules, no ui/dist, no dist), after `bun install`.
 */
export async function freshCheckout(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "kiro-checkout-"));
  const listed = Bun.spawnSync(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT });
  if (!listed.success) throw new Error(`git ls-files failed: ${listed.stderr.toString()}`);
  for (const path of listed.stdout.toString().split("\0").filter(Boolean)) {
    const source = Bun.file(join(ROOT, path));
    // A file deleted in the working tree but not yet in git's index is not part of the checkout.
    if (await source.exists()) await Bun.write(join(dir, path), source);
  }
  const install = Bun.spawnSync([process.execPath, "install", "--frozen-lockfile"], { cwd: dir, stdout: "ignore", stderr: "pipe" });
  if (!install.success) throw new Error(`bun install failed in ${dir}: ${install.stderr.toString()}`);
  return dir;
}

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** CSP violations, uncaught exceptions, console errors and HTTP errors seen so far (the test filters expected ones). */
  problems: string[];
  close(): Promise<void>;
}

export async function openBrowser(options: { locale?: string; width?: number; height?: number } = {}): Promise<BrowserSession> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({
    locale: options.locale ?? "en-US",
    viewport: { width: options.width ?? 1360, height: options.height ?? 860 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    // Failed requests are reported below with their URL; the console's copy of them says less.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(`console: ${message.text()}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`);
  });
  return {
    browser,
    context,
    page,
    problems,
    async close() {
      await context.close();
      await browser.close();
    },
  };
}

/** Signs in on the login page of the UI at `url` (ending in "/") and waits for the dashboard. */
export async function signIn(page: Page, url: string, adminKey: string): Promise<void> {
  await page.goto(`${url}login`);
  await page.fill("#admin-key", adminKey);
  await page.click("button[type=submit]");
  await page.waitForURL(url);
}

export type MockAdmin = Awaited<ReturnType<typeof startMockServer>>;

/**
 * The mock admin server with `accounts` accounts and a browser signed in to its UI (English); closing the session
 * stops the mock too.
 */
export async function signedInOnMock(accounts: number, adminKey: string): Promise<{ mock: MockAdmin; session: BrowserSession }> {
  const mock = await startMockServer({ accounts, adminKey, checkDelayMs: 2 });
  const browser = await openBrowser({ locale: "en-US" });
  const session = {
    ...browser,
    async close() {
      await browser.close();
      mock.server.stop(true);
    },
  };
  await signIn(session.page, mock.url, adminKey);
  return { mock, session };
}

export async function screenshot(page: Page, name: string, path = join(ARTIFACTS, `${name}.png`)): Promise<string> {
  await mkdir(resolve(path, ".."), { recursive: true });
  // Transitions are finished, not caught halfway (a bar still growing, a button still changing colour).
  await page.screenshot({ path, animations: "disabled" });
  return path;
}

/** Sends a few real Messages API calls through the demo, so the dashboard has requests to chart. */
export async function sendMessages(server: DemoServer, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${server.url}v1/messages`, {
      method: "POST",
      headers: { "x-api-key": server.apiKey, "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "claude-sonnet-4-6", max_tokens: 64, messages: [{ role: "user", content: `Hello ${i}` }] }),
    });
    if (!response.ok) throw new Error(`POST /v1/messages answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  }
}
