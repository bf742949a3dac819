/**
 * The client corpus replayed (src/e2e/fixtures/clients, captured by scripts/capture-clients.ts): every request a
 * real client sent goes through the real gateway into the Kiro simulator, exactly as captured. Each must reach
 * Kiro in a shape real Kiro accepts, keep every word the client said (texts, system messages, tool results, tool
 * uses, images, tools), and come back as an answer the client's own SDK parses — the Anthropic SDK's for Claude
 * Code and the Anthropic SDK, the openai SDK's for Codex and the openai SDK.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import type Anthropic from "@anthropic-ai/sdk";
import type { Stream } from "@anthropic-ai/sdk/core/streaming";
import { BetaMessageStream } from "@anthropic-ai/sdk/lib/BetaMessageStream";
import { MessageStream } from "@anthropic-ai/sdk/lib/MessageStream";
import OpenAI from "openai";
import { ChatCompletionStream } from "openai/lib/ChatCompletionStream";
import { ResponseStream } from "openai/lib/responses/ResponseStream";
import type { Stream as OpenAIStream } from "openai/core/streaming";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { LATE_2026_MODEL_IDS } from "../simulator/catalog";
import { text, thinkingText, toolUse } from "../simulator/replies";
import { validateRequest } from "../simulator/validate";
import { startGateway, type Gateway } from "./harness";

const CORPUS = join(import.meta.dir, "fixtures", "clients");

/** One captured request (scripts/capture/server.ts `Captured`, with where it came from). */
interface Fixture {
  client: string;
  release: string;
  case: string;
  seq: number;
  api: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  answer?:
    | { kind: "text"; text: string; thinking?: string }
    | { kind: "tool_use"; name: string; input: Record<string, unknown>; thinking?: string };
}

type Json = Record<string, any>;

/** Every non-blank text the client sent, with the field it was in: each must reach Kiro somewhere. */
function expectedTexts(body: unknown): { field: string; text: string }[] {
  const req = body as Json;
  const found: { field: string; text: string }[] = [];
  const add = (field: string, text: unknown) => {
    if (typeof text === "string" && text.trim() !== "") found.push({ field, text });
  };
  if (typeof req.system === "string") add("system", req.system);
  else (req.system ?? []).forEach((b: Json, i: number) => add(`system.${i}`, b.text));
  (req.messages as Json[]).forEach((m, i) => {
    const at = `messages.${i} (${m.role})`;
    if (typeof m.content === "string") return add(at, m.content);
    (m.content as Json[]).forEach((b, j) => {
      const field = `${at}.content.${j} (${b.type})`;
      if (b.type === "text") add(field, b.text);
      // Thinking is not text the client said: replayed as signed reasoning, or dropped (kiro-protocol-2026.md §3.2).
      else if (b.type === "tool_result" && typeof b.content === "string") add(field, b.content);
      else if (b.type === "tool_result") (b.content ?? []).forEach((part: Json) => add(field, part.text));
    });
  });
  return found;
}

/** What the Kiro request carries: all its texts, images, tool calls and results, and the declared tools. */
function kiroTexts(body: unknown) {
  const state = (body as Json).conversationState;
  const messages: Json[] = [
    ...(state.history ?? []).map((h: Json) => h.userInputMessage ?? h.assistantResponseMessage),
    state.currentMessage.userInputMessage,
  ];
  const results = messages.flatMap((m) => m.userInputMessageContext?.toolResults ?? []);
  return {
    text: [...messages.map((m) => m.content), ...results.flatMap((r: Json) => r.content.map((c: Json) => c.text))].join("\u0000"),
    images: messages.reduce((n, m) => n + (m.images?.length ?? 0), 0),
    toolUseIds: messages.flatMap((m) => (m.toolUses ?? []).map((u: Json) => u.toolUseId)),
    toolResultIds: results.map((r: Json) => r.toolUseId),
    tools: (state.currentMessage.userInputMessage.userInputMessageContext?.tools ?? []).map((t: Json) => t.toolSpecification.name),
  };
}

const fixtures: Fixture[] = readdirSync(CORPUS, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => require(join(CORPUS, f)) as Fixture);

const label = (f: Fixture) => `${f.client} ${f.release} ${f.case}-${f.seq}`;

let g: Gateway;
beforeAll(async () => {
  g = await startGateway({ simulator: { chunking: "random", seed: 18 } });
});
afterAll(() => g.stop());
beforeEach(() => g.sim.clearRequests());

