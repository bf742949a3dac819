/**
 * The real Codex CLI (`@openai/codex`, the registry's latest, installed outside the repository) as its users run it:
 * `codex exec` with a custom provider speaking the Responses wire to kiro-ts, in a temporary CODEX_HOME. In code
 * mode Codex declares its freeform `exec` tool (JavaScript that calls the other tools) in the `functions`
 * namespace of an `additional_tools` input item: the simulated model calls it, Codex runs the script — which runs
 * a shell command — and sends the output back, and the model answers. The demo's tool prompts, which the simulated
 * model answers by calling Codex's shell tools, make the same round trip. (Codex's default tool set is replayed from
 * the client corpus in replay.test.ts.)
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installClient, latestVersion } from "../../scripts/capture/install";
import { LATE_2026_MODEL_IDS } from "../simulator/catalog";
import { text, toolUse } from "../simulator/replies";
import { startGateway, type Gateway } from "./harness";

const MODEL = "gpt-5.6-sol";
const NOTES = "kiro-ts e2e notes\nsecond line\n";

let g: Gateway;
let codex: string;
let box: string;
beforeAll(async () => {
  codex = await installClient("@openai/codex", await latestVersion("@openai/codex"), "codex");
  g = await startGateway({ simulator: { models: LATE_2026_MODEL_IDS } });
  await g.services.models.refresh();
  box = await mkdtemp(join(tmpdir(), "kiro-codex-"));
}, 300_000);
afterAll(async () => {
  await g.stop();
  await rm(box, { recursive: true, force: true });
});

/** A CODEX_HOME whose config.toml points Codex at kiro-ts, as the README tells users to write it. */
async function codexHome(model = MODEL): Promise<string> {
  const home = join(box, `codex-home-${model}`);
  await mkdir(home, { recursive: true });
  await writeFile(
    join(home, "config.toml"),
    [
      `model = "${model}"`,
      'model_provider = "kiro"',
      "",
      "[model_providers.kiro]",
      'name = "kiro-ts"',
      `base_url = "${g.url}/v1"`,
      'env_key = "KIRO_TS_API_KEY"',
      'wire_api = "responses"',
      // One round trip, bounded: no retries of a failed request or stream.
      "request_max_retries = 0",
      "stream_max_retries = 0",
      "stream_idle_timeout_ms = 20000",
      "",
      "[features]",
      "code_mode = true",
      "",
    ].join("\n"),
  );
  return home;
}

/** `codex exec` with one prompt in `project`, its run bounded; its exit code and what it printed. */
async function codexExec(project: string, prompt: string, model = MODEL) {
  const proc = Bun.spawn([codex, "exec", "--skip-git-repo-check", "--sandbox", "read-only", prompt], {
    cwd: project,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: box, CODEX_HOME: await codexHome(model), KIRO_TS_API_KEY: g.apiKey, RUST_LOG: "error", NO_COLOR: "1" },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const killer = setTimeout(() => proc.kill(), 90_000);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(killer);
  return { out, failure: code === 0 ? null : `codex exited ${code}\nstdout:\n${out}\nstderr:\n${err}` };
}

const kiroTurns = () => g.sim.requests.filter((r) => r.path.endsWith("/generateAssistantResponse")).map((r) => (r.body as any).conversationState);

/** What the model writes into the freeform exec tool: a script that runs the shell tool and passes its output on. */
const SCRIPT = 'const r = await tools.exec_command({ cmd: "cat notes.txt" });\ntext(typeof r === "string" ? r : JSON.stringify(r));\n';

test("codex exec: the model calls the freeform exec tool, Codex runs it, sends the output back, and prints the answer", async () => {
  const project = join(box, "project");
  await mkdir(project, { recursive: true });
  await writeFile(join(project, "notes.txt"), NOTES);
  g.sim.clearRequests();
  g.sim.enqueue(toolUse({ name: "functions__exec", input: { input: SCRIPT } }));
  g.sim.enqueue(text("The first line is: kiro-ts e2e notes"));

  const { out, failure } = await codexExec(project, "Run `cat notes.txt` and tell me its first line.");
  expect(failure).toBeNull();
  expect(out).toContain("The first line is: kiro-ts e2e notes");

  const turns = kiroTurns();
  expect(turns).toHaveLength(2);
  const [first, second] = turns;
  expect(first.currentMessage.userInputMessage.modelId).toBe(MODEL);
  const exec = first.currentMessage.userInputMessage.userInputMessageContext.tools.find((t: any) => t.toolSpecification.name === "functions__exec");
  expect(exec?.toolSpecification.inputSchema.json.properties).toEqual({ input: expect.objectContaining({ type: "string" }) });
  // Codex sent its call back as it took it: the custom call of exec in the functions namespace, the script as is.
  expect(second.history.at(-1).assistantResponseMessage.toolUses).toEqual([expect.objectContaining({ name: "functions__exec", input: { input: SCRIPT } })]);
  const results = second.currentMessage.userInputMessage.userInputMessageContext.toolResults;
  expect(results).toHaveLength(1);
  expect(results[0].content[0].text).toContain("kiro-ts e2e notes");
}, 120_000);

test("the demo's tool prompts: 'Read the file' runs cat through Codex's exec tool, 'Use your first tool.' calls it with a script", async () => {
  const project = join(box, "demo");
  await mkdir(project, { recursive: true });
  await writeFile(join(project, "notes.txt"), NOTES);

  g.sim.clearRequests();
  const read = await codexExec(project, "Read the file notes.txt");
  expect(read.failure).toBeNull();
  expect(read.out).toContain("notes.txt begins:\n\nkiro-ts e2e notes\nsecond line");
  const [call, answer] = kiroTurns();
  expect(call.currentMessage.userInputMessage.content).toContain("Read the file notes.txt");
  const used = answer.history.at(-1).assistantResponseMessage.toolUses[0];
  expect(used.name).toBe("functions__exec");
  expect(used.input.input).toContain('tools.exec_command({ cmd: "cat notes.txt" })');

  g.sim.clearRequests();
  const first = await codexExec(project, "Use your first tool.");
  expect(first.failure).toBeNull();
  expect(first.out).toContain(`functions__exec answered:\n\n${project}`);
  expect(kiroTurns()).toHaveLength(2);
}, 200_000);
