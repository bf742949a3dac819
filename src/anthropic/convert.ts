/**
 * Anthropic Messages request → Kiro conversationState (kiro-protocol.md §3, kiro.rs rules). Kiro validates the
 * shape of a conversation strictly and answers "Improperly formed request" without saying why, so besides
 * translating, this module repairs what clients routinely send: merged same-role turns, a history that alternates
 * user/assistant, tool uses and tool results that answer each other one to one, every tool in history declared,
 * tool names and descriptions within Kiro's limits. Block shapes the schema only checks loosely are validated here,
 * so a client learns which block is wrong.
 */
import { GatewayError } from "../errors";
import { narrowJson } from "../http/narrow-json";
import { type JsonPiece, type Verbatim, type VerbatimPaths, verbatimOf } from "../http/verbatim";
import { keepFromFtl } from "../jit";
import { isNative, type KiroModel, type ModelTable, resolveModel } from "../kiro/models";
import type {
  KiroCachePoint,
  KiroConversationState,
  KiroHistoryMessage,
  KiroImage,
  KiroImageFormat,
  KiroReasoningContent,
  KiroToolResult,
  KiroToolSpecification,
  KiroToolUse,
  KiroUserInputMessage,
} from "../kiro/types";
import { modelRequestFields } from "./model-fields";
import type { MessageParam, MessagesRequest, ToolParam } from "./schemas";
import { SYNTHETIC_SIGNATURE } from "./stream";

export interface ConvertedRequest {
  /** profileArn is not set here: it belongs to the account that ends up serving the request. */
  conversationState: KiroConversationState;
  /** The model as the client asked for it, echoed back in responses. */
  model: string;
  kiroModelId: string;
  /** The client's model in Kiro's spelling: another model serves it when this differs from kiroModelId (§7). */
  asked: string;
  contextWindow: number;
  /** The model reasons natively (§3): its effort and thinking travel in `fields`, never as inline tags. */
  native: boolean;
  /** `additionalModelRequestFields`, when the model takes them (§2). */
  fields?: Record<string, unknown>;
  /** The reply may hold a `<thinking>` section to be split out (until native reasoning frames arrive). */
  thinking: boolean;
  /** Shortened tool name → the client's name; only names that were shortened are listed. */
  toolNames: Map<string, string>;
}

/** A client turn after block mapping, before it becomes a Kiro message. */
export interface UserTurn {
  role: "user";
  text: string;
  images: KiroImage[];
  toolResults: KiroToolResult[];
  /** The client marked this message for caching (§4.3). */
  cached?: boolean;
  /** A cachePoint goes with this message (§4.3). */
  cachePoint?: boolean;
}

export interface AssistantTurn {
  role: "assistant";
  content: string;
  toolUses: KiroToolUse[];
  /** Signed reasoning to replay (§3.2): the last signed block of the message. */
  reasoning?: KiroReasoningContent;
  /** The client marked this message for caching (§4.3). */
  cached?: boolean;
  /** A cachePoint goes with this message (§4.3). */
  cachePoint?: boolean;
}

export type Turn = UserTurn | AssistantTurn;

/** Maps a client tool name to the name Kiro sees. */
export interface ToolNamer {
  kiroName(name: string): string;
}

/**
 * The tool names of one conversion, remembering each shortened one's original (the reply's tool calls are named back).
 * An object with a method, not a closure made per request (src/jit.ts says why).
 */
class ToolNames implements ToolNamer {
  readonly originals = new Map<string, string>();

  kiroName(name: string): string {
    const short = shortenToolName(name);
    if (short !== name) this.originals.set(short, name);
    return short;
  }
}

export interface ConvertOptions {
  /** Wins over the one derived from `metadata.user_id`. */
  conversationId?: string;
  /** The model table the request is routed by (the account's catalog; the built-in one by default). */
  models?: ModelTable;
  /** The client asked for the 1M window (the context-1m beta; `[1m]` in the name says so itself). */
  oneM?: boolean;
  /** Send max_tokens to a native model, clamped to its range (config kiroMaxTokens). */
  sendMaxTokens?: boolean;
  /** Turn cache_control into cachePoint markers (config kiroCachePoints, §4.3). */
  cachePoints?: boolean;
}

/**
 * The strings of a Messages request that reach Kiro as they are, or only joined with others: message texts, tool
 * results. The body reader may keep them as the client's escaped text (http/verbatim.ts); the rest of the request
 * — system prompt, tools, signatures, ids — is read as usual, since conversion looks into it.
 */
export const PASSED_THROUGH: VerbatimPaths = [
  ["messages", "*", "content"],
  ["messages", "*", "content", "*", "text"],
  ["messages", "*", "content", "*", "content"],
  ["messages", "*", "content", "*", "content", "*", "text"],
];

