/**
 * The requests a benchmark sends: each as the Anthropic request a client sends to the gateway and as its Kiro
 * equivalent (the very body the gateway would send upstream), so the two paths do the same work at the far end.
 */
import { convertRequest, sessionIdOf } from "../../src/anthropic/convert";
import type { MessagesRequest } from "../../src/anthropic/schemas";
import { COLLECT_EVERY_BYTES } from "../../src/http/body";
import { chatHeaders } from "../../src/kiro/http";
import { proseChunk } from "../../src/simulator/bench-replies";
import { encodeStep } from "../../src/simulator/playback";
import { type StreamStep, textEvent } from "../../src/simulator/replies";

export const MODEL = "claude-sonnet-4-5";

/** One account of the simulator, as read from the credential file it wrote. */
export interface BenchAccount {
  accessToken: string;
  profileArn: string;
}

export interface PairedRequest {
  /** JSON body for POST {gateway}/v1/messages. */
  anthropic: string;
  /** JSON body for POST {simulator}/generateAssistantResponse. */
  kiro: string;
  /** Bytes of the Anthropic body. */
  bytes: number;
}

/**
 * Requests in a slice of large ones whose CPU is compared: one period of the gateway's collection pacer
 * (src/http/body.ts: a full collection, ~10 ms here, every 64 MiB of large bodies read), so that every slice of
 * bodies at least `bodyBytes` long carries one collection, wherever the pacer stands when it starts. Slices of 20
 * 1 MB requests carried one or none — ±20 % of a request's CPU — and the rows comparing them moved between runs by
 * more than their gates are wide (README, Performance: the twenty-fourth pass).
 */
export function slicePerCollection(bodyBytes: number): number {
  return Math.ceil(COLLECT_EVERY_BYTES / bodyBytes);
}

/** Turns an Anthropic request into the pair; the Kiro side carries the account's profileArn as the gateway does. */
export function pair(req: MessagesRequest, account: BenchAccount): PairedRequest {
  const { conversationState } = convertRequest(req);
  const anthropic = JSON.stringify(req);
  return {
    anthropic,
    kiro: JSON.stringify({ conversationState, profileArn: account.profileArn }),
    bytes: Buffer.byteLength(anthropic),
  };
}

/** Headers of a direct Kiro call, as the gateway sends them. */
export function kiroHeaders(account: BenchAccount): Record<string, string> {
  return chatHeaders(
    { region: "us-east-1", kiroApiBaseUrl: "", kiroAuthBaseUrl: "", oidcBaseUrl: "", ssoPortalBaseUrl: "", kiroVersion: "0.8.0", systemVersion: "darwin#24.6.0", nodeVersion: "22.21.1" },
    "0".repeat(64),
    account.accessToken,
  );
}

/** UTF-16 units of text in the simulator's `[sim] long <bytes> <chars>` reply: what the client must receive. */
export function longReplyText(bytes: number, chars: number): number {
  const chunk = proseChunk(chars);
  const frameBytes = encodeStep(textEvent(chunk) as Exclude<StreamStep, { type: "pause" }>).length;
  return Math.max(1, Math.round(bytes / frameBytes)) * chunk.length;
}

export function hello(opts: { stream?: boolean; text?: string } = {}): MessagesRequest {
  return {
    model: MODEL,
    max_tokens: 1024,
    stream: opts.stream ?? false,
    messages: [{ role: "user", content: opts.text ?? "Hello, Claude!" }],
  };
}

/** A tiny deterministic generator, so every run sends the same bytes. */
function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

const WORDS = (
  "the function returns a promise that resolves when every pending write has reached the socket and the " +
  "buffer is empty; callers await it before closing const let async await import export interface type " +
  "config account token stream frame event block message request response error retry timeout"
).split(" ");

function words(next: () => number, chars: number): string {
  const out: string[] = [];
  let length = 0;
  while (length < chars) {
    const word = WORDS[Math.floor(next() * WORDS.length)]!;
    out.push(word);
    length += word.length + 1;
  }
  return out.join(" ");
}

