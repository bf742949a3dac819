import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, test } from "bun:test";
import { GatewayError } from "../errors";
import type { KiroEvent } from "../kiro/types";
import { SseChunk } from "../http/sse";
import { encodeSSE, KiroTextDelta, MessageFolder, TextDelta, writeSSE } from "./output";
import { errorBody } from "./errors";
import type { MessageResponse, SseEvent, StreamEvent } from "./schemas";
import { StreamTranslator, SYNTHETIC_SIGNATURE } from "./stream";
import { webSearchEvents } from "./web-search";
import { EventStreamDecoder } from "../kiro/eventstream";
import { KiroText, readEvent } from "../kiro/events";
import { encodeFrame } from "../simulator/frames";

const TEXT_HEADERS = { ":event-type": "assistantResponseEvent", ":content-type": "application/json", ":message-type": "event" };

const MODEL = "claude-sonnet-4-6";

function translate(kiro: KiroEvent[], thinking = true): StreamEvent[] {
  const t = new StreamTranslator({
    model: MODEL,
    thinking,
    inputTokens: 100,
    contextWindow: 200_000,
    toolNames: new Map([["get_weather_s", "get_weather"]]),
    messageId: "msg_0123456789abcdef0123456789abcdef",
  });
  return [...t.start(), ...kiro.flatMap((e) => t.push(e)), ...t.finish()];
}

function fold(events: StreamEvent[]): MessageResponse {
  const folder = new MessageFolder();
  for (const e of events) folder.push(e);
  return folder.result();
}

/** What the official SDK accumulates from these SSE bytes, fetched as a real streaming response body. */
async function sdkFinalMessage(sse: string) {
  const bytes = new TextEncoder().encode(sse);
  const client = new Anthropic({
    apiKey: "test-key",
    baseURL: "http://gateway.test",
    maxRetries: 0,
    fetch: async () =>
      new Response(
        // Deliver the bytes in uneven pieces, as a network would.
        new ReadableStream<Uint8Array>({
          start(controller) {
            for (let at = 0; at < bytes.length; at += 7) controller.enqueue(bytes.slice(at, at + 7));
            controller.close();
          },
        }),
        { headers: { "content-type": "text/event-stream" } },
      ),
  });
  return client.messages
    .stream({ model: MODEL, max_tokens: 1024, messages: [{ role: "user", content: "Weather in Paris?" }] })
    .finalMessage();
}

const REPLY: KiroEvent[] = [
  { type: "text", content: "<thinking>\nThe user wants " },
  { type: "text", content: "weather.</thinking>\n\nLet me check “Paris” 🌤" },
  { type: "toolUse", toolUseId: "tooluse_1", name: "get_weather_s", input: "", stop: false },
  { type: "toolUse", toolUseId: "tooluse_1", name: "get_weather_s", input: '{"city":', stop: false },
  { type: "toolUse", toolUseId: "tooluse_1", name: "get_weather_s", input: '"Paris"}', stop: true },
  { type: "toolUse", toolUseId: "tooluse_2", name: "now", input: "", stop: true },
  { type: "metering", usage: 0.02 },
  { type: "contextUsage", percentage: 2.5 },
];