/** The simulator answers as the capture server did, so a tool round trip stays one. */
function enqueueAnswer(f: Fixture): void {
  const a = f.answer;
  const thought = a?.thinking === undefined ? "" : `<thinking>\n${a.thinking}</thinking>\n\n`;
  if (a?.kind === "tool_use") g.sim.enqueue(toolUse({ name: a.name, input: a.input }, { text: thought }));
  else if (a?.thinking !== undefined) g.sim.enqueue(thinkingText(a.thinking, a.text));
  else g.sim.enqueue(text(a?.kind === "text" ? a.text : "OK"));
}

/** The captured headers the client itself chose (its key is the gateway's, the rest the SDK sets again). */
function clientHeaders(f: Fixture): Record<string, string> {
  const own = Object.entries(f.headers).filter(([name]) => !["x-api-key", "authorization", "content-type", "accept"].includes(name));
  return Object.fromEntries(own);
}

async function send(f: Fixture): Promise<Anthropic.Message | Anthropic.Beta.BetaMessage> {
  const url = new URL(f.path, "http://corpus");
  const body = f.body as Record<string, unknown>;
  const options = { body, headers: clientHeaders(f), query: Object.fromEntries(url.searchParams) };
  // Claude Code speaks the beta API (?beta=true) and reads the answer with the SDK's beta types.
  const beta = url.searchParams.get("beta") === "true";
  if (body.stream !== true) return g.client.post<Anthropic.Message>(url.pathname, options);
  const events = await g.client.post<Stream<Anthropic.RawMessageStreamEvent>>(url.pathname, { ...options, stream: true });
  const readable = events.toReadableStream();
  return beta ? BetaMessageStream.fromReadableStream(readable).finalMessage() : MessageStream.fromReadableStream(readable).finalMessage();
}

const anthropic = fixtures.filter((f) => f.api === "anthropic-messages" || f.api === "anthropic-count-tokens");
const openaiCorpus = fixtures.filter((f) => f.api === "openai-responses" || f.api === "openai-chat");

describe("client corpus: Anthropic Messages", () => {
  test("the corpus holds Claude Code releases and the Anthropic SDK", () => {
    const releases = new Set(anthropic.filter((f) => f.client === "claude-code").map((f) => f.release));
    expect(releases.size).toBeGreaterThanOrEqual(4);
    expect(anthropic.some((f) => f.client === "anthropic-sdk")).toBe(true);
  });

  for (const f of anthropic.filter((f) => f.api === "anthropic-count-tokens")) {
    test(`${label(f)}: count_tokens answers a count`, async () => {
      const url = new URL(f.path, "http://corpus");
      const count = await g.client.post<Anthropic.MessageTokensCount>(url.pathname, { body: f.body, headers: clientHeaders(f) });
      expect(count.input_tokens, `${label(f)}: input_tokens`).toBeGreaterThan(0);
    });
  }

  for (const f of anthropic.filter((f) => f.api === "anthropic-messages")) {
    test(`${label(f)}: Kiro accepts the request, nothing the client said is lost, the SDK reads the answer`, async () => {
      enqueueAnswer(f);
      let message: Anthropic.Message | Anthropic.Beta.BetaMessage;
      try {
        message = await send(f);
      } catch (e) {
        throw new Error(`${label(f)}: the gateway refused the request: ${e instanceof Error ? e.message : String(e)}`);
      }

      const chats = g.sim.requests.filter((r) => r.path.endsWith("/generateAssistantResponse"));
      expect(chats.length, `${label(f)}: requests that reached Kiro`).toBe(1);
      const kiro = chats[0]!;
      const violation = validateRequest(kiro.body);
      expect(violation === null ? null : `${label(f)}: Kiro would refuse it (${violation.rule}): ${violation.detail}`).toBeNull();
      expect(kiro.rejectedBy, `${label(f)}: the simulator refused it`).toBeUndefined();

      const said = kiroTexts(kiro.body);
      const lost = expectedTexts(f.body).filter((t) => !said.text.includes(t.text)).map((t) => `${t.field} (${JSON.stringify(t.text.slice(0, 60))}…)`);
      expect(lost, `${label(f)}: fields whose text never reached Kiro`).toEqual([]);
      const client = f.body as { messages: { role: string; content: unknown }[]; tools?: { name: string; input_schema?: unknown }[] };
      const blocks = client.messages.flatMap((m, i) => (Array.isArray(m.content) ? m.content.map((b) => ({ ...b, at: `messages.${i}`, role: m.role })) : []));
      const images = blocks.filter((b) => b.type === "image" && b.role !== "assistant");
      expect(said.images, `${label(f)}: images (${images.map((b) => b.at).join(", ")}) that reached Kiro`).toBe(images.length);
      for (const b of blocks.filter((b) => b.type === "tool_use")) {
        expect(said.toolUseIds, `${label(f)}: ${b.at} tool_use ${b.id}`).toContain(b.id);
      }
      for (const b of blocks.filter((b) => b.type === "tool_result")) {
        expect(said.toolResultIds, `${label(f)}: ${b.at} tool_result for ${b.tool_use_id}`).toContain(b.tool_use_id);
      }
      // Names over Kiro's limit are shortened on purpose; every other tool must arrive under its own name.
      for (const tool of (client.tools ?? []).filter((t) => t.input_schema !== undefined && t.name.length <= 63)) {
        expect(said.tools, `${label(f)}: tools[${tool.name}]`).toContain(tool.name);
      }

      expect(message.type, `${label(f)}: answer type`).toBe("message");
      expect(message.role, `${label(f)}: answer role`).toBe("assistant");
      expect(message.model, `${label(f)}: answer model`).toBe(String((f.body as { model: string }).model));
      expect(message.usage.input_tokens, `${label(f)}: usage.input_tokens`).toBeGreaterThan(0);
      if (f.answer?.kind === "tool_use") {
        expect(message.stop_reason, `${label(f)}: stop_reason`).toBe("tool_use");
        const use = message.content.find((b) => b.type === "tool_use");
        expect(use && { name: use.name, input: use.input }, `${label(f)}: the tool call`).toEqual({ name: f.answer.name, input: f.answer.input });
      } else {
        expect(message.stop_reason, `${label(f)}: stop_reason`).toBe("end_turn");
        const answer = message.content.filter((b) => b.type === "text").map((b) => b.text).join("");
        expect(answer, `${label(f)}: the answer's text`).toBe(f.answer?.kind === "text" ? f.answer.text : "OK");
      }
    });
  }
});

