/**
 * Claude Code (`claude -p`) against the capture server, one sandbox per case: a tool round trip with the
 * release's own thinking default, the same with thinking switched off, a fixed thinking budget, and an image.
 */
import { join } from "node:path";
import { CAPTURE_KEY, type CaseResult, PIXEL_PNG, run, sandbox } from "./case";
import { installClient } from "./install";
import type { CaptureServer, Plan } from "./server";
import { Scrubber } from "./scrub";

interface ClaudeCase {
  name: string;
  prompt: string;
  env?: Record<string, string>;
  args?: string[];
  /** Sent as a stream-json user message with the image, instead of a plain prompt. */
  image?: boolean;
  plan: (project: string) => Plan;
}

const READ_NOTES = "Use the Read tool to read notes.txt in the current directory, then tell me its first line.";
const readNotes = (project: string): Plan => ({ tools: [{ name: "Read", input: { file_path: join(project, "notes.txt") } }] });

const CASES: ClaudeCase[] = [
  { name: "tool", prompt: READ_NOTES, plan: readNotes },
  { name: "tool-thinking-off", prompt: READ_NOTES, env: { CLAUDE_CODE_DISABLE_THINKING: "1", MAX_THINKING_TOKENS: "0" }, plan: readNotes },
  {
    name: "thinking-budget",
    prompt: "In one sentence: why is the sky blue?",
    env: { CLAUDE_CODE_DISABLE_ADAPTIVE_THINKING: "1", MAX_THINKING_TOKENS: "4096" },
    // The default model of current releases thinks adaptively whatever the settings: a budget needs an older one.
    args: ["--model", "claude-sonnet-4-5-20250929"],
    plan: () => ({}),
  },
  { name: "image", prompt: "What colour is this image? Answer in one word.", image: true, plan: () => ({}) },
];

export async function captureClaudeCode(server: CaptureServer, version: string): Promise<CaseResult[]> {
  const claude = await installClient("@anthropic-ai/claude-code", version, "claude");
  const results: CaseResult[] = [];
  for (const c of CASES) {
    const box = await sandbox();
    try {
      server.reset(c.plan(box.project));
      const env = box.env({
        ANTHROPIC_BASE_URL: server.url,
        ANTHROPIC_API_KEY: CAPTURE_KEY,
        DISABLE_TELEMETRY: "1",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        DISABLE_AUTOUPDATER: "1",
        ...c.env,
      });
      const args = c.image
        ? ["-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose"]
        : ["-p", c.prompt, "--allowedTools", "Read", ...(c.args ?? [])];
      const stdin = c.image
        ? JSON.stringify({
            type: "user",
            message: {
              role: "user",
              content: [
                { type: "text", text: c.prompt },
                { type: "image", source: { type: "base64", media_type: "image/png", data: PIXEL_PNG } },
              ],
            },
          }) + "\n"
        : undefined;
      console.log(`claude-code ${version} ${c.name}`);
      await run([claude, ...args], { cwd: box.project, env, stdin });
      const scrubber = new Scrubber({ literals: box.literals });
      results.push({ client: "claude-code", release: version, name: c.name, requests: server.reset({}).map((r) => scrubber.scrub(r)) });
    } finally {
      await box.remove();
    }
  }
  return results;
}
