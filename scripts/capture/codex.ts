/**
 * The Codex CLI (`codex exec`) against the capture server: a custom provider in a temporary CODEX_HOME's
 * config.toml, speaking the Responses wire, asked to run one shell command.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CAPTURE_KEY, type CaseResult, run, sandbox } from "./case";
import { installClient } from "./install";
import type { CaptureServer } from "./server";
import { Scrubber } from "./scrub";

const PROMPT = "Run `cat notes.txt` in the current directory and tell me the first line it prints.";

export async function captureCodex(server: CaptureServer, version: string): Promise<CaseResult[]> {
  const codex = await installClient("@openai/codex", version, "codex");
  const box = await sandbox();
  try {
    const codexHome = join(box.home, ".codex");
    await mkdir(codexHome, { recursive: true });
    await writeFile(
      join(codexHome, "config.toml"),
      [
        'model = "gpt-5.5"',
        'model_provider = "capture"',
        "",
        "[model_providers.capture]",
        'name = "capture"',
        `base_url = "${server.url}/v1"`,
        'env_key = "CAPTURE_API_KEY"',
        'wire_api = "responses"',
        "",
      ].join("\n"),
    );
    // Releases have named the shell tool differently; the first one the request declares is called.
    server.reset({
      tools: [
        { name: "exec_command", input: { cmd: "cat notes.txt" } },
        { name: "shell", input: { command: ["cat", "notes.txt"] } },
        { name: "shell_command", input: { command: "cat notes.txt" } },
      ],
    });
    console.log(`codex ${version} tool`);
    await run([codex, "exec", "--skip-git-repo-check", "--sandbox", "read-only", PROMPT], {
      cwd: box.project,
      env: box.env({ CODEX_HOME: codexHome, CAPTURE_API_KEY: CAPTURE_KEY, RUST_LOG: "error" }),
    });
    const scrubber = new Scrubber({ literals: box.literals });
    return [{ client: "codex", release: version, name: "tool", requests: server.reset({}).map((r) => scrubber.scrub(r)) }];
  } finally {
    await box.remove();
  }
}
