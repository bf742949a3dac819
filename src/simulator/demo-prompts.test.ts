import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { triggerOf } from "./demo-prompts";
import { DEMO_PROMPTS, KiroSimulator, LATE_2026_MODEL_IDS, type SimAccount } from "./simulator";
import { chatBody, eventsOf, restChat, tokenOf } from "./wire-kit";

let sim: KiroSimulator;
let alice: SimAccount;

beforeAll(async () => {
  sim = await KiroSimulator.start({ chunking: "random", models: LATE_2026_MODEL_IDS });
  alice = sim.addAccount({ name: "alice", authMethod: "social", usageLimit: 1e9 });
});
afterAll(() => sim.stop());

const tool = (name: string, properties: Record<string, unknown>, required: string[]) => ({
  toolSpecification: { name, description: name, inputSchema: { json: { type: "object", properties, required } } },
});
const CLAUDE_CODE_TOOLS = [
  tool("Bash", { command: { type: "string" }, timeout: { type: "number" } }, ["command"]),
  tool("Read", { file_path: { type: "string" }, offset: { type: "number" } }, ["file_path"]),
  tool("WebSearch", { query: { type: "string" } }, ["query"]),
];

/** One round trip; the text said and the tool calls made, reassembled from the frames. */
async function turn(content: string, opts: { modelId?: string; tools?: unknown[]; history?: unknown[]; results?: unknown[] } = {}) {
  const context = { tools: opts.tools ?? CLAUDE_CODE_TOOLS, ...(opts.results ? { toolResults: opts.results } : {}) };
  const res = await restChat(sim.url, tokenOf(alice), chatBody(content, { modelId: opts.modelId, context, history: opts.history }));
  expect(res.status).toBe(200);
  const list = await eventsOf(res);
  const said = list.filter(([t]) => t === "assistantResponseEvent").map(([, p]) => p.content).join("");
  const uses = list.filter(([t]) => t === "toolUseEvent").map(([, p]) => p);
  const calls = [...new Set(uses.map((u) => u.toolUseId))].map((id) => {
    const parts = uses.filter((u) => u.toolUseId === id);
    return { toolUseId: id as string, name: parts[0].name as string, input: JSON.parse(parts.map((p) => p.input).join("")), stopped: parts.at(-1).stop === true };
  });
  return { said, calls, list };
}

/** The request Claude Code sends next: the call in the history, its result in the current message. */
async function answerWith(prompt: string, call: { toolUseId: string; name: string; input: unknown }, result: string, tools?: unknown[]) {
  const history = [
    { userInputMessage: { content: prompt, modelId: "claude-sonnet-4.5", origin: "AI_EDITOR" } },
    { assistantResponseMessage: { content: `Calling ${call.name}.`, toolUses: [call] } },
  ];
  return turn("", { history, results: [{ toolUseId: call.toolUseId, content: [{ text: result }], status: "success" }], ...(tools ? { tools } : {}) });
}

