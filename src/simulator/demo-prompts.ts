/**
 * Demo prompts: lines a newcomer types into Claude Code (or any client) in front of the simulator, so the
 * echo shows a tool loop instead of an echo. Each prompt must be a line of its own in the user's message
 * (case does not matter); the last such line counts. The exact prompts:
 *
 *   `Use your first tool.`                      calls the first tool the client offers, with its required inputs
 *                                               (a shell tool runs `pwd`, as Codex's first tool is one)
 *   `Read the file <path>`                      calls Claude Code's `Read` tool with `{"file_path":"<path>"}`, or,
 *                                               without one, the client's shell tool with `cat <path>` (Codex)
 *   `Think before you answer: <question>`       reasons first (native reasoning frames, or an inline `<thinking>`
 *                                               block for a model without native reasoning), then answers
 *   `Search the web for <query>`                calls the client's web search tool (`web_search`, or Claude
 *                                               Code's `WebSearch`) with `{"query":"<query>"}`
 *
 * When the next request carries the tool's result, the simulated model answers from that result. A tool the
 * client does not offer is not called: the answer says so (Codex's web search runs on OpenAI's side, which
 * kiro-ts leaves out, so Codex offers none).
 *
 * Codex's shell tools: `exec_command` (`{"cmd"}`), `shell_command` (`{"command"}` a string), `shell` (`{"command"}`
 * an argv), and in code mode the freeform `exec` of the `functions` namespace, whose raw input is JavaScript that
 * calls the others (`tools.exec_command(…)`) and returns its words with `text(…)`.
 */
import type { ModelFacts } from "./catalog";
import type { ModelFields } from "./model-fields";
import { nativeReasoning, type ReasoningSigner } from "./reasoning";
import { type StreamStep, textEvents, toolUseEvents } from "./replies";

export interface DemoPrompt {
  /** What to type (`<…>` is yours to fill in). */
  prompt: string;
  /** An example as a newcomer would type it. */
  example: string;
  /** What the simulated model does. */
  shows: string;
}

export const DEMO_PROMPTS: readonly DemoPrompt[] = [
  { prompt: "Use your first tool.", example: "Use your first tool.", shows: "calls the first tool the client offers, then answers from its result" },
  { prompt: "Read the file <path>", example: "Read the file /etc/hostname", shows: "calls the Read tool with that file_path (Codex: its shell tool with cat), then quotes the file" },
  { prompt: "Think before you answer: <question>", example: "Think before you answer: why is the sky blue?", shows: "thinks (a thinking block), then answers" },
  { prompt: "Search the web for <query>", example: "Search the web for Bun Elysia", shows: "calls web_search (WebSearch in Claude Code), then answers from the results" },
];

type Trigger =
  | { kind: "first-tool" }
  | { kind: "read"; path: string }
  | { kind: "think"; question: string }
  | { kind: "search"; query: string };