const EXPECTED: MessageResponse = {
  id: "msg_0123456789abcdef0123456789abcdef",
  type: "message",
  role: "assistant",
  model: MODEL,
  content: [
    { type: "thinking", thinking: "The user wants weather.", signature: SYNTHETIC_SIGNATURE },
    { type: "text", text: "Let me check “Paris” 🌤" },
    { type: "tool_use", id: "tooluse_1", name: "get_weather", input: { city: "Paris" } },
    { type: "tool_use", id: "tooluse_2", name: "now", input: {} },
  ],
  stop_reason: "tool_use",
  stop_sequence: null,
  // Output: 7 + 11 for the two text chunks, 2 + 2 for the tool fragments (§5.6).
  usage: { input_tokens: 5000, output_tokens: 22, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
};

describe("encodeSSE", () => {
  test("writes the event name, compact JSON and a blank line (§5.1)", () => {
    expect(encodeSSE({ type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "a\nb “c”" } })).toBe(
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"a\\nb “c”"}}\n\n',
    );
    expect(encodeSSE({ type: "message_stop" })).toBe('event: message_stop\ndata: {"type":"message_stop"}\n\n');
  });

  test("deltas written from the template are the bytes of the whole event stringified", () => {
    const whole = (event: SseEvent) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
    // Quotes, backslashes, every control character, DEL, Latin-1, BMP, pairs, lone halves, U+2028/9, and "</script>".
    const pieces = ['"', "\\", "/", "\u007f", "é", "東京", "🚀", "\ud83d", "\ude80", "\u2028\u2029", "</script>", "plain words ", "\uffff", "\ufeff"];
    for (let c = 0; c < 0x20; c++) pieces.push(String.fromCharCode(c));
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let n = 0; n < 2000; n++) {
      let text = "";
      for (let k = Math.floor(next() * 40); k > 0; k--) text += pieces[Math.floor(next() * pieces.length)];
      const index = Math.floor(next() * 1000);
      for (const delta of [
        { type: "text_delta", text },
        { type: "thinking_delta", thinking: text },
        { type: "input_json_delta", partial_json: text },
        { type: "signature_delta", signature: text },
      ] as const) {
        const event: SseEvent = { type: "content_block_delta", index, delta };
        expect(encodeSSE(event)).toBe(whole(event));
      }
    }
    // The events a translator and the web search write, as they build them.
    const translated = [...translate(REPLY), ...translate(REPLY, false), ...translate([{ type: "reasoning", text: "r\u0000", signature: "s" }, ...REPLY])];
    const searched = webSearchEvents({ model: MODEL, query: 'weather "Paris"\n', hits: [{ title: "T\u2028", url: "https://x.test/", snippet: "s🚀\ud800" }], inputTokens: 9 });
    for (const event of [...translated, ...searched]) expect(encodeSSE(event)).toBe(whole(event));
  });

  test("text Kiro wrote as JSON goes out as the bytes of its text stringified, however Kiro escaped it", () => {
    const whole = (event: SseEvent) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
    const hex4 = (c: number) => c.toString(16).padStart(4, "0");
    // Ways a JSON writer may spell the same string: JSON.stringify's own, and escapes it never writes.
    const writers: Array<(text: string) => string> = [
      (t) => JSON.stringify(t),
      (t) => JSON.stringify(t).replaceAll("/", "\\/"),
      (t) => JSON.stringify(t).replace(/[\u007f-\uffff]/g, (c) => `\\u${hex4(c.charCodeAt(0)).toUpperCase()}`),
      (t) => JSON.stringify(t).replace(/[\u0080-\uffff]/g, (c) => `\\u${hex4(c.charCodeAt(0))}`),
      (t) => JSON.stringify(t).replace(/\\u00([0-9a-f]{2})/g, (_, h: string) => `\\u00${h.toUpperCase()}`),
      (t) => JSON.stringify(t).replaceAll("\\n", "\\u000a"),
    ];
    const pieces = ['"', "\\", "/", "\\/", "\\u", "é", "東京", "🚀", "\u2028", "plain ", "\u007f", "\ufeff", "\ufffd", "\n", "\t", "\u0000", "\u001f", "\b"];
    let seed = 11;
    const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const decoder = new EventStreamDecoder({ read: readEvent });
    for (let n = 0; n < 600; n++) {
      let text = "";
      for (let k = Math.floor(next() * 24); k > 0; k--) text += pieces[Math.floor(next() * pieces.length)];
      for (const write of writers) {
        const event = decoder.push(encodeFrame(TEXT_HEADERS, `{"content":${write(text)}}`))[0]!;
        expect(event.type === "text" && event.content).toBe(text);
        const t = new StreamTranslator({ model: MODEL, thinking: n % 2 === 0, inputTokens: 1, contextWindow: 1000, toolNames: new Map() });
        for (const e of [...t.push(event), ...t.push({ type: "text", content: text })]) expect(encodeSSE(e)).toBe(whole(e));
      }
    }
  });
});

describe("writeSSE", () => {
  const written = (chunk: SseChunk) => Buffer.from(chunk.bytes()).toString("utf8");
  const kiroText = (text: string) => {
    const event = new EventStreamDecoder({ read: readEvent }).push(encodeFrame(TEXT_HEADERS, `{"content":${JSON.stringify(text)}}`))[0]!;
    if (!KiroText.isRead(event)) throw new Error("not a text read from bytes");
    return new KiroTextDelta(event);
  };
  const delta = (index: number, d: TextDelta | KiroTextDelta): SseEvent => ({ type: "content_block_delta", index, delta: d });

  test("one block's texts that follow each other in a write go out as one delta, their literals joined byte for byte", () => {
    const chunk = new SseChunk();
    const events: SseEvent[] = [
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      delta(0, kiroText('Hel"')),
      delta(0, new TextDelta("lo\\")),
      delta(0, kiroText("\n東京 🚀")),
      delta(0, kiroText("")),
      { type: "content_block_stop", index: 0 },
      delta(1, kiroText("a")),
      delta(2, kiroText("b")),
      delta(2, new TextDelta("c")),
    ];
    for (const e of events) writeSSE(e, chunk);
    expect(written(chunk)).toBe(
      [
        encodeSSE(events[0]!),
        encodeSSE(delta(0, new TextDelta('Hel"lo\\\n東京 🚀'))),
        encodeSSE(events[5]!),
        encodeSSE(delta(1, new TextDelta("a"))),
        encodeSSE(delta(2, new TextDelta("bc"))),
      ].join(""),
    );
  });

  test("a new write opens a new delta, and any other event ends the run", () => {
    const chunk = new SseChunk();
    writeSSE(delta(0, kiroText("a")), chunk);
    chunk.clear();
    writeSSE(delta(0, kiroText("b")), chunk);
    writeSSE({ type: "ping" }, chunk);
    writeSSE(delta(0, kiroText("c")), chunk);
    // Past the indexes whose openings are kept as bytes.
    writeSSE(delta(40, new TextDelta("d")), chunk);
    writeSSE(delta(40, kiroText("e")), chunk);
    expect(written(chunk)).toBe(
      [delta(0, new TextDelta("b")), { type: "ping" } as SseEvent, delta(0, new TextDelta("c")), delta(40, new TextDelta("de"))].map(encodeSSE).join(""),
    );
  });
  test("thinking deltas stay one per Kiro event (kiro-protocol-2026.md, conformance test 10)", () => {
    const chunk = new SseChunk();
    const thinking = (t: string): SseEvent => ({ type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: t } });
    const events = [thinking("Let "), thinking("me think"), thinking(""), { type: "content_block_stop", index: 0 } as SseEvent, delta(1, kiroText("x"))];
    for (const e of events) writeSSE(e, chunk);
    expect(written(chunk)).toBe(events.map(encodeSSE).join(""));
  });
});

