import { describe, expect, test } from "bun:test";
import { GatewayError } from "../errors";
import type { KiroEvent } from "../kiro/types";
import { MessageFolder } from "./output";
import type { StreamEvent } from "./schemas";
import { StreamTranslator, SYNTHETIC_SIGNATURE, type TranslatorOptions } from "./stream";

const MODEL = "claude-sonnet-4-5-20250929";

function translator(overrides: Partial<TranslatorOptions> = {}): StreamTranslator {
  return new StreamTranslator({
    model: MODEL,
    thinking: false,
    inputTokens: 42,
    contextWindow: 200_000,
    toolNames: new Map(),
    messageId: "msg_test",
    ...overrides,
  });
}

/** Kiro's closing events (kiro-protocol-2026.md §4.1), without which a reply was cut. */
const TAIL: KiroEvent[] = [{ type: "metering", usage: 0.01 }];

/** Every event of a whole reply: message_start, one push per Kiro event, Kiro's tail, then finish. */
function run(events: KiroEvent[], overrides: Partial<TranslatorOptions> = {}): StreamEvent[] {
  const t = translator(overrides);
  return [...t.start(), ...[...events, ...TAIL].flatMap((e) => t.push(e)), ...t.finish()];
}

function fold(events: StreamEvent[]) {
  const folder = new MessageFolder();
  for (const e of events) folder.push(e);
  return folder.result();
}

const text = (content: string): KiroEvent => ({ type: "text", content });
const tool = (toolUseId: string, name: string, input: string, stop = false): KiroEvent => ({
  type: "toolUse",
  toolUseId,
  name,
  input,
  stop,
});

const start = (index: number, content_block: Extract<StreamEvent, { type: "content_block_start" }>["content_block"]) =>
  ({ type: "content_block_start", index, content_block }) as const;
const textDelta = (index: number, t: string) =>
  ({ type: "content_block_delta", index, delta: { type: "text_delta", text: t } }) as const;
const thinkingDelta = (index: number, thinking: string) =>
  ({ type: "content_block_delta", index, delta: { type: "thinking_delta", thinking } }) as const;
const signatureDelta = (index: number, signature: string) =>
  ({ type: "content_block_delta", index, delta: { type: "signature_delta", signature } }) as const;
const jsonDelta = (index: number, partial_json: string) =>
  ({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json } }) as const;
const stop = (index: number) => ({ type: "content_block_stop", index }) as const;

const types = (events: StreamEvent[]) => events.map((e) => ("index" in e ? `${e.type}:${e.index}` : e.type));
const stopReason = (events: StreamEvent[]) => {
  const d = events.find((e) => e.type === "message_delta");
  return d?.type === "message_delta" ? d.delta.stop_reason : undefined;
};