/**
 * Converts a validated Messages request. Throws GatewayError("invalid_request") naming the model or the block that
 * Kiro cannot take.
 */
export function convertRequest(req: MessagesRequest, opts: ConvertOptions = {}): ConvertedRequest {
  const { kiroId, contextWindow, model, asked } = resolveModel(req.model, opts.models, { oneM: opts.oneM });
  const native = isNative(model);
  // §3.3: a native model is never sent the inline tags; the others keep them.
  const prefix = native ? undefined : thinkingPrefix(req);
  const fields = native && model.fieldsSchema ? modelRequestFields(model.fieldsSchema, req, { sendMaxTokens: opts.sendMaxTokens ?? false }) : undefined;

  const names = new ToolNames();
  const { earlier, current } = splitCurrentMessage(req.messages, names, native);
  const paired = pairToolUses(buildHistory(systemPrompt(req.system, prefix), mergeTurns(earlier)), current);
  // tool_choice "none": the model is offered no tool (those the history used are still declared, as Kiro requires).
  const offered = isObject(req.tool_choice) && req.tool_choice.type === "none" ? [] : (req.tools ?? []);
  const tools: Array<KiroToolSpecification | KiroCachePoint> = mapTools(offered, names);
  tools.push(...historyToolPlaceholders(paired.history, tools as KiroToolSpecification[]));
  paired.current.text = withToolChoice(paired.current.text, req.tool_choice, names);
  if (opts.cachePoints && model.caching) markCachePoints(req, paired.history, tools, model.caching);

  const conversationState: KiroConversationState = {
    agentContinuationId: crypto.randomUUID(),
    agentTaskType: "vibe",
    chatTriggerType: "MANUAL",
    conversationId: opts.conversationId ?? sessionIdOf(req.metadata?.user_id) ?? crypto.randomUUID(),
    currentMessage: { userInputMessage: currentUserInput(paired.current, kiroId, tools) },
  };
  if (paired.history.length > 0) {
    const history: KiroHistoryMessage[] = [];
    for (const turn of paired.history) history.push(toKiroMessage(turn, kiroId));
    conversationState.history = history;
  }

  return {
    conversationState,
    model: req.model,
    kiroModelId: kiroId,
    asked,
    contextWindow,
    native,
    ...(fields ? { fields } : {}),
    thinking: prefix !== undefined || (native && thinkingAsked(req)),
    toolNames: names.originals,
  };
}

/** The client wants to see reasoning: thinking on, or a `-thinking` model name. */
const thinkingAsked = (req: Pick<MessagesRequest, "model" | "thinking">) =>
  req.thinking?.type === "enabled" || req.thinking?.type === "adaptive" || (req.thinking === undefined && req.model.toLowerCase().includes("thinking"));

/** The conversation without any replayed reasoning: what is sent once more after THINKING_SIGNATURE_INVALID (§3.2). */
export function withoutReasoning(state: KiroConversationState): KiroConversationState | undefined {
  if (!state.history?.some(replaysReasoning)) return undefined;
  return { ...state, history: state.history.map(withoutReasoningContent) };
}

// Made once, not per call: every request asks them of its whole history (src/jit.ts says why).
const replaysReasoning = (m: KiroHistoryMessage): m is Extract<KiroHistoryMessage, { assistantResponseMessage: unknown }> =>
  "assistantResponseMessage" in m && m.assistantResponseMessage.reasoningContent !== undefined;
const withoutReasoningContent = (m: KiroHistoryMessage): KiroHistoryMessage => {
  if (!replaysReasoning(m)) return m;
  const { reasoningContent: _dropped, ...rest } = m.assistantResponseMessage;
  return { assistantResponseMessage: rest };
};

/**
 * tool_choice "any" or "tool" (Anthropic: the model must call a tool, or that tool): Kiro has no such switch, so the
 * demand travels as an instruction with the user's turn — honoured as far as the model follows it, never ignored.
 */
function withToolChoice(text: string, choice: unknown, names: ToolNamer): string {
  if (!isObject(choice)) return text;
  const demand =
    choice.type === "any"
      ? "Answer by calling one of the available tools."
      : choice.type === "tool" && typeof choice.name === "string"
        ? `Answer by calling the tool ${names.kiroName(choice.name)}.`
        : undefined;
  return demand === undefined ? text : [text, `(${demand})`].filter((t) => t !== "").join("\n\n");
}

/* ---- Prompt caching ---- */

const CACHE_POINT = { type: "default" } as const;
const CHARS_PER_TOKEN = 4;

/**
 * cache_control → Kiro's cachePoint markers (§4.3): after a marked tool in the tools array, on a marked message (the
 * system prompt's is the opening user turn that carries it). Only the first `maxCheckpoints` that close a prefix of
 * at least `minTokens` (estimated) are kept, as the catalog allows.
 */