describe("MessageFolder", () => {
  test("folds a streamed reply into the §5.10 message: blocks in index order, tool input parsed", () => {
    expect(fold(translate(REPLY))).toEqual(EXPECTED);
  });

  test("gives the same message as the official Anthropic SDK accumulating the SSE bytes", async () => {
    const events = translate(REPLY);
    const sse = events.map(encodeSSE).join("");
    const fromSdk = await sdkFinalMessage(sse);
    const folded = fold(events);
    expect(fromSdk.id).toBe(folded.id);
    expect(fromSdk.model).toBe(folded.model);
    expect(fromSdk.content).toEqual(folded.content as typeof fromSdk.content);
    expect(fromSdk.stop_reason).toBe(folded.stop_reason);
    expect(fromSdk.usage).toMatchObject(folded.usage);
    expect(folded).toEqual(EXPECTED);
  });

  test("the SDK agrees on a plain text reply and on a native-reasoning reply", async () => {
    for (const kiro of [
      [{ type: "text", content: "Hello, " }, { type: "text", content: "world." }],
      [
        { type: "reasoning", text: "Think", signature: "real-signature" },
        { type: "text", content: "Answer" },
      ],
    ] satisfies KiroEvent[][]) {
      const events = translate(kiro, false);
      const fromSdk = await sdkFinalMessage(events.map(encodeSSE).join(""));
      expect(fromSdk.content).toEqual(fold(events).content as typeof fromSdk.content);
      expect(fromSdk.usage).toMatchObject(fold(events).usage);
    }
  });

  test("an SSE error event reaches the SDK as an error of the same type", async () => {
    const t = new StreamTranslator({ model: MODEL, thinking: false, inputTokens: 1, contextWindow: 1, toolNames: new Map() });
    const events: SseEvent[] = [...t.start(), ...t.push({ type: "text", content: "par" })];
    t.push({ type: "exception", exceptionType: "ThrottlingException", message: "slow down" });
    const failure = (() => {
      try {
        t.finish();
      } catch (e) {
        return e as GatewayError;
      }
      throw new Error("finish() did not throw");
    })();
    events.push(errorBody(failure.kind, failure.message));
    const error = await sdkFinalMessage(events.map(encodeSSE).join("")).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toEqual({
      type: "error",
      error: { type: "overloaded_error", message: "Upstream ThrottlingException: slow down" },
    });
  });

  test("events out of order are refused, as the SDK's accumulator refuses them", () => {
    const [start] = translate([]);
    const delta = { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "x" } } as const;
    expect(() => new MessageFolder().push(delta)).toThrow("out of order");
    const folder = new MessageFolder();
    folder.push(start!);
    expect(() => folder.push(delta)).toThrow("unexpected content_block_delta");
    folder.push({ type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } });
    expect(() => folder.push(delta)).toThrow("unexpected content_block_delta");
    folder.push({ type: "message_stop" });
    expect(() => folder.push({ type: "message_stop" })).toThrow("unexpected message_stop");
  });

  test("tool input: empty is {}, and JSON cut off upstream is {} rather than half the arguments", () => {
    const events = translate(
      [
        { type: "toolUse", toolUseId: "a", name: "noop", input: "", stop: true },
        { type: "toolUse", toolUseId: "b", name: "Write", input: '{"path":"x","content":"abc', stop: true },
      ],
      false,
    );
    const message = fold(events);
    expect(message.content).toEqual([
      { type: "tool_use", id: "a", name: "noop", input: {} },
      { type: "tool_use", id: "b", name: "Write", input: {} },
    ]);
    expect(message.stop_reason).toBe("max_tokens");
  });

  test("usage comes from message_delta", () => {
    const folder = new MessageFolder();
    const [startEvent] = translate([]);
    folder.push(startEvent!);
    folder.push({
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { input_tokens: 7, output_tokens: 9 },
    });
    folder.push({ type: "message_stop" });
    expect(folder.result()).toMatchObject({
      content: [],
      stop_reason: "end_turn",
      usage: { input_tokens: 7, output_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });
});
