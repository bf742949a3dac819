/**
 * What the browser tests share: the compiled binary in demo mode (or the mock admin server), headless
 * Chromium through playwright-core, a watch on the browser console, and screenshots kept as test artefacts.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

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
  stop(): Promise<void>;
}

/** Reads the child's stdout until every wanted `label  value` line has appeared (the demo's banner). */
async function readBanner(stream: ReadableStream<Uint8Array>, labels: readonly string[], deadlineMs: number): Promise<Record<string, string>> {
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
  return found;
}

/**
 * Starts `kiro-ts demo --port 0` from an empty temporary folder, which also shows the binary needs nothing
 * from the working directory to serve the UI.
 */
export async function startDemoBinary(): Promise<DemoServer> {
  const cwd = await mkdtemp(join(tmpdir(), "kiro-ui-e2e-"));
  const child = Bun.spawn([BINARY, "demo", "--port", "0"], { cwd, stdout: "pipe", stderr: "inherit", env: { ...process.env, LOG_LEVEL: "warn" } });
  let banner: Record<string, string>;
  try {
    banner = await readBanner(child.stdout, ["URL", "API key", "Admin key"], 20_000);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  // Keep draining stdout so the child never blocks on a full pipe.
  void child.stdout.pipeTo(new WritableStream()).catch(() => undefined);
  return {
    url: (banner.URL ?? "").replace(/\/?$/, "/"),
    apiKey: banner["API key"] ?? "",
    adminKey: banner["Admin key"] ?? "",
    async stop() {
      child.kill("SIGTERM");
      const exited = await Promise.race([child.exited.then(() => true), Bun.sleep(12_000).then(() => false)]);
      if (!exited) child.kill("SIGKILL");
      await rm(cwd, { recursive: true, force: true });
    },
  };
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
      body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 64, messages: [{ role: "user", content: `Hello ${i}` }] }),
    });
    if (!response.ok) throw new Error(`POST /v1/messages answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  }
}