function markCachePoints(req: MessagesRequest, history: Turn[], tools: Array<KiroToolSpecification | KiroCachePoint>, limits: NonNullable<KiroModel["caching"]>): void {
  let budget = limits.maxCheckpoints;
  let chars = 0;
  const table = verbatimOf(req);
  const length = (text: string) => (table ? table.lengthOf(text) : text.length);
  // The prefix is measured only until it reaches the minimum: past it, every marked point is long enough (a Claude
  // Code request's tools reach it by the second, and writing each tool's JSON only to count it cost ~35 µs).
  const reached = () => chars / CHARS_PER_TOKEN >= limits.minTokens;
  const worth = () => budget > 0 && reached();
  const marked = new Set((req.tools ?? []).filter((t) => isObject((t as { cache_control?: unknown }).cache_control)).map((t) => shortenToolName(t.name)));
  for (let i = 0; i < tools.length; i++) {
    const tool = tools[i]!;
    if (!("toolSpecification" in tool)) continue;
    if (!reached()) chars += JSON.stringify(tool).length;
    if (marked.has(tool.toolSpecification.name) && worth()) {
      tools.splice(++i, 0, { cachePoint: CACHE_POINT });
      budget--;
    }
  }
  const systemMarked = Array.isArray(req.system) && req.system.some((b) => isObject((b as { cache_control?: unknown }).cache_control));
  for (const [i, turn] of history.entries()) {
    if (!reached()) chars += length(turn.role === "user" ? turn.text : turn.content);
    if ((turn.cached || (i === 0 && systemMarked)) && worth()) {
      turn.cachePoint = true;
      budget--;
    }
  }
}

/**
 * The conversation as the JSON Kiro receives, in pieces written one after the other, with the client's own text of
 * the strings the body reader kept (`verbatim`). A lone UTF-16 surrogate (half an emoji, cut by a client that split a string by code units) becomes
 * U+FFFD: it carries nothing, and Kiro's side need not guess what it was (a kept string holds none).
 */
export function conversationJson(state: KiroConversationState, verbatim?: Verbatim): JsonPiece[] {
  // A large body with text past ASCII is written with its strings past Latin-1 apart (http/narrow-json.ts says why).
  if (!verbatim?.wideRest) return wellFormed(JSON.stringify(state), verbatim);
  const pieces: JsonPiece[] = [];
  for (const json of narrowJson(state)) pieces.push(...wellFormed(json, verbatim));
  return pieces;
}

function wellFormed(json: string, verbatim: Verbatim | undefined): JsonPiece[] {
  // The replacement scans a megabyte body for 2.5 ms; a plain search that finds no "\ud" at all takes 0.03 ms.
  // JSON.stringify writes a well-formed pair as is and a lone surrogate as a \udXXX escape; a run of backslashes
  // before "u" is an escape only when it has odd length.
  const text = json.includes("\\ud") ? json.replace(/(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/g, "$1\\ufffd") : json;
  return verbatim ? verbatim.splice(text) : [text];
}

/* ---- System prompt and thinking ---- */

const DEFAULT_THINKING_BUDGET = 20_000;
const MIN_THINKING_BUDGET = 1_024;
const MAX_THINKING_BUDGET = 24_576;

/**
 * The pseudo-XML that switches on Kiro's inline `<thinking>` (§3.9), or undefined when thinking is off. A model
 * name containing "thinking" turns it on even when the request does not.
 */
export function thinkingPrefix(req: Pick<MessagesRequest, "model" | "thinking" | "output_config">): string | undefined {
  const type = req.thinking?.type;
  if (type === "enabled") return enabledPrefix(req.thinking?.budget_tokens ?? DEFAULT_THINKING_BUDGET);
  if (type === "adaptive") return adaptivePrefix(effortOf(req));
  const model = req.model.toLowerCase();
  if (!model.includes("thinking")) return undefined;
  // Opus 4.6 and later think adaptively; a fixed budget is the older models' switch.
  const adaptiveOpus = model.includes("opus") && ["4-6", "4.6", "4-7", "4.7"].some((v) => model.includes(v));
  return adaptiveOpus ? adaptivePrefix(effortOf(req)) : enabledPrefix(DEFAULT_THINKING_BUDGET);
}

function enabledPrefix(budget: number): string {
  const clamped = Math.min(MAX_THINKING_BUDGET, Math.max(MIN_THINKING_BUDGET, budget));
  return `<thinking_mode>enabled</thinking_mode><max_thinking_length>${clamped}</max_thinking_length>`;
}

const adaptivePrefix = (effort: string) =>
  `<thinking_mode>adaptive</thinking_mode><thinking_effort>${effort}</thinking_effort>`;

function effortOf(req: Pick<MessagesRequest, "thinking" | "output_config">): string {
  const thinkingEffort = (req.thinking as { effort?: unknown } | undefined)?.effort;
  return req.output_config?.effort ?? (typeof thinkingEffort === "string" ? thinkingEffort : "high");
}

/**
 * The text of the opening user turn that carries the system prompt (§3.6 step 3), thinking prefix first unless
 * the client's system prompt already has its own thinking tags; undefined when there is neither.
 */
export function systemPrompt(system: MessagesRequest["system"], prefix: string | undefined): string | undefined {
  const text =
    typeof system === "string"
      ? system
      : (system ?? [])
          .map((b) => b.text)
          .filter((t) => t !== "")
          .join("\n");
  if (text === "") return prefix;
  if (prefix === undefined || text.includes("<thinking_mode>") || text.includes("<max_thinking_length>")) return text;
  return `${prefix}\n${text}`;
}

/* ---- Content blocks ---- */

type Block = Record<string, unknown>;

type ParsedBlock =
  | { type: "text"; text: string }
  | { type: "image"; image: KiroImage }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> }
  | { type: "tool_result"; result: KiroToolResult; images: KiroImage[] }
  | { type: "thinking"; thinking: string; signature?: string }
  | { type: "redacted_thinking"; data: string }
  | { type: "unmapped" };

