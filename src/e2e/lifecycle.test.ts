/**
 * The process as systemd sees it: `kiro-ts -c config.json` started as a child process; SIGHUP reloads the
 * credential folder without harming requests in flight; SIGTERM lets open streams finish, saves state, exits 0.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdir, mkdtemp, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { events, metering, textEvent } from "../simulator/replies";
import { KiroSimulator } from "../simulator/simulator";
import { keyFingerprint } from "../log";
import { STATE_FILE } from "../services";

const MAIN = join(import.meta.dir, "..", "main.ts");
let sim: KiroSimulator;
let dir: string;
let child: Bun.Subprocess<"ignore", "pipe", "pipe"> | undefined;

beforeEach(async () => {
  sim = await KiroSimulator.start({ chunking: "whole" });
  dir = await mkdtemp(join(tmpdir(), "kiro-life-"));
});
afterEach(async () => {
  child?.kill("SIGKILL");
  await sim.stop();
  await rm(dir, { recursive: true, force: true });
});

async function writeAccount(name: string) {
  await writeFile(join(dir, "creds", `${name}.json`), JSON.stringify(sim.addAccount({ name, authMethod: "social" }).credentialJson()), { mode: 0o600 });
}

/**
 * Starts the real CLI (after Bun's own `bunFlags`, with `extraEnv`); resolves with its URL once it logs that it
 * listens. The two settings main.ts re-executes for are taken out of the inherited environment.
 */