const PATTERNS: Array<[RegExp, (m: RegExpExecArray) => Trigger]> = [
  [/^[ \t]*use your first tool\.?[ \t]*$/gim, () => ({ kind: "first-tool" })],
  [/^[ \t]*read the file[ \t]+(\S+?)[.,;!?"']*[ \t]*$/gim, (m) => ({ kind: "read", path: m[1]! })],
  [/^[ \t]*think before you answer:?[ \t]*(.*?)[ \t]*$/gim, (m) => ({ kind: "think", question: m[1]! })],
  [/^[ \t]*search the web for[ \t]+(.+?)[.!?]*[ \t]*$/gim, (m) => ({ kind: "search", query: m[1]! })],
];

/** The demo prompt a text holds: the one on its last matching line. */
export function triggerOf(text: string): Trigger | undefined {
  let found: { at: number; trigger: Trigger } | undefined;
  for (const [pattern, make] of PATTERNS) {
    for (const m of text.matchAll(pattern)) {
      if (!found || m.index > found.at) found = { at: m.index, trigger: make(m) };
    }
  }
  return found?.trigger;
}

/** The demo's answer to this request, or undefined when it is no demo prompt (nor the result of one). */
export function demoReply(body: unknown, facts: ModelFacts, fields: ModelFields | undefined, signer: ReasoningSigner | undefined): StreamStep[] | undefined {
  const turn = readTurn(body);
  if (turn.results.length > 0) return answerFromResult(turn);
  const trigger = triggerOf(turn.content);
  if (!trigger) return undefined;
  switch (trigger.kind) {
    case "first-tool": {
      const tool = turn.tools[0];
      if (!tool) return say("No tool was offered, so there is no first tool to call.");
      const shell = shellCall(tool, "pwd");
      return shell ? callTool(tool.name, shell) : callTool(tool.name, inputFor(tool.schema));
    }
    case "read": {
      if (turn.tools.some((t) => t.name === "Read")) return callTool("Read", { file_path: trigger.path });
      const command = `cat ${shellQuoted(trigger.path)}`;
      const shell = turn.tools.map((t) => ({ name: t.name, input: shellCall(t, command) })).find((c) => c.input !== undefined);
      return shell ? callTool(shell.name, shell.input!) : say("This client offers no Read tool and no shell tool, so I cannot read the file.");
    }
    case "search":
      return search(turn, trigger.query);
    case "think":
      return think(trigger.question, facts, fields, signer);
  }
}

function think(question: string, facts: ModelFacts, fields: ModelFields | undefined, signer: ReasoningSigner | undefined): StreamStep[] {
  const asked = question || "your question";
  const thought = `The user asks: ${asked}. I think it through step by step before I answer.`;
  const answer = `Having thought it over: you asked "${asked}". The Kiro simulator can think, but it does not know the answer.`;
  // The demo asks for thinking, so a native model reasons as it does when the client turns thinking on.
  const on: ModelFields = { ...fields, thinkingType: "adaptive", reasoningEffort: "medium" };
  const native = signer ? nativeReasoning(facts, on, thought, signer) : { before: [], after: [] };
  if (native.before.length + native.after.length === 0) return textEvents(`<thinking>\n${thought}\n</thinking>\n\n${answer}`);
  return [...native.before, ...textEvents(answer), ...native.after];
}

/**
 * Calls the client's web search tool. Claude Code defers WebSearch (it lists it by name only, behind ToolSearch):
 * then the tool is fetched first, and called once the client offers it.
 */
function search(turn: CurrentTurn, query: string): StreamStep[] {
  const tool = turn.tools.find((t) => t.name.toLowerCase().replaceAll("_", "") === "websearch");
  if (tool) return callTool(tool.name, { query });
  if (turn.tools.some((t) => t.name === "ToolSearch") && !turn.previousToolUses.some((u) => u.name === "ToolSearch")) {
    return callTool("ToolSearch", { query: "select:WebSearch" });
  }
  return say("This client offers no web search tool.");
}

function answerFromResult(turn: CurrentTurn): StreamStep[] | undefined {
  const asked = triggerOf(turn.askedContent);
  if (!asked || asked.kind === "think") return undefined;
  const result = turn.results.find((r) => turn.previousToolUses.some((u) => u.toolUseId === r.toolUseId));
  if (!result) return undefined;
  const tool = turn.previousToolUses.find((u) => u.toolUseId === result.toolUseId)!.name;
  const output = commandOutput(result.text);
  const excerpt = output.length > 400 ? `${output.slice(0, 400)}…` : output;
  if (result.status === "error") return say(`${tool} failed: ${excerpt}`);
  if (asked.kind === "search" && tool === "ToolSearch") return search(turn, asked.query);
  switch (asked.kind) {
    case "read":
      return say(`${asked.path} begins:\n\n${excerpt.split("\n").slice(0, 5).join("\n")}`);
    case "search":
      return say(`The web search for "${asked.query}" found:\n\n${excerpt}`);
    case "first-tool":
      return say(`${tool} answered:\n\n${excerpt}`);
  }
}

const say = (text: string): StreamStep[] => textEvents(text);

const callTool = (name: string, input: Record<string, unknown>): StreamStep[] => [
  ...textEvents(`Calling ${name}.`),
  ...toolUseEvents({ name, input }),
];

/** A tool's input that runs `command` when the tool is one of Codex's shell tools (see the header); else undefined. */
function shellCall(tool: { name: string; schema: unknown }, command: string): Record<string, unknown> | undefined {
  const s = isObject(tool.schema) ? tool.schema : {};
  const properties = isObject(s.properties) ? s.properties : {};
  const type = (name: string) => (isObject(properties[name]) ? properties[name].type : undefined);
  // Namespaced tools travel as `namespace__name`.
  const name = tool.name.split("__").at(-1);
  if (name === "exec_command" && type("cmd") === "string") return { cmd: command };
  if (name === "shell_command" && type("command") === "string") return { command };
  if (name === "shell" && type("command") === "array") return { command: ["bash", "-lc", command] };
  if (name === "exec" && type("input") === "string" && Object.keys(properties).length === 1) {
    // exec_command gives the script an object whose `output` is what the command printed.
    const script = `const r = await tools.exec_command({ cmd: ${JSON.stringify(command)} });\ntext(typeof r === "string" ? r : (r.output ?? JSON.stringify(r)));\n`;
    return { input: script };
  }
  return undefined;
}

const shellQuoted = (path: string) => (/^[\w./~-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`);

/** What a command printed: Codex's shell tools report the exit code and wall time first, then "Output:" and the output. */
function commandOutput(result: string): string {
  const at = result.search(/^Output:\n/m);
  return at < 0 ? result : result.slice(at + "Output:\n".length).replace(/^\n/, "");
}

/** Inputs for a tool's required members, by their declared type. */
function inputFor(schema: unknown): Record<string, unknown> {
  const s = isObject(schema) ? schema : {};
  const properties = isObject(s.properties) ? s.properties : {};
  const required = Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === "string") : [];
  const sample = (p: unknown): unknown => {
    const type = isObject(p) ? p.type : undefined;
    if (isObject(p) && Array.isArray(p.enum) && p.enum.length > 0) return p.enum[0];
    if (type === "integer" || type === "number") return 1;
    if (type === "boolean") return true;
    if (type === "array") return [];
    if (type === "object") return {};
    return "demo";
  };
  return Object.fromEntries(required.map((name) => [name, sample(properties[name])]));
}

// ---- reading the request ------------------------------------------------------------------------

interface CurrentTurn {
  content: string;
  tools: Array<{ name: string; schema: unknown }>;
  results: Array<{ toolUseId: string; text: string; status: unknown }>;
  previousToolUses: Array<{ toolUseId: string; name: string }>;
  /** The user message that began this exchange (before its tool rounds: a tool may have been fetched first). */
  askedContent: string;
}

function readTurn(body: unknown): CurrentTurn {
  const state = isObject(body) && isObject(body.conversationState) ? body.conversationState : {};
  const current = isObject(state.currentMessage) && isObject(state.currentMessage.userInputMessage) ? state.currentMessage.userInputMessage : {};
  const context = isObject(current.userInputMessageContext) ? current.userInputMessageContext : {};
  const history = Array.isArray(state.history) ? state.history : [];
  const assistant = at(history, -1, "assistantResponseMessage");
  // Back through the tool rounds of this exchange to the message that asked.
  const asking = history
    .flatMap((h) => (isObject(h) && isObject(h.userInputMessage) ? [h.userInputMessage] : []))
    .findLast((u) => !(isObject(u.userInputMessageContext) && list(u.userInputMessageContext.toolResults).length > 0));
  return {
    content: typeof current.content === "string" ? current.content : "",
    tools: list(context.tools).flatMap((t) => {
      const spec = isObject(t.toolSpecification) ? t.toolSpecification : undefined;
      return spec && typeof spec.name === "string" ? [{ name: spec.name, schema: isObject(spec.inputSchema) ? spec.inputSchema.json : undefined }] : [];
    }),
    results: list(context.toolResults).map((r) => ({
      toolUseId: String(r.toolUseId),
      text: list(r.content).map((c) => (typeof c.text === "string" ? c.text : JSON.stringify(c.json))).join("\n"),
      status: r.status,
    })),
    previousToolUses: list(assistant?.toolUses).map((u) => ({ toolUseId: String(u.toolUseId), name: String(u.name) })),
    askedContent: typeof asking?.content === "string" ? asking.content : "",
  };
}

function at(history: unknown[], index: number, key: string): Record<string, unknown> | undefined {
  const entry = history.at(index);
  return isObject(entry) && isObject(entry[key]) ? entry[key] : undefined;
}

function list(v: unknown): Array<Record<string, unknown>> {
  return Array.isArray(v) ? v.filter(isObject) : [];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