/** Lines of source-like text, the typical content of a Claude Code tool result (a file that was read). */
function fileContent(next: () => number, chars: number): string {
  const lines: string[] = [];
  let length = 0;
  for (let n = 1; length < chars; n++) {
    const line = `${String(n).padStart(5)}\t  ${words(next, 40 + Math.floor(next() * 60))}`;
    lines.push(line);
    length += line.length + 1;
  }
  return lines.join("\n");
}

export interface ClaudeCodeShape {
  /** Approximate size of the JSON body. */
  bytes: number;
  tools: number;
  /** Messages before the current one: an opening user message, then assistant tool calls and user tool results. */
  history: number;
  stream?: boolean;
  /** The final user message (e.g. a simulator directive). */
  text?: string;
}

/**
 * A request shaped like Claude Code's: a long system prompt in blocks with cache_control, tools with long
 * descriptions and nested schemas, a history of tool calls each answered by a file's content, and a session id.
 */
export function claudeCode(shape: ClaudeCodeShape): MessagesRequest {
  const next = seeded(0xc0de);
  const tools = Array.from({ length: shape.tools }, (_, i) => ({
    name: i === 0 ? "Read" : `mcp__workspace__tool_number_${i}`,
    description: words(next, 2_000),
    input_schema: {
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties: {
        file_path: { type: "string", description: words(next, 120) },
        offset: { type: "number", description: "The line number to start reading from" },
        limit: { type: "number", description: "The number of lines to read" },
        options: {
          type: "object",
          properties: { mode: { type: "string", enum: ["fast", "full", "diff"] }, depth: { type: "integer", minimum: 0 } },
          additionalProperties: false,
        },
      },
      required: ["file_path"],
      additionalProperties: false,
    },
  }));
  const system = [
    { type: "text", text: "You are Claude Code, Anthropic's official CLI for Claude." },
    { type: "text", text: words(next, 14_000), cache_control: { type: "ephemeral" } },
  ];
  const fixed = JSON.stringify({ tools, system }).length;
  const turns = Math.max(1, Math.floor(shape.history / 2));
  // Most of the body is tool results: size them to reach the target.
  const perResult = Math.max(64, Math.floor((shape.bytes - fixed) / turns) - 400);
  const messages: Array<{ role: "user" | "assistant"; content: string | Array<Record<string, unknown>> }> = [];
  for (let t = 0; t < turns; t++) {
    const id = `toolu_${String(t).padStart(6, "0")}${Math.floor(next() * 1e9).toString(36)}`;
    messages.push({
      role: "assistant",
      content: [
        { type: "text", text: `Let me look at part ${t} of the code.` },
        { type: "tool_use", id, name: tools[t % tools.length]!.name, input: { file_path: `/work/src/module_${t}.ts`, offset: 1, limit: 2000 } },
      ],
    });
    const result = { type: "tool_result", tool_use_id: id, content: fileContent(next, perResult) };
    // The last turn answers the last call and asks the question, as Claude Code's requests end.
    const last = t === turns - 1;
    messages.push({ role: "user", content: last ? [result, { type: "text", text: shape.text ?? "Now summarise what these modules do." }] : [result] });
  }
  messages.unshift({ role: "user", content: [{ type: "text", text: words(next, 300), cache_control: { type: "ephemeral" } }] });
  return {
    model: MODEL,
    max_tokens: 32_000,
    stream: shape.stream ?? false,
    system: system as MessagesRequest["system"],
    tools,
    messages: messages as MessagesRequest["messages"],
    metadata: { user_id: JSON.stringify({ device_id: "bench", session_id: "0b1e2f3a-4c5d-4e6f-8a9b-0c1d2e3f4a5b" }) },
  };
}

type Block = Record<string, unknown> & { type: string };

const textOf = (blocks: Block[]) =>
  blocks
    .filter((b) => b.type === "text")
    .map((b) => b.text as string)
    .join("\n");

/** The gateway's fronts the benches send the same conversation through, and where each is served. */
export type Front = "messages" | "chat" | "responses";
export const FRONT_PATH: Readonly<Record<Front, string>> = { messages: "/v1/messages", chat: "/v1/chat/completions", responses: "/v1/responses" };
/** The OpenAI fronts, each measured against the same conversation through /v1/messages, and how reports name them. */
export type OpenAIFront = Exclude<Front, "messages">;
export const OPENAI_FRONTS: readonly OpenAIFront[] = ["chat", "responses"];
export const FRONT_NAME: Readonly<Record<OpenAIFront, string>> = { chat: "Chat Completions", responses: "a Responses request" };

