/** The command line contract (design.md): one-line errors with exit code 2, --version, --help. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Server } from "bun";
import { mkdir, mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json";

const MAIN = join(import.meta.dir, "..", "main.ts");
const ENV = { ...process.env, KIRO_API_KEY: "" };
async function run(...args: string[]) {
  return runWith({}, ...args);
}
async function runWith(env: Record<string, string>, ...args: string[]) {
  const p = Bun.spawn([process.execPath, MAIN, ...args], { stdout: "pipe", stderr: "pipe", cwd: tmpdir(), env: { ...ENV, ...env } });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { stdout, stderr, code };
}

/** Starts the server, waits for a line of stderr matching `until`, stops it; returns stderr up to then. */
async function stderrUntil(until: RegExp, ...args: string[]): Promise<string> {
  const p = Bun.spawn([process.execPath, MAIN, ...args], { stdout: "ignore", stderr: "pipe", cwd: tmpdir(), env: ENV });
  const decoder = new TextDecoder();
  let text = "";
  try {
    for await (const chunk of p.stderr) {
      text += decoder.decode(chunk, { stream: true });
      if (until.test(text)) break;
    }
  } finally {
    p.kill("SIGKILL");
    await p.exited;
  }
  return text;
}

async function configFile(config: Record<string, unknown>): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), "kiro-cli-"));
  const path = join(dir, "config.json");
  await writeFile(path, JSON.stringify({ apiKey: "sk-cli-test-key", adminApiKey: "admin-cli-test-key", ...config }));
  return { dir, path };
}

describe("kiro-ts command line", () => {
  test("--version and --help", async () => {
    expect(await run("--version")).toEqual({ stdout: `kiro-ts ${pkg.version}\n`, stderr: "", code: 0 });
    const help = await run("--help");
    expect(help.code).toBe(0);
    for (const word of ["--config", "--credentials", "demo", "--version"]) expect(help.stdout).toContain(word);
  });

  test.each([
    [["--bogus"], "kiro-ts: unknown option --bogus (see kiro-ts --help)\n"],
    [["serve", "now"], 'kiro-ts: unknown command "serve now" (see kiro-ts --help)\n'],
    [["--port", "9000"], 'kiro-ts: --port and --host belong to demo; set "port" and "host" in config.json\n'],
    [["demo", "--port", "http"], 'kiro-ts: --port must be a port number, got "http"\n'],
  ])("%j: one line on stderr, exit code 2", async (args, message) => {
    expect(await run(...args)).toEqual({ stdout: "", stderr: message, code: 2 });
  });

  test("a missing or bad config file: one line naming it, exit code 2", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kiro-cli-"));
    const missing = await run("-c", join(dir, "nope.json"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`kiro-ts: ${join(dir, "nope.json")}: no such file (pass -c FILE, or run "kiro-ts demo" to try kiro-ts without one)\n`);
    await writeFile(join(dir, "config.json"), JSON.stringify({ port: 8080 }));
    const noKey = await run("--config", join(dir, "config.json"));
    expect(noKey.code).toBe(2);
    expect(noKey.stderr.trim().split("\n")).toHaveLength(1);
    expect(noKey.stderr).toContain('"apiKey" is required');
  });

  test("config.json with a JSON syntax error: one line with its line and column, exit code 2", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kiro-cli-"));
    const path = join(dir, "config.json");
    await writeFile(path, '{\n  "apiKey": "sk-cli-test-key",\n  "port": 8990,\n}\n');
    expect(await run("-c", path)).toEqual({ stdout: "", stderr: `kiro-ts: ${path}: not valid JSON at line 3, column 15: a comma before "}" (JSON allows none)\n`, code: 2 });
  });

  test("a credentialsDir that does not exist is named in the warnings", async () => {
    const { dir, path } = await configFile({ port: 0, credentialsDir: "accounts" });
    const stderr = await stderrUntil(/no usable Kiro account/, "-c", path);
    expect(stderr).toContain(`credentialsDir ${join(dir, "accounts")} did not exist: created it, empty (is "credentialsDir" in ${path} right?)`);
    expect(stderr).toContain(`no usable Kiro account in credentialsDir ${join(dir, "accounts")}: requests will fail until one is added`);
  });
});

describe("a port already in use (kiro-rs and the demo both default to 8990)", () => {
  let taken: Server<unknown>;
  beforeAll(() => {
    taken = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("someone else") });
  });
  afterAll(() => taken.stop(true));

  test("serving: one line naming the port and the setting to change, exit code 2", async () => {
    const { dir, path } = await configFile({ port: taken.port, credentialsDir: "accounts" });
    await mkdir(join(dir, "accounts"));
    expect(await run("-c", path)).toEqual({
      stdout: "",
      stderr: `kiro-ts: cannot listen on 127.0.0.1:${taken.port}: port ${taken.port} is in use by another program (another kiro-ts, or kiro-rs?); stop it, or set "port" in ${join(dir, "config.json")}\n`,
      code: 2,
    });
  });

  test("the demo: one line, exit code 2, and no folder of demo credentials left behind", async () => {
    const scratch = await mkdtemp(join(tmpdir(), "kiro-cli-tmp-"));
    const demo = await runWith({ TMPDIR: scratch }, "demo", "--port", String(taken.port));
    expect(demo.stderr).toBe(`kiro-ts: cannot listen on 127.0.0.1:${taken.port}: port ${taken.port} is in use by another program (another kiro-ts, or kiro-rs?); stop it, or pass --port N\n`);
    expect(demo.code).toBe(2);
    expect(await readdir(scratch)).toEqual([]);
  });
});
