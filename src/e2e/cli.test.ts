/** The command line contract (design.md): one-line errors with exit code 2, --version, --help. */
import { describe, expect, test } from "bun:test";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json";

const MAIN = join(import.meta.dir, "..", "main.ts");
async function run(...args: string[]) {
  const p = Bun.spawn([process.execPath, MAIN, ...args], { stdout: "pipe", stderr: "pipe", cwd: tmpdir() });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { stdout, stderr, code };
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
});