/**
 * The same conversation as a Chat Completions request, for the OpenAI front's row: the system prompt as a system
 * message, tool uses as assistant tool_calls, tool results as tool messages, tools as functions, the session as the prompt
 * cache key.
 */
export function asChatCompletion(req: MessagesRequest): string {
  const system = typeof req.system === "string" ? req.system : (req.system ?? []).map((b) => b.text).join("\n");
  const messages: Record<string, unknown>[] = system ? [{ role: "system", content: system }] : [];
  for (const m of req.messages) {
    if (typeof m.content === "string") {
      messages.push({ role: m.role, content: m.content });
      continue;
    }
    const blocks = m.content as Block[];
    if (m.role === "assistant") {
      const calls = blocks
        .filter((b) => b.type === "tool_use")
        .map((b) => ({ id: b.id, type: "function", function: { name: b.name, arguments: JSON.stringify(b.input) } }));
      messages.push({ role: "assistant", content: textOf(blocks) || null, ...(calls.length > 0 ? { tool_calls: calls } : {}) });
      continue;
    }
    for (const b of blocks.filter((b) => b.type === "tool_result")) {
      const content = typeof b.content === "string" ? b.content : textOf((b.content as Block[] | undefined) ?? []);
      messages.push({ role: "tool", tool_call_id: b.tool_use_id, content });
    }
    const text = textOf(blocks);
    if (text) messages.push({ role: "user", content: text });
  }
  const tools = (req.tools ?? []).map((t) => ({ type: "function", function: { name: t.name, description: t.description, parameters: t.input_schema } }));
  return JSON.stringify({ model: req.model, max_completion_tokens: req.max_tokens, stream: req.stream ?? false, messages, tools, ...promptCacheKey(req) });
}

/**
 * The same conversation as a Responses request (Codex's form): the system prompt as `instructions`, tool uses as
 * function_call items, tool results as function_call_output items, tools as functions, the session as the prompt cache key.
 */
export function asResponses(req: MessagesRequest): string {
  const instructions = typeof req.system === "string" ? req.system : (req.system ?? []).map((b) => b.text).join("\n");
  const input: Record<string, unknown>[] = [];
  for (const m of req.messages) {
    if (typeof m.content === "string") {
      input.push({ type: "message", role: m.role, content: m.content });
      continue;
    }
    const blocks = m.content as Block[];
    if (m.role === "assistant") {
      const text = textOf(blocks);
      if (text) input.push({ type: "message", role: "assistant", content: [{ type: "output_text", text }] });
      for (const b of blocks.filter((b) => b.type === "tool_use")) input.push({ type: "function_call", call_id: b.id, name: b.name, arguments: JSON.stringify(b.input) });
      continue;
    }
    for (const b of blocks.filter((b) => b.type === "tool_result")) {
      const output = typeof b.content === "string" ? b.content : textOf((b.content as Block[] | undefined) ?? []);
      input.push({ type: "function_call_output", call_id: b.tool_use_id, output });
    }
    const text = textOf(blocks);
    if (text) input.push({ type: "message", role: "user", content: [{ type: "input_text", text }] });
  }
  const tools = (req.tools ?? []).map((t) => ({ type: "function", name: t.name, description: t.description, parameters: t.input_schema }));
  return JSON.stringify({ model: req.model, instructions, max_output_tokens: req.max_tokens, stream: req.stream ?? false, store: false, input, tools, ...promptCacheKey(req) });
}

/**
 * The session Claude Code names in metadata.user_id, as the prompt cache key OpenAI clients name it with (Codex sends
 * its session's id there): the same request keeps to one Kiro conversation and one account through every front.
 */
function promptCacheKey(req: MessagesRequest): { prompt_cache_key?: string } {
  const session = sessionIdOf(req.metadata?.user_id);
  return session ? { prompt_cache_key: session } : {};
}