describe("demo prompts (issue 12 item 6)", () => {
  test("DEMO_PROMPTS lists the four prompts, and each example triggers its prompt", () => {
    expect(DEMO_PROMPTS.map((p) => p.prompt)).toEqual([
      "Use your first tool.",
      "Read the file <path>",
      "Think before you answer: <question>",
      "Search the web for <query>",
    ]);
    expect(DEMO_PROMPTS.map((p) => triggerOf(p.example)?.kind)).toEqual(["first-tool", "read", "think", "search"]);
    // Only a line of its own counts, and the last one wins.
    expect(triggerOf("please read the file /etc/hostname now")).toBeUndefined();
    expect(triggerOf("<system-reminder>x</system-reminder>\nRead the file /a.txt\nSearch the web for cats")).toEqual({ kind: "search", query: "cats" });
  });

  test("'Read the file <path>' calls Read with that file_path, then answers from the file", async () => {
    const first = await turn("<system-reminder>context</system-reminder>\nRead the file /etc/hostname.");
    expect(first.calls).toEqual([{ toolUseId: expect.stringMatching(/^tooluse_/), name: "Read", input: { file_path: "/etc/hostname" }, stopped: true }]);
    const second = await answerWith("Read the file /etc/hostname", first.calls[0]!, "     1\tdemo-box\n");
    expect(second.calls).toEqual([]);
    expect(second.said).toBe("/etc/hostname begins:\n\n     1\tdemo-box\n");
  });

  test("'Use your first tool.' calls the first tool with its required inputs, then reports its answer", async () => {
    const first = await turn("Use your first tool.");
    expect(first.calls.map(({ name, input }) => ({ name, input }))).toEqual([{ name: "Bash", input: { command: "demo" } }]);
    const second = await answerWith("Use your first tool.", first.calls[0]!, "demo: command not found");
    expect(second.said).toBe("Bash answered:\n\ndemo: command not found");
  });

  test("'Search the web for <query>' calls the web search tool, then answers from the results", async () => {
    const first = await turn("Search the web for Bun Elysia");
    expect(first.calls.map(({ name, input }) => ({ name, input }))).toEqual([{ name: "WebSearch", input: { query: "Bun Elysia" } }]);
    const snake = await turn("Search the web for Bun Elysia", { tools: [tool("web_search", { query: { type: "string" } }, ["query"])] });
    expect(snake.calls[0]!.name).toBe("web_search");
    const second = await answerWith("Search the web for Bun Elysia", first.calls[0]!, "Elysia: ergonomic framework for Bun");
    expect(second.said).toBe('The web search for "Bun Elysia" found:\n\nElysia: ergonomic framework for Bun');
  });

  test("Codex: its shell tools read the file and run the first tool, and the answer is the command's output", async () => {
    const execCommand = tool("exec_command", { cmd: { type: "string" }, workdir: { type: "string" } }, ["cmd"]);
    const shell = tool("shell", { command: { type: "array", items: { type: "string" } } }, ["command"]);
    const codeMode = tool("functions__exec", { input: { type: "string", description: "The tool's whole input as raw text, not JSON." } }, ["input"]);
    const read = await turn("Read the file notes/it's.txt", { tools: [tool("view_image", { path: { type: "string" } }, ["path"]), execCommand] });
    expect(read.calls.map(({ name, input }) => ({ name, input }))).toEqual([{ name: "exec_command", input: { cmd: "cat 'notes/it'\\''s.txt'" } }]);
    const answered = await answerWith("Read the file notes/it's.txt", read.calls[0]!, "Chunk ID: 1\nProcess exited with code 0\nOutput:\nfirst line\nsecond line\n", [execCommand]);
    expect(answered.said).toBe("notes/it's.txt begins:\n\nfirst line\nsecond line\n");

    expect((await turn("Read the file /a.txt", { tools: [shell] })).calls[0]!.input).toEqual({ command: ["bash", "-lc", "cat /a.txt"] });
    const scripted = await turn("Read the file /a.txt", { tools: [codeMode, execCommand] });
    expect(scripted.calls[0]!.name).toBe("functions__exec");
    expect(scripted.calls[0]!.input.input).toStartWith('const r = await tools.exec_command({ cmd: "cat /a.txt" });\n');

    const first = await turn("Use your first tool.", { tools: [codeMode] });
    expect(first.calls[0]!.input.input).toContain('tools.exec_command({ cmd: "pwd" })');
    const reported = await answerWith("Use your first tool.", first.calls[0]!, "Script completed\nWall time 0.1 seconds\nOutput:\n\n/home/me/project\n", [codeMode]);
    expect(reported.said).toBe("functions__exec answered:\n\n/home/me/project\n");
  });

  test("a tool the client does not offer is not called", async () => {
    expect(await turn("Read the file /a", { tools: [] })).toMatchObject({ calls: [], said: "This client offers no Read tool and no shell tool, so I cannot read the file." });
    expect((await turn("Use your first tool.", { tools: [] })).said).toBe("No tool was offered, so there is no first tool to call.");
  });

  test("'Think before you answer:' reasons natively on a native model, inline on an older one", async () => {
    const native = await turn("Think before you answer: why is the sky blue?", { modelId: "claude-opus-4.8" });
    expect(native.list[0]![0]).toBe("reasoningContentEvent");
    expect(native.list.some(([, p]) => p?.signature)).toBe(true);
    expect(native.said).toBe('Having thought it over: you asked "why is the sky blue?". The Kiro simulator can think, but it does not know the answer.');
    const inline = await turn("Think before you answer: why is the sky blue?", { modelId: "claude-sonnet-4.5" });
    expect(inline.said).toStartWith("<thinking>\nThe user asks: why is the sky blue?");
    expect(inline.said).toContain("</thinking>\n\nHaving thought it over");
  });

  test("other prompts and other tool results keep the plain echo", async () => {
    expect((await turn("hello")).said).toBe("Hello from the Kiro simulator. You said: hello");
    const history = [
      { userInputMessage: { content: "run it", modelId: "claude-sonnet-4.5", origin: "AI_EDITOR" } },
      { assistantResponseMessage: { content: "ok", toolUses: [{ toolUseId: "t1", name: "Bash", input: { command: "ls" } }] } },
    ];
    const plain = await turn("", { history, results: [{ toolUseId: "t1", content: [{ text: "a" }], status: "success" }] });
    expect(plain.said).toBe("Hello from the Kiro simulator. Received 1 tool result(s). You said: ");
  });

  test("Claude Code's deferred WebSearch: fetched through ToolSearch first, then called, then answered from its results", async () => {
    const deferred = [tool("Bash", { command: { type: "string" } }, ["command"]), tool("ToolSearch", { query: { type: "string" } }, ["query"])];
    const prompt = "Search the web for Bun Elysia";
    const fetch = await turn(prompt, { tools: deferred });
    expect(fetch.calls.map((c) => [c.name, c.input])).toEqual([["ToolSearch", { query: "select:WebSearch" }]]);
    // ToolSearch answered: the client now offers WebSearch, and the model calls it.
    const call = await answerWith(prompt, fetch.calls[0]!, "<functions><function>{\"name\":\"WebSearch\"}</function></functions>", [...deferred, ...CLAUDE_CODE_TOOLS.slice(2)]);
    expect(call.calls.map((c) => [c.name, c.input])).toEqual([["WebSearch", { query: "Bun Elysia" }]]);
    // Its results come back two tool rounds after the prompt; the answer quotes them.
    const history = [
      { userInputMessage: { content: prompt, modelId: "claude-sonnet-4.5", origin: "AI_EDITOR" } },
      { assistantResponseMessage: { content: "Calling ToolSearch.", toolUses: [fetch.calls[0]] } },
      { userInputMessage: { content: "", modelId: "claude-sonnet-4.5", origin: "AI_EDITOR", userInputMessageContext: { toolResults: [{ toolUseId: fetch.calls[0]!.toolUseId, content: [{ text: "loaded" }], status: "success" }] } } },
      { assistantResponseMessage: { content: "Calling WebSearch.", toolUses: [call.calls[0]] } },
    ];
    const answer = await turn("", {
      history,
      tools: [...deferred, ...CLAUDE_CODE_TOOLS.slice(2)],
      results: [{ toolUseId: call.calls[0]!.toolUseId, content: [{ text: "Elysia: an ergonomic framework for Bun" }], status: "success" }],
    });
    expect(answer.said).toContain('The web search for "Bun Elysia" found:');
    expect(answer.said).toContain("Elysia: an ergonomic framework for Bun");
  });

});