describe("client corpus: OpenAI (Responses, Chat Completions)", () => {
  /**
   * The captures asked for "gpt-5.5", the model the capture's config.toml named; Kiro serves GPT-5.6, so the replay
   * asks for that one and changes nothing else.
   */
  const KIRO_GPT = "gpt-5.6-sol";
  let o: Gateway;
  let openai: OpenAI;
  beforeAll(async () => {
    o = await startGateway({ simulator: { chunking: "random", seed: 15, models: LATE_2026_MODEL_IDS } });
    await o.services.models.refresh();
    openai = new OpenAI({ baseURL: `${o.url}/v1`, apiKey: o.apiKey, maxRetries: 0 });
  });
  afterAll(() => o.stop());

  test("the corpus holds Codex releases and the openai SDK, both APIs", () => {
    expect(new Set(openaiCorpus.filter((f) => f.client === "codex").map((f) => f.release)).size).toBeGreaterThanOrEqual(2);
    expect(new Set(openaiCorpus.filter((f) => f.client === "openai-sdk").map((f) => f.api))).toEqual(new Set(["openai-chat", "openai-responses"]));
  });

  /** The answer as the client's SDK reads it: a chat completion or a response. */
  async function send(f: Fixture): Promise<OpenAI.ChatCompletion | OpenAI.Responses.Response> {
    const body: Record<string, unknown> = { ...(f.body as Record<string, unknown>), model: KIRO_GPT };
    const headers = clientHeaders(f);
    if (body.stream !== true) {
      // The SDK's own methods, which add what clients read (a response's output_text).
      return f.api === "openai-chat"
        ? openai.chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming, { headers })
        : openai.responses.create(body as unknown as OpenAI.Responses.ResponseCreateParamsNonStreaming, { headers });
    }
    const path = new URL(f.path, "http://corpus").pathname.replace(/^\/v1/, "");
    const events = await openai.post<OpenAIStream<unknown>>(path, { body, headers, stream: true });
    const readable = events.toReadableStream();
    return f.api === "openai-chat" ? ChatCompletionStream.fromReadableStream(readable).finalChatCompletion() : ResponseStream.fromReadableStream(readable).finalResponse();
  }

  /** What the answer says: its text, or its one tool call (name and arguments). */
  function said(answer: OpenAI.ChatCompletion | OpenAI.Responses.Response): { text: string } | { name: string; input: unknown } {
    if (answer.object === "chat.completion") {
      const message = answer.choices[0]!.message;
      const call = message.tool_calls?.[0];
      return call?.type === "function" ? { name: call.function.name, input: JSON.parse(call.function.arguments) } : { text: message.content ?? "" };
    }
    const call = answer.output.find((i) => i.type === "function_call");
    return call ? { name: call.name, input: JSON.parse(call.arguments) } : { text: answer.output_text };
  }

  for (const f of openaiCorpus) {
    test(`${label(f)}: Kiro accepts the request, the tool round trip holds, the openai SDK reads the answer`, async () => {
      o.sim.clearRequests();
      const a = f.answer;
      o.sim.enqueue(a?.kind === "tool_use" ? toolUse({ name: a.name, input: a.input }) : text(a?.kind === "text" ? a.text : "OK"));
      let answer: OpenAI.ChatCompletion | OpenAI.Responses.Response;
      try {
        answer = await send(f);
      } catch (e) {
        throw new Error(`${label(f)}: the gateway refused the request: ${e instanceof Error ? e.message : String(e)}`);
      }

      const chats = o.sim.requests.filter((r) => r.path.endsWith("/generateAssistantResponse"));
      expect(chats.length, `${label(f)}: requests that reached Kiro`).toBe(1);
      const violation = validateRequest(chats[0]!.body, LATE_2026_MODEL_IDS);
      expect(violation === null ? null : `${label(f)}: Kiro would refuse it (${violation.rule}): ${violation.detail}`).toBeNull();
      expect(chats[0]!.rejectedBy, `${label(f)}: the simulator refused it`).toBeUndefined();
      const kiro = kiroTexts(chats[0]!.body);
      // Every text the client sent reaches Kiro: messages, instructions, tool outputs.
      for (const t of openaiTexts(f.body)) expect(kiro.text.includes(t.text), `${label(f)}: ${t.field} reached Kiro`).toBe(true);
      for (const id of openaiCallIds(f.body)) {
        expect(kiro.toolUseIds, `${label(f)}: the call ${id}`).toContain(id);
        expect(kiro.toolResultIds, `${label(f)}: the output of ${id}`).toContain(id);
      }

      expect(answer.model, `${label(f)}: model`).toBe(KIRO_GPT);
      if (a?.kind === "tool_use") expect(said(answer), `${label(f)}: the tool call`).toEqual({ name: a.name, input: a.input });
      else expect(said(answer), `${label(f)}: the answer's text`).toEqual({ text: a?.kind === "text" ? a.text : "OK" });
      const usage = answer.usage as { prompt_tokens?: number; input_tokens?: number };
      expect(usage.prompt_tokens ?? usage.input_tokens, `${label(f)}: usage`).toBeGreaterThan(0);
    });
  }
});

