/**
 * What one client run leaves behind, and the sandbox it runs in: a fresh temporary folder with its own HOME, a
 * project folder holding the files the prompts mention, and a TMPDIR, so nothing of this machine's user shows.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Captured } from "./server";

export interface CaseResult {
  /** "claude-code", "codex", "anthropic-sdk", "openai-sdk" */
  client: string;
  release: string;
  /** Kebab-case name of what the run did ("tool", "image", …). */
  name: string;
  requests: Captured[];
}

/** The API key every client is given; it is replaced in what is committed all the same. */
export const CAPTURE_KEY = "sk-capture-0000000000000000";

/** A 1×1 PNG, for prompts with an image. */
export const PIXEL_PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

export const NOTES = "kiro-ts capture notes\nThe first line above is what the client should report.\n";

export interface Sandbox {
  root: string;
  home: string;
  project: string;
  tmp: string;
  /** What replaces the sandbox's paths and the key in the committed files. */
  literals: Record<string, string>;
  /** The environment a client runs with: nothing of this process's own but PATH. */
  env(extra: Record<string, string>): Record<string, string>;
  remove(): Promise<void>;
}

export async function sandbox(): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), "kiro-capture-"));
  const home = join(root, "home");
  const project = join(home, "project");
  const tmp = join(root, "tmp");
  await mkdir(project, { recursive: true });
  await mkdir(tmp, { recursive: true });
  await writeFile(join(project, "notes.txt"), NOTES);
  await writeFile(join(project, "pixel.png"), Buffer.from(PIXEL_PNG, "base64"));
  return {
    root,
    home,
    project,
    tmp,
    // Claude Code also names a project by its path with "/" turned to "-".
    literals: { [project.replaceAll("/", "-")]: "-home-user-project", [project]: "/home/user/project", [home]: "/home/user", [tmp]: "/tmp/capture", [root]: "/tmp/capture-root", [CAPTURE_KEY]: "REDACTED" },
    env: (extra) => ({ PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, TMPDIR: tmp, LANG: "C.UTF-8", TERM: "dumb", ...extra }),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** Runs a client command to its end (or kills it after `timeoutMs`); its output is shown when it fails. */
export async function run(cmd: string[], opts: { cwd: string; env: Record<string, string>; stdin?: string; timeoutMs?: number }): Promise<void> {
  const proc = Bun.spawn(cmd, { cwd: opts.cwd, env: opts.env, stdin: opts.stdin === undefined ? "ignore" : "pipe", stdout: "pipe", stderr: "pipe" });
  // A pipe written and closed, rather than a Blob: some releases read nothing from a Blob given as stdin.
  if (opts.stdin !== undefined) {
    proc.stdin!.write(opts.stdin);
    await proc.stdin!.end();
  }
  const timer = setTimeout(() => proc.kill(), opts.timeoutMs ?? 180_000);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  if (code !== 0) console.warn(`  ${cmd.slice(1).join(" ").slice(0, 80)} exited ${code}\n${(out + err).slice(-1500)}`);
}