async function startServer(bunFlags: string[] = [], extraEnv: Record<string, string> = {}): Promise<{ url: string; output: () => string }> {
  const config = { apiKey: "sk-life", adminApiKey: "admin-life", port: 0, credentialsDir: "creds", kiroApiBaseUrl: sim.url, kiroEndpoint: "q", kiroAuthBaseUrl: sim.url };
  await writeFile(join(dir, "config.json"), JSON.stringify(config));
  const { BUN_CONFIG_MAX_HTTP_REQUESTS: _, MIMALLOC_PURGE_DELAY: __, ...inherited } = process.env;
  const env = { ...inherited, ...extraEnv };
  const spawned = Bun.spawn([process.execPath, ...bunFlags, MAIN, "-c", join(dir, "config.json")], { stdin: "ignore", stdout: "pipe", stderr: "pipe", cwd: "/", env });
  child = spawned;
  let text = "";
  const decoder = new TextDecoder();
  const reader = spawned.stdout.getReader();
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listen line in: ${text}`)), 10_000);
    (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return reject(new Error(`exited: ${text}`));
        text += decoder.decode(value);
        const m = /listening on (http:\/\/\S+?)\/? /.exec(text);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
          // Keep draining so the child never blocks on a full pipe.
          for (;;) {
            const next = await reader.read();
            if (next.done) return;
            text += decoder.decode(next.value);
          }
        }
      }
    })();
  });
  return { url, output: () => text };
}

const slowReply = () =>
  events([...Array.from({ length: 8 }, (_, i) => textEvent(`part${i} `)), metering()], { frameDelayMs: 100 });
const ask = (url: string, stream: boolean) =>
  fetch(url + "/v1/messages", {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "sk-life" },
    body: JSON.stringify({ model: "claude-sonnet-4-6", max_tokens: 50, stream, messages: [{ role: "user", content: "hi" }] }),
  });
const accounts = async (url: string) =>
  ((await (await fetch(url + "/admin/accounts", { headers: { "x-api-key": "admin-life" } })).json()) as { data: Array<{ name: string }> }).data.map((a) => a.name);

const environOf = async (pid: number) => (await Bun.file(`/proc/${pid}/environ`).text()).split("\0");
const startLine = (output: () => string) => output().split("\n").find((l) => l.includes("listening on")) ?? "";
/** Everything the child wrote to stderr (its warnings), once it is stopped. */
const warningsOnceStopped = async () => {
  child!.kill();
  return new Response(child!.stderr as ReadableStream<Uint8Array>).text();
};

// Bun's fetch holds 256 upstream streams at once unless BUN_CONFIG_MAX_HTTP_REQUESTS is set at start, and its
// allocator keeps freed memory (MIMALLOC_PURGE_DELAY=-1) only where a page fault is slow here (src/startup.ts, tested
// there); elsewhere Bun's own delay stays, unset.
test("the start-up re-exec keeps the PID and Bun's own flags, lifts fetch's limit and sets the allocator's delay where faults are slow", async () => {
  await mkdir(join(dir, "creds"));
  await writeAccount("solo");
  const { url, output } = await startServer(["--smol"]);
  const pid = child!.pid;
  const argv = (await Bun.file(`/proc/${pid}/cmdline`).text()).split("\0");
  expect(argv).toContain("--smol");
  expect(argv).toContain(MAIN);
  const environ = await environOf(pid);
  expect(environ).toContain("BUN_CONFIG_MAX_HTTP_REQUESTS=8192");
  const delay = environ.filter((v) => v.startsWith("MIMALLOC_PURGE_DELAY="));
  expect(delay).toBeOneOf([["MIMALLOC_PURGE_DELAY=-1"], []]);
  expect(startLine(output)).toContain(delay.length > 0 ? "freedMemory=kept" : "freedMemory=returned");
  expect((await ask(url, false)).status).toBe(200);
  expect(await warningsOnceStopped()).not.toContain("BUN_CONFIG_MAX_HTTP_REQUESTS is not set");
});

test("a start-up setting the environment gives is kept, whatever a page fault costs here", async () => {
  await mkdir(join(dir, "creds"));
  await writeAccount("solo");
  const { url, output } = await startServer([], { MIMALLOC_PURGE_DELAY: "250" });
  const environ = await environOf(child!.pid);
  expect(environ.filter((v) => v.startsWith("MIMALLOC_PURGE_DELAY="))).toEqual(["MIMALLOC_PURGE_DELAY=250"]);
  expect(startLine(output)).toContain("freedMemory=returned");
  expect(environ).toContain("BUN_CONFIG_MAX_HTTP_REQUESTS=8192");
  expect((await ask(url, false)).status).toBe(200);
});

test("SIGHUP reloads the credentials folder: accounts added and removed, the request in flight unharmed", async () => {
  await mkdir(join(dir, "creds"));
  await writeAccount("one");
  await writeAccount("two");
  const { url } = await startServer();
  expect(await accounts(url)).toEqual(["one", "two"]);

  sim.enqueue(slowReply());
  const inFlight = ask(url, true).then((r) => r.text());
  await Bun.sleep(150);
  await writeAccount("three");
  await unlink(join(dir, "creds", "one.json"));
  child!.kill("SIGHUP");
  await Bun.sleep(300);
  expect(await accounts(url)).toEqual(["two", "three"]);
  const body = await inFlight;
  expect(body).toContain("part7 ");
  expect(body).toContain("event: message_stop");
}, 20_000);

test("SIGTERM: the open stream finishes, new connections are refused, state is saved, exit code 0", async () => {
  await mkdir(join(dir, "creds"));
  await writeAccount("solo");
  const { url, output } = await startServer();
  sim.enqueue(slowReply());
  const res = await ask(url, true);
  const reading = res.text();
  await Bun.sleep(150);
  child!.kill("SIGTERM");
  await Bun.sleep(100);
  await expect(fetch(url + "/health")).rejects.toThrow();
  const body = await reading;
  expect(body).toContain("part7 ");
  expect(body).toContain("event: message_stop");
  expect(await child!.exited).toBe(0);
  expect(output()).toContain("SIGTERM");
  const state = JSON.parse(await Bun.file(join(dir, "creds", STATE_FILE)).text());
  expect(state.accounts.solo.counters.requests).toBe(1);
}, 20_000);

test("where the process cannot replace itself (Windows has no execve) it serves on Bun's defaults and says what is missing", async () => {
  await mkdir(join(dir, "creds"));
  await writeAccount("solo");
  // What a Windows build sees: no process.execve to call.
  const preload = join(dir, "no-execve.ts");
  await writeFile(preload, "Object.defineProperty(process, 'execve', { value: undefined });\n");
  const { url, output } = await startServer(["--preload", preload]);
  const environ = await environOf(child!.pid);
  expect(environ.filter((v) => /^(BUN_CONFIG_MAX_HTTP_REQUESTS|MIMALLOC_PURGE_DELAY)=/.test(v))).toEqual([]);
  expect((await ask(url, false)).status).toBe(200);
  expect(startLine(output)).toContain("freedMemory=returned");
  expect(await warningsOnceStopped()).toContain("WARN  BUN_CONFIG_MAX_HTTP_REQUESTS is not set and kiro-ts could not restart itself with it");
});

test("the start-up line names the client key by a fingerprint, never by any part of it", async () => {
  await mkdir(join(dir, "creds"));
  await writeAccount("a");
  const { output } = await startServer();
  const line = startLine(output);
  expect(line).toContain(`apiKey=${keyFingerprint("sk-life")}`);
  expect(line).not.toContain("sk-");
});