const IMAGE_FORMATS = new Map<string, KiroImageFormat>([
  ["image/png", "png"],
  ["image/jpeg", "jpeg"],
  ["image/gif", "gif"],
  ["image/webp", "webp"],
]);

/** Block types of the Anthropic API that Kiro has no place for: accepted and left out. */
const UNMAPPED_BLOCK_TYPES = new Set([
  "document",
  "search_result",
  "server_tool_use",
  "web_search_tool_result",
  "web_fetch_tool_result",
  "code_execution_tool_result",
  "bash_code_execution_tool_result",
  "text_editor_code_execution_tool_result",
  "tool_search_tool_result",
  "tool_reference",
  "mcp_tool_use",
  "mcp_tool_result",
  "container_upload",
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const invalid = (at: string, message: string) => new GatewayError("invalid_request", `${at}: ${message}`);
const shown = (v: unknown) => (typeof v === "string" ? JSON.stringify(v.slice(0, 100)) : String(v));

/** Checks one block precisely and reduces it to what the conversion needs; `at` names it in errors. */
function parseBlock(block: Block, at: string): ParsedBlock {
  switch (block.type) {
    case "text":
      if (typeof block.text !== "string") throw invalid(at, 'text block needs a string "text"');
      return { type: "text", text: block.text };
    case "image":
      return { type: "image", image: parseImage(block.source, at) };
    case "tool_use":
      return parseToolUse(block, at);
    case "tool_result": {
      if (typeof block.tool_use_id !== "string" || block.tool_use_id === "") {
        throw invalid(at, 'tool_result block needs a string "tool_use_id"');
      }
      if (block.is_error !== undefined && typeof block.is_error !== "boolean") {
        throw invalid(at, 'tool_result "is_error" must be a boolean');
      }
      // §9: Kiro drops an image inside a tool result, so it travels with the message and the result says so.
      const images = Array.isArray(block.content)
        ? block.content.flatMap((part, k) => (isObject(part) && part.type === "image" ? [parseImage(part.source, `${at}.content.${k}`)] : []))
        : [];
      const text = flattenToolResult(block.content);
      const content = [{ text: text === "" && images.length > 0 ? IMAGES_SUPPLIED : text }];
      const result: KiroToolResult = block.is_error
        ? { toolUseId: block.tool_use_id, content, status: "error", isError: true }
        : { toolUseId: block.tool_use_id, content, status: "success" };
      return { type: "tool_result", result, images };
    }
    case "thinking":
      if (typeof block.thinking !== "string") throw invalid(at, 'thinking block needs a string "thinking"');
      return { type: "thinking", thinking: block.thinking, ...(typeof block.signature === "string" ? { signature: block.signature } : {}) };
    case "redacted_thinking":
      return typeof block.data === "string" && block.data !== "" ? { type: "redacted_thinking", data: block.data } : { type: "unmapped" };
    default:
      if (UNMAPPED_BLOCK_TYPES.has(String(block.type))) return { type: "unmapped" };
      throw invalid(at, `unknown content block type ${shown(block.type)}`);
  }
}

function parseImage(source: unknown, at: string): KiroImage {
  if (!isObject(source)) throw invalid(at, 'image block needs a "source" object');
  if (source.type !== "base64") {
    throw invalid(at, `image source type ${shown(source.type)} is not supported; send the image as base64 data`);
  }
  const format = typeof source.media_type === "string" ? IMAGE_FORMATS.get(source.media_type) : undefined;
  if (format === undefined) {
    throw invalid(at, `image media_type ${shown(source.media_type)} is not supported (png, jpeg, gif, webp)`);
  }
  if (typeof source.data !== "string" || source.data === "") throw invalid(at, 'image source needs base64 "data"');
  const problem = base64Problem(source.data);
  if (problem !== undefined) throw invalid(at, `image data is not valid base64: ${problem}`);
  return { format, source: { bytes: source.data } };
}

/** Kiro answers a bare "Improperly formed request" to image bytes that are not strict base64, so say why here. */
function base64Problem(data: string): string | undefined {
  if (/^[A-Za-z0-9+/]*={0,2}$/.test(data) && data.length % 4 === 0) return undefined;
  if (data.startsWith("data:")) return 'send the bare base64 text, without the "data:…;base64," prefix';
  const bad = data.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) return `character ${JSON.stringify(data.charAt(bad))} at offset ${bad} is not in the base64 alphabet`;
  if (data.length % 4 !== 0) return `its length ${data.length} is not a multiple of 4 (cut short?)`;
  return '"=" padding may only end the data';
}

function parseToolUse(block: Block, at: string): ParsedBlock {
  if (typeof block.id !== "string" || block.id === "") throw invalid(at, 'tool_use block needs a string "id"');
  if (typeof block.name !== "string" || block.name === "") throw invalid(at, 'tool_use block needs a string "name"');
  if (block.input !== undefined && block.input !== null && !isObject(block.input)) {
    throw invalid(at, 'tool_use "input" must be an object');
  }
  const input = isObject(block.input) ? { ...block.input } : {};
  // Kiro rejects an input with an empty-string key.
  delete input[""];
  return { type: "tool_use", id: block.id, name: block.name, input };
}

/** What kiro-cli leaves in a tool result whose images it lifted to the message (kiro-protocol-2026.md §9). */
const IMAGES_SUPPLIED = "See images data supplied";

/** Kiro takes one text per tool result (§3.7): text parts joined, images and other parts left out. */
export function flattenToolResult(content: unknown): string {
  if (content === undefined || content === null) return "";
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return JSON.stringify(content);
  const texts: string[] = [];
  for (const part of content) if (isObject(part) && typeof part.text === "string") texts.push(part.text);
  return texts.join("\n");
}

function parseBlocks(blocks: Exclude<MessageParam["content"], string>, at: string): ParsedBlock[] {
  const parsed: ParsedBlock[] = [];
  for (let j = 0; j < blocks.length; j++) parsed.push(parseBlock(blocks[j] as Block, `${at}.content.${j}`));
  return parsed;
}

// Callbacks at module level, made once (src/jit.ts says why).
const hasCacheControl = (b: unknown) => isObject((b as Block).cache_control);
const isToolResult = (b: { type: string }) => b.type === "tool_result";

/** A user message's content → its turn: text parts joined by newlines, images, tool results (§3.7). */
export function mapUserContent(content: MessageParam["content"], at: string): UserTurn {
  const turn: UserTurn = { role: "user", text: "", images: [], toolResults: [] };
  if (typeof content === "string") return { ...turn, text: content };
  if (content.some(hasCacheControl)) turn.cached = true;
  const texts: string[] = [];
  for (const block of parseBlocks(content, at)) {
    if (block.type === "text" && block.text !== "") texts.push(block.text);
    else if (block.type === "image") turn.images.push(block.image);
    else if (block.type === "tool_result") {
      turn.toolResults.push(block.result);
      turn.images.push(...block.images);
    }
  }
  return { ...turn, text: texts.join("\n") };
}

/**
 * An assistant message's content → its turn: text and tool uses; thinking for a model with inline tags as a
 * `<thinking>` prefix (§3.8), for a native model as the signed reasoning it came with when `replay` (the current
 * turn, kiro-protocol-2026.md §3.2: the last signed or redacted block, since Kiro has one slot per message), else
 * not at all: unsigned thinking is dropped, never stitched into the content.
 */
export function mapAssistantContent(content: MessageParam["content"], at: string, names: ToolNamer, native = false, replay = native): AssistantTurn {
  if (typeof content === "string") return { role: "assistant", content, toolUses: [] };
  let text = "";
  let thinking = "";
  let reasoning: KiroReasoningContent | undefined;
  const toolUses: KiroToolUse[] = [];
  for (const block of parseBlocks(content, at)) {
    if (block.type === "text") text += block.text;
    else if (block.type === "thinking") {
      thinking += block.thinking;
      if (isKiroSignature(block.signature)) reasoning = { reasoningText: { text: block.thinking, signature: block.signature } };
    } else if (block.type === "redacted_thinking") reasoning = { redactedContent: block.data };
    else if (block.type === "tool_use") toolUses.push({ toolUseId: block.id, name: names.kiroName(block.name), input: block.input });
  }
  const cached = content.some(hasCacheControl) ? { cached: true } : {};
  if (native) return { role: "assistant", content: text, toolUses, ...(reasoning && replay ? { reasoning } : {}), ...cached };
  if (thinking === "") return { role: "assistant", content: text, toolUses, ...cached };
  const thought = `<thinking>${thinking}</thinking>`;
  return { role: "assistant", content: text === "" ? thought : `${thought}\n\n${text}`, toolUses, ...cached };
}

/**
 * A signature Kiro could have issued: base64 of a protobuf, never the one kiro-ts gives tag-extracted thinking, nor
 * another gateway's placeholder — sending those back would only earn THINKING_SIGNATURE_INVALID and a retry.
 */
function isKiroSignature(signature: string | undefined): signature is string {
  return signature !== undefined && signature !== SYNTHETIC_SIGNATURE && signature.length >= 16 && /^[A-Za-z0-9+/]+={0,2}$/.test(signature);
}

/* ---- History ---- */

/**
 * Maps every message; the trailing run of user messages becomes Kiro's current message (merged, so a user turn
 * split in two does not get a fake assistant "OK" between its halves). Anything after the last user message is
 * an assistant prefill, which Kiro cannot continue: it is dropped (§3.5). `system`-role messages (current Claude
 * Code, OpenCode) are instructions in the conversation's flow; Kiro has no such role, so they travel as user text.
 */
function splitCurrentMessage(messages: MessageParam[], names: ToolNamer, native: boolean): { earlier: Turn[]; current: UserTurn } {
  const isUser = (m: MessageParam) => m.role !== "assistant";
  const last = messages.findLastIndex(isUser);
  if (last < 0) throw invalid("messages", "at least one user message is required");
  let first = last;
  while (first > 0 && isUser(messages[first - 1]!)) first--;
  // §3.2: reasoning is replayed only in the current turn, the assistant messages after the last real user message.
  const lastUtterance = messages.findLastIndex((m) => m.role === "user" && !onlyToolResults(m));
  const turns = messages
    .slice(0, last + 1)
    .map((m, i) =>
      isUser(m) ? mapUserContent(m.content, `messages.${i}`) : mapAssistantContent(m.content, `messages.${i}`, names, native, i > lastUtterance),
    );
  const [current] = mergeTurns(turns.slice(first)) as [UserTurn];
  return { earlier: turns.slice(0, first), current };
}

const onlyToolResults = (m: MessageParam) => Array.isArray(m.content) && m.content.length > 0 && m.content.every(isToolResult);

/**
 * Merges consecutive turns of the same role into one (§3.6 step 4): user texts joined by newlines, assistant
 * contents by blank lines, images, tool results and tool uses concatenated. Interrupted streams and retries leave
 * such runs behind, and Kiro rejects them.
 */
export function mergeTurns(turns: Turn[]): Turn[] {
  const merged: Turn[] = [];
  for (const turn of turns) {
    const last = merged.at(-1);
    if (last?.role === "user" && turn.role === "user") {
      merged[merged.length - 1] = {
        role: "user",
        text: [last.text, turn.text].filter((t) => t !== "").join("\n"),
        images: [...last.images, ...turn.images],
        toolResults: [...last.toolResults, ...turn.toolResults],
        ...(last.cached || turn.cached ? { cached: true } : {}),
      };
    } else if (last?.role === "assistant" && turn.role === "assistant") {
      merged[merged.length - 1] = {
        role: "assistant",
        content: [last.content, turn.content].filter((c) => c.trim() !== "").join("\n\n"),
        toolUses: [...last.toolUses, ...turn.toolUses],
        ...((turn.reasoning ?? last.reasoning) ? { reasoning: turn.reasoning ?? last.reasoning } : {}),
        ...(last.cached || turn.cached ? { cached: true } : {}),
      };
    } else {
      merged.push(turn);
    }
  }
  return merged;
}

const SYSTEM_ACKNOWLEDGEMENT = "I will follow these instructions.";
const SYNTHETIC_ANSWER = "OK";
const SYNTHETIC_PROMPT = "(continue)";

const userText = (text: string): UserTurn => ({ role: "user", text, images: [], toolResults: [] });
const assistantText = (content: string): AssistantTurn => ({ role: "assistant", content, toolUses: [] });

/**
 * Kiro's history: the system prompt as an opening user/assistant exchange, then the client's merged turns, made to
 * start with a user turn, alternate, and end with an assistant turn (the current message is the next user turn).
 */
export function buildHistory(system: string | undefined, turns: Turn[]): Turn[] {
  const history: Turn[] = [];
  const push = (turn: Turn) => {
    const last = history.at(-1);
    if (turn.role === "assistant" && last?.role !== "user") history.push(userText(SYNTHETIC_PROMPT));
    if (turn.role === "user" && last?.role === "user") history.push(assistantText(SYNTHETIC_ANSWER));
    history.push(turn);
  };
  if (system !== undefined) {
    push(userText(system));
    push(assistantText(SYSTEM_ACKNOWLEDGEMENT));
  }
  for (const turn of turns) push(turn);
  if (history.at(-1)?.role === "user") history.push(assistantText(SYNTHETIC_ANSWER));
  return history;
}

/**
 * Makes tool uses and tool results answer each other one to one (§3.11, strengthened): a result is kept only in
 * the user turn right after the assistant turn that asked for it, and only once; a tool-use id seen before is
 * dropped; a tool use left without a result is dropped. Kiro answers 400 for any mismatch.
 */
export function pairToolUses(history: Turn[], current: UserTurn): { history: Turn[]; current: UserTurn } {
  const seenUses = new Set<string>();
  const answered = new Set<string>();
  let asked = new Set<string>();
  const pair = <T extends Turn>(turn: T): T => {
    if (turn.role === "assistant") {
      const toolUses = turn.toolUses.filter((u) => {
        const fresh = !seenUses.has(u.toolUseId);
        seenUses.add(u.toolUseId);
        return fresh;
      });
      asked = new Set(toolUses.map((u) => u.toolUseId));
      // Turns are this conversion's own: one left whole is not copied (a Claude Code history has hundreds).
      return toolUses.length === turn.toolUses.length ? turn : { ...turn, toolUses };
    }
    const toolResults = turn.toolResults.filter((r) => {
      // Not asked for right before, or already answered in this turn.
      if (!asked.delete(r.toolUseId)) return false;
      answered.add(r.toolUseId);
      return true;
    });
    asked = new Set();
    return toolResults.length === turn.toolResults.length ? turn : { ...turn, toolResults };
  };
  const pairedHistory = history.map(pair);
  const pairedCurrent = pair(current);
  const paired: Turn[] = [];
  for (const turn of pairedHistory) paired.push(withAnsweredUses(turn, answered));
  return { history: paired, current: pairedCurrent };
}

/** An assistant turn with only the tool uses that `answered` holds; the turn itself when it holds them all. */
function withAnsweredUses(turn: Turn, answered: Set<string>): Turn {
  if (turn.role !== "assistant") return turn;
  const toolUses: KiroToolUse[] = [];
  for (const u of turn.toolUses) if (answered.has(u.toolUseId)) toolUses.push(u);
  return toolUses.length === turn.toolUses.length ? turn : { ...turn, toolUses };
}

function toKiroMessage(turn: Turn, modelId: string): KiroHistoryMessage {
  const cachePoint = turn.cachePoint ? { cachePoint: CACHE_POINT } : {};
  if (turn.role === "assistant") {
    return {
      // kiro-cli's key order: messageId, content, toolUses, reasoningContent, cachePoint (§4.3).
      assistantResponseMessage: {
        // Kiro rejects empty assistant content, e.g. a turn that only called tools.
        content: turn.content.trim() === "" ? " " : turn.content,
        ...(turn.toolUses.length > 0 ? { toolUses: turn.toolUses } : {}),
        ...(turn.reasoning ? { reasoningContent: turn.reasoning } : {}),
        ...cachePoint,
      },
    };
  }
  const message: KiroUserInputMessage = { content: turn.text, modelId, origin: "AI_EDITOR", ...cachePoint };
  if (turn.images.length > 0) message.images = turn.images;
  if (turn.toolResults.length > 0) message.userInputMessageContext = { toolResults: turn.toolResults };
  return { userInputMessage: message };
}

function currentUserInput(turn: UserTurn, modelId: string, tools: Array<KiroToolSpecification | KiroCachePoint>): KiroUserInputMessage {
  const message: KiroUserInputMessage = { content: turn.text, modelId, origin: "AI_EDITOR" };
  if (turn.images.length > 0) message.images = turn.images;
  message.userInputMessageContext = {
    ...(tools.length > 0 ? { tools } : {}),
    ...(turn.toolResults.length > 0 ? { toolResults: turn.toolResults } : {}),
  };
  return message;
}

/* ---- Tools ---- */

const MAX_TOOL_NAME = 63;
const MAX_DESCRIPTION_CHARS = 10_000;
const PLACEHOLDER_DESCRIPTION = "Tool used in conversation history";

/** Kiro's 63-character limit on tool names: long names keep a readable head and a hash of the whole (§3.10). */
export function shortenToolName(name: string): string {
  // A name has at most as many code points as UTF-16 units: most are short enough without counting them.
  if (name.length <= MAX_TOOL_NAME) return name;
  const chars = Array.from(name);
  if (chars.length <= MAX_TOOL_NAME) return name;
  const hash = new Bun.CryptoHasher("sha256").update(name).digest("hex").slice(0, 8);
  return `${chars.slice(0, 54).join("")}_${hash}`;
}

/**
 * The request's tools as Kiro tool specifications. Server tools (web search and the like: a `type`, no schema)
 * are Anthropic-side features Kiro cannot run, so they are left out; a repeated name keeps its first definition.
 */
export function mapTools(tools: ToolParam[], names: ToolNamer): KiroToolSpecification[] {
  const specs: KiroToolSpecification[] = [];
  const seen = new Set<string>();
  for (const tool of tools) {
    const isServerTool = tool.type !== undefined && tool.type !== "custom" && tool.input_schema === undefined;
    if (isServerTool || seen.has(tool.name)) continue;
    seen.add(tool.name);
    const description = truncateChars(tool.description ?? "", MAX_DESCRIPTION_CHARS);
    specs.push(toolSpec(names.kiroName(tool.name), description, normaliseSchema(tool.input_schema)));
  }
  return specs;
}

/**
 * Declarations for tools the history used but the request does not declare (compaction, hook evaluators,
 * `tool_choice: none` clients drop them): Kiro refuses a history that uses undeclared tools.
 */
export function historyToolPlaceholders(history: Turn[], declared: KiroToolSpecification[]): KiroToolSpecification[] {
  const known = new Set(declared.map((t) => t.toolSpecification.name.toLowerCase()));
  const placeholders: KiroToolSpecification[] = [];
  for (const turn of history) {
    if (turn.role !== "assistant") continue;
    for (const { name } of turn.toolUses) {
      if (known.has(name.toLowerCase())) continue;
      known.add(name.toLowerCase());
      placeholders.push(
        toolSpec(name, PLACEHOLDER_DESCRIPTION, {
          $schema: "http://json-schema.org/draft-07/schema#",
          ...normaliseSchema(undefined),
        }),
      );
    }
  }
  return placeholders;
}

const toolSpec = (name: string, description: string, json: Record<string, unknown>): KiroToolSpecification => ({
  toolSpecification: { name, description, inputSchema: { json } },
});

/**
 * Kiro's schema validator wants an object schema with `type`, `properties`, `required` (strings only) and
 * `additionalProperties` present and well-typed; MCP servers often send `required: null` and the like (§3.10).
 */
export function normaliseSchema(schema: unknown): Record<string, unknown> {
  if (!isObject(schema)) return { type: "object", properties: {}, required: [], additionalProperties: true };
  const { type, properties, required, additionalProperties } = schema;
  return {
    ...schema,
    type: typeof type === "string" && type !== "" ? type : "object",
    properties: isObject(properties) ? properties : {},
    required: Array.isArray(required) ? required.filter((r) => typeof r === "string") : [],
    additionalProperties:
      typeof additionalProperties === "boolean" || isObject(additionalProperties) ? additionalProperties : true,
  };
}

/** Cuts to `max` characters (code points, so no character is split). */
function truncateChars(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max).join("");
}