describe("the worked example of kiro-protocol.md §10a, event for event", () => {
  test("each upstream event gives exactly the listed SSE events", () => {
    const t = translator({ thinking: true, inputTokens: 57, toolNames: new Map([["get_weather", "get_weather"]]) });
    expect(t.start()).toEqual([
      {
        type: "message_start",
        message: {
          id: "msg_test",
          type: "message",
          role: "assistant",
          content: [],
          model: MODEL,
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 57, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        },
      },
    ]);
    expect(t.push(text("<thinking>\nThe user "))).toEqual([start(0, { type: "thinking", thinking: "", signature: "" })]);
    expect(t.push(text("wants weather.</thinking>\n\nIt is 18°C"))).toEqual([
      thinkingDelta(0, "The user wants weather."),
      thinkingDelta(0, ""),
      signatureDelta(0, SYNTHETIC_SIGNATURE),
      stop(0),
      start(1, { type: "text", text: "" }),
      textDelta(1, "It is 18°C"),
    ]);
    expect(t.push({ type: "metering", usage: 0.01, unit: "credit" })).toEqual([]);
    expect(t.push({ type: "contextUsage", percentage: 1.5 })).toEqual([]);
    expect(t.finish()).toEqual([
      stop(1),
      {
        type: "message_delta",
        delta: { stop_reason: "end_turn", stop_sequence: null },
        // 3000 = 1.5 % of 200,000; 15 = 5 + 10 output tokens for the two chunks (§5.6).
        usage: { input_tokens: 3000, output_tokens: 15, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
      { type: "message_stop" },
    ]);
  });

  test("the same reply split at every character gives the same message", () => {
    const reply = "<thinking>\nThe user wants weather.</thinking>\n\nIt is 18°C";
    for (let cut = 1; cut < reply.length; cut++) {
      const message = fold(run([text(reply.slice(0, cut)), text(reply.slice(cut))], { thinking: true }));
      expect(message.content).toEqual([
        { type: "thinking", thinking: "The user wants weather.", signature: SYNTHETIC_SIGNATURE },
        { type: "text", text: "It is 18°C" },
      ]);
    }
  });
});

describe("text blocks", () => {
  test("are opened lazily: a reply that starts with a tool call has no empty text block", () => {
    const events = run([tool("t1", "Read", '{"path":"a"}', true)]);
    expect(events[1]).toEqual(start(0, { type: "tool_use", id: "t1", name: "Read", input: {} }));
    expect(fold(events).content).toEqual([{ type: "tool_use", id: "t1", name: "Read", input: { path: "a" } }]);
  });

  test("a text block is closed before a tool block starts", () => {
    const events = run([text("Let me look."), tool("t1", "Read", "", false), tool("t1", "Read", "{}", true)]);
    expect(types(events)).toEqual([
      "message_start",
      "content_block_start:0",
      "content_block_delta:0",
      "content_block_stop:0",
      "content_block_start:1",
      "content_block_delta:1",
      "content_block_stop:1",
      "message_delta",
      "message_stop",
    ]);
    expect(stopReason(events)).toBe("tool_use");
  });

  test("a chunk identical to the previous one is kept", () => {
    const events = run([text("ha"), text("ha"), text("!")]);
    expect(fold(events).content).toEqual([{ type: "text", text: "haha!" }]);
  });

  test("text after a tool call opens a new text block", () => {
    const events = run([text("a"), tool("t1", "X", "{}", true), text("b")]);
    expect(fold(events).content).toEqual([
      { type: "text", text: "a" },
      { type: "tool_use", id: "t1", name: "X", input: {} },
      { type: "text", text: "b" },
    ]);
  });

  test("a literal <thinking> in an answer without thinking enabled is plain text", () => {
    const events = run([text("<thinking>\nhi</thinking>\n\nyo")]);
    expect(fold(events).content).toEqual([{ type: "text", text: "<thinking>\nhi</thinking>\n\nyo" }]);
  });
});

describe("tool_use blocks", () => {
  test("a call is held until Kiro stops it, then given whole (one input_json_delta), under the client's name", () => {
    const t = translator({ toolNames: new Map([["mcp_short_1", "mcp__weather__get_current_weather_for_city"]]) });
    t.start();
    expect([...t.push(tool("t1", "mcp_short_1", "")), ...t.push(tool("t1", "mcp_short_1", '{"ci'))]).toEqual([]);
    expect(t.push(tool("t1", "mcp_short_1", 'ty":"Paris"}', true))).toEqual([
      start(0, { type: "tool_use", id: "t1", name: "mcp__weather__get_current_weather_for_city", input: {} }),
      jsonDelta(0, '{"city":"Paris"}'),
      stop(0),
    ]);
  });

  test("a zero-argument tool (one frame, input \"\", stop) is tool_use with input {} (2026 §5)", () => {
    const events = run([tool("t1", "list_tools", "", true)]);
    expect(types(events)).toEqual([
      "message_start",
      "content_block_start:0",
      "content_block_stop:0",
      "message_delta",
      "message_stop",
    ]);
    expect(stopReason(events)).toBe("tool_use");
    expect(fold(events).content).toEqual([{ type: "tool_use", id: "t1", name: "list_tools", input: {} }]);
  });

  test("events repeated for the same toolUseId do not open a second block (§3c 21)", () => {
    const events = run([
      tool("t1", "Read", ""),
      tool("t1", "Read", '{"path":'),
      tool("t1", "Read", ""),
      tool("t1", "Read", '"x"}', true),
      // Kiro replaying the finished tool: the block is already complete.
      tool("t1", "Read", '{"path":"x"}', true),
    ]);
    expect(events.filter((e) => e.type === "content_block_start")).toHaveLength(1);
    expect(fold(events).content).toEqual([{ type: "tool_use", id: "t1", name: "Read", input: { path: "x" } }]);
  });

  test("calls never stopped are never given, and the reply says max_tokens (2026 §5)", () => {
    const events = run([
      text("Two calls."),
      tool("a", "Zero", ""),
      tool("b", "Read", '{"path":"p"}'),
      tool("c", "Grep", '{"q":"z"}', true),
    ]);
    expect(fold(events).content).toEqual([
      { type: "text", text: "Two calls." },
      { type: "tool_use", id: "c", name: "Grep", input: { q: "z" } },
    ]);
    expect(stopReason(events)).toBe("max_tokens");
  });

  test("tool input cut off mid-JSON ends the reply as max_tokens, and the fold does not run half a call (§3c 18–19)", () => {
    const events = run([tool("t1", "Write", '{"path":"a.txt","content":"line 1\\nline', true)]);
    expect(stopReason(events)).toBe("max_tokens");
    expect(fold(events).content).toEqual([{ type: "tool_use", id: "t1", name: "Write", input: {} }]);
  });

  test("a reply that ends without Kiro's closing events was cut: max_tokens, never end_turn (2026 §4.1)", () => {
    const t = translator();
    const events = [...t.start(), ...t.push(text("Half an ans")), ...t.finish()];
    expect(stopReason(events)).toBe("max_tokens");
  });

  test("a stop sequence ends the answer there, with stop_reason stop_sequence and the sequence named", () => {
    const events = run([text("one two ST"), text("OP three")], { stopSequences: ["STOP"] });
    expect(fold(events)).toMatchObject({ content: [{ type: "text", text: "one two " }], stop_reason: "stop_sequence", stop_sequence: "STOP" });
  });

  test("GPT's redacted reasoning is a redacted_thinking block of its own", () => {
    const events = run([text("Hi."), { type: "reasoning", text: "", redactedContent: "blob" }]);
    expect(fold(events).content).toEqual([{ type: "text", text: "Hi." }, { type: "redacted_thinking", data: "blob" }]);
  });

  test("each fragment counts ceil(UTF-8 bytes / 4) output tokens", () => {
    const t = translator();
    t.start();
    t.push(tool("t1", "X", '{"k":"é"}')); // 10 bytes → 3
    t.push(tool("t1", "X", "", true));
    expect(t.usage.output_tokens).toBe(3);
  });
});

describe("thinking", () => {
  test("native reasoning events become a thinking block with their signature, and tags are not parsed", () => {
    const events = run(
      [
        { type: "reasoning", text: "Let me think." },
        { type: "reasoning", text: " Done.", signature: "sig-from-kiro" },
        text("Answer with a literal <thinking>\ntag</thinking>\n\n."),
      ],
      { thinking: true },
    );
    expect(events.slice(1, 7)).toEqual([
      start(0, { type: "thinking", thinking: "", signature: "" }),
      thinkingDelta(0, "Let me think."),
      thinkingDelta(0, " Done."),
      signatureDelta(0, "sig-from-kiro"),
      stop(0),
      start(1, { type: "text", text: "" }),
    ]);
    expect(fold(events).content).toEqual([
      { type: "thinking", thinking: "Let me think. Done.", signature: "sig-from-kiro" },
      { type: "text", text: "Answer with a literal <thinking>\ntag</thinking>\n\n." },
    ]);
  });

  test("native reasoning without a signature gets the synthetic one", () => {
    const events = run([{ type: "reasoning", text: "hm" }, text("ok")]);
    expect(fold(events).content).toEqual([
      { type: "thinking", thinking: "hm", signature: SYNTHETIC_SIGNATURE },
      { type: "text", text: "ok" },
    ]);
  });

  test("text held back for tag detection comes out before native reasoning takes over", () => {
    const events = run([text("Sure"), { type: "reasoning", text: "r" }, text(" thing")], { thinking: true });
    expect(fold(events).content).toEqual([
      { type: "text", text: "Sure" },
      { type: "thinking", thinking: "r", signature: SYNTHETIC_SIGNATURE },
      { type: "text", text: " thing" },
    ]);
  });

  test("a thinking-only reply ends as max_tokens with a one-space text block", () => {
    const events = run([text("<thinking>\nstill thinking when Kiro stopped")], { thinking: true });
    expect(stopReason(events)).toBe("max_tokens");
    expect(fold(events).content).toEqual([
      { type: "thinking", thinking: "still thinking when Kiro stopped", signature: SYNTHETIC_SIGNATURE },
      { type: "text", text: " " },
    ]);
  });

  test("thinking before a tool call is closed before the tool block opens", () => {
    const events = run(
      [text("<thinking>\nI need the tool.</thinking>"), tool("t1", "Read", '{"p":1}', true)],
      { thinking: true },
    );
    expect(types(events).slice(1)).toEqual([
      "content_block_start:0",
      "content_block_delta:0",
      "content_block_delta:0",
      "content_block_delta:0",
      "content_block_delta:0",
      "content_block_stop:0",
      "content_block_start:1",
      "content_block_delta:1",
      "content_block_stop:1",
      "message_delta",
      "message_stop",
    ]);
    expect(fold(events).content).toEqual([
      { type: "thinking", thinking: "I need the tool.", signature: SYNTHETIC_SIGNATURE },
      { type: "tool_use", id: "t1", name: "Read", input: { p: 1 } },
    ]);
    expect(stopReason(events)).toBe("tool_use");
  });

  test("short text held back for tag detection is not lost before a tool call", () => {
    const events = run([text("Checking"), tool("t1", "Read", "{}", true)], { thinking: true });
    expect(fold(events).content).toEqual([
      { type: "text", text: "Checking" },
      { type: "tool_use", id: "t1", name: "Read", input: {} },
    ]);
  });
});

describe("stop_reason and usage", () => {
  test("context usage sets input_tokens to floor(pct × window / 100)", () => {
    const t = translator({ contextWindow: 1_000_000 });
    t.start();
    t.push({ type: "contextUsage", percentage: 12.34567 });
    expect(t.usage.input_tokens).toBe(123456);
  });

  test("without context usage the local estimate is reported", () => {
    const events = run([text("hi")]);
    const delta = events.find((e) => e.type === "message_delta");
    expect(delta?.type === "message_delta" && delta.usage).toEqual({
      input_tokens: 42,
      output_tokens: 1,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
  });

  test("context usage of 100 % forces model_context_window_exceeded, even over tool_use", () => {
    const events = run([tool("t1", "X", "{}", true), { type: "contextUsage", percentage: 100 }]);
    expect(stopReason(events)).toBe("model_context_window_exceeded");
  });

  test("ContentLengthExceededException ends the message normally with max_tokens", () => {
    const events = run([
      text("partial"),
      { type: "exception", exceptionType: "ContentLengthExceededException", message: "too long" },
    ]);
    expect(types(events).slice(-3)).toEqual(["content_block_stop:0", "message_delta", "message_stop"]);
    expect(stopReason(events)).toBe("max_tokens");
  });

  test("a metadata event's stop reason and token usage are preferred over estimates", () => {
    const events = run([
      text("hello"),
      { type: "contextUsage", percentage: 10 },
      {
        type: "metadata",
        stopReason: "CONTENT_FILTERED",
        tokenUsage: { uncachedInputTokens: 900, outputTokens: 77, cacheReadInputTokens: 5000, cacheWriteInputTokens: 12 },
      },
    ]);
    const delta = events.find((e) => e.type === "message_delta");
    expect(delta).toEqual({
      type: "message_delta",
      delta: { stop_reason: "refusal", stop_sequence: null },
      usage: { input_tokens: 900, output_tokens: 77, cache_creation_input_tokens: 12, cache_read_input_tokens: 5000 },
    });
  });

  test("a metadata END_TURN does not hide tool calls; an unknown reason is ignored", () => {
    expect(stopReason(run([tool("t1", "X", "{}", true), { type: "metadata", stopReason: "END_TURN" }]))).toBe(
      "tool_use",
    );
    expect(stopReason(run([text("x"), { type: "metadata", stopReason: "UNKNOWN" }]))).toBe("end_turn");
    expect(stopReason(run([tool("t1", "X", "{}", true), { type: "metadata", stopReason: "MAX_TOKENS" }]))).toBe(
      "max_tokens",
    );
  });

  test("output tokens follow §5.6 per text chunk, CJK counted at 2/3", () => {
    const t = translator();
    t.start();
    t.push(text("你好世界")); // ceil(8/3) = 3
    t.push(text("abcde")); // ceil(5/4) = 2
    expect(t.usage.output_tokens).toBe(5);
  });
});

describe("failures after streaming began", () => {
  const failureOf = (t: StreamTranslator) => {
    try {
      t.finish();
    } catch (e) {
      return e as GatewayError;
    }
    throw new Error("finish() did not throw");
  };

  test("a ThrottlingException ends the reply as overloaded, not a silent truncation", () => {
    const t = translator();
    const events = [...t.start(), ...t.push(text("half an ans"))];
    expect(
      t.push({ type: "exception", exceptionType: "ThrottlingException", message: "Too many requests" }),
    ).toEqual([]);
    expect(t.push(text("wer"))).toEqual([]);
    const failure = failureOf(t);
    expect(failure).toBeInstanceOf(GatewayError);
    expect(failure).toMatchObject({ kind: "overloaded", message: "Upstream ThrottlingException: Too many requests" });
    expect(types(events)).toEqual(["message_start", "content_block_start:0", "content_block_delta:0"]);
    expect(t.finish()).toEqual([]);
  });

  test("other exceptions and error frames end the reply as an upstream failure", () => {
    const t1 = translator();
    t1.start();
    t1.push({ type: "exception", exceptionType: "ValidationException", message: "bad", reason: "INVALID_MODEL_ID" });
    expect(failureOf(t1)).toMatchObject({ kind: "upstream", message: "Upstream ValidationException: bad" });
    const t2 = translator();
    t2.start();
    t2.push({ type: "error", code: "InternalFailure", message: "boom" });
    expect(failureOf(t2)).toMatchObject({ kind: "upstream", message: "Upstream error InternalFailure: boom" });
  });
});

describe("message ids", () => {
  test("default to msg_ and 32 hex digits, different per reply", () => {
    const a = new StreamTranslator({ model: MODEL, thinking: false, inputTokens: 1, contextWindow: 1, toolNames: new Map() });
    const b = new StreamTranslator({ model: MODEL, thinking: false, inputTokens: 1, contextWindow: 1, toolNames: new Map() });
    const idOf = (t: StreamTranslator) => {
      const [e] = t.start();
      return e?.type === "message_start" ? e.message.id : "";
    };
    const [x, y] = [idOf(a), idOf(b)];
    expect(x).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(x).not.toBe(y);
  });

  test("message_start is sent once", () => {
    const t = translator();
    expect(t.start()).toHaveLength(1);
    expect(t.start()).toEqual([]);
  });
});