/** Every non-blank text an OpenAI client sent (messages, instructions, tool outputs), with the field it was in. */
function openaiTexts(body: unknown): { field: string; text: string }[] {
  const req = body as Json;
  const found: { field: string; text: string }[] = [];
  const add = (field: string, text: unknown) => {
    if (typeof text === "string" && text.trim() !== "") found.push({ field, text });
  };
  add("instructions", req.instructions);
  const parts = (content: unknown, at: string) =>
    typeof content === "string" ? add(at, content) : ((content as Json[] | undefined) ?? []).forEach((p, j) => add(`${at}[${j}]`, p.text));
  if (typeof req.input === "string") add("input", req.input);
  ((Array.isArray(req.input) ? req.input : req.messages ?? []) as Json[]).forEach((item, i) => {
    const at = `${req.messages ? "messages" : "input"}[${i}]`;
    if (item.content !== undefined) parts(item.content, `${at}.content`);
    if (typeof item.output === "string") add(`${at}.output`, item.output);
  });
  return found;
}

/** The ids of the tool calls an OpenAI client sent back with their outputs. */
function openaiCallIds(body: unknown): string[] {
  const req = body as Json;
  if (Array.isArray(req.messages)) return (req.messages as Json[]).flatMap((m) => (m.tool_calls ?? []).map((c: Json) => c.id));
  return (Array.isArray(req.input) ? (req.input as Json[]) : []).filter((i) => i.type === "function_call").map((i) => i.call_id);
}