/* ---- Conversation id ---- */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Claude Code's session id, so one Claude Code session is one Kiro conversation (§3.4). Current Claude Code sends
 * `metadata.user_id` as JSON with `session_id`; older versions as `user_<hash>_account__session_<uuid>`.
 */
export function sessionIdOf(userId: string | null | undefined): string | undefined {
  if (!userId) return undefined;
  if (userId.startsWith("{")) {
    const sessionId = parseJsonObject(userId)?.session_id;
    if (typeof sessionId === "string" && UUID.test(sessionId)) return sessionId;
  }
  const at = userId.indexOf("session_");
  if (at < 0) return undefined;
  const candidate = userId.slice(at + "session_".length, at + "session_".length + 36);
  return UUID.test(candidate) ? candidate : undefined;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    // Not JSON after all: the caller falls back to the older format.
    return undefined;
  }
}

// The conversion and the functions that walk a whole request for it, or each of its messages and blocks, stay at the
// DFG tier (src/jit.ts says why).
for (const walker of [
  convertRequest, markCachePoints, systemPrompt, splitCurrentMessage, buildHistory, pairToolUses, currentUserInput, mapTools,
  mapUserContent, parseBlocks, parseBlock, mapAssistantContent, parseToolUse, mergeTurns, historyToolPlaceholders, toKiroMessage,
  normaliseSchema,
]) keepFromFtl(walker);
