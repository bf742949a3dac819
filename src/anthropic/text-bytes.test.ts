/**
 * Kiro text read as bytes (KiroText from the payload, copied into the SSE as it came) against the same text given
 * as strings: every front writes the same bytes, whichever way Kiro spelled the text and however the network cut it.
 */
import { describe, expect, test } from "bun:test";
import { openReply } from "../kiro/reply";
import type { KiroEvent } from "../kiro/types";
import { Logger } from "../log";
import { ChatChunkWriter } from "../openai/chat-reply";
import { ResponsesWriter } from "../openai/responses-reply";
import { ToolSet } from "../openai/tools";
import { concat, encodeFrame, eventFrame } from "../simulator/frames";
import { encodeSSE, KiroTextDelta, MessageFolder } from "./output";
import { streamMessage, TranslatedReply } from "./respond";
import type { StreamEvent } from "./schemas";
import { StreamTranslator } from "./stream";

const TEXT_HEADERS = { ":event-type": "assistantResponseEvent", ":content-type": "application/json", ":message-type": "event" };
const log = new Logger("warn", () => {});

let seed = 17;
const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

const hex4 = (c: number) => c.toString(16).padStart(4, "0");
/** ASCII, JSON's short escapes, UTF-8 of two to four bytes, the bounds of the estimate's ideographs, U+2028, tags, a stop. */
const PIECES = [
  "plain words ", "a", " ", "/", '"', "\\", "\n", "\t", "\r", "\b", "\f", "<", ">", "\u007f", "é", "ñ", "東京", "一", "\u9fff", "\u4dff",
  "\ua000", "🚀", "👍🏽", "\u2028", "\u2029", "\ufeff", "\ufffd", "<thinking>", "</thinking>\n\n", "STOP",
];
/** Every other control character and lone surrogates: JSON.stringify spells them with \u, so the text takes the string path. */
const RARE = [...Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)), "\ud800", "\udc00", "\ud83d", "\udfff"];
const piece = () => (random() < 0.03 ? pick(RARE) : pick(PIECES));

/** How Kiro may spell a text: JSON.stringify's own literal (the bytes path), or with escapes stringify never writes. */
const SPELLINGS: Array<(text: string) => string> = [
  (t) => JSON.stringify(t),
  (t) => JSON.stringify(t),
  (t) => JSON.stringify(t),
  (t) => JSON.stringify(t).replaceAll("/", "\\/"),
  (t) => JSON.stringify(t).replace(/[\u0080-\uffff]/g, (c) => `\\u${hex4(c.charCodeAt(0))}`),
];

function randomText(): string {
  let text = "";
  for (let k = Math.floor(random() * 12); k > 0; k--) text += piece();
  return text;
}

/** Kiro's reply: the texts' frames, a tail, and the bytes cut anywhere (inside frames and UTF-8 sequences). */
function kiroBody(texts: readonly string[]): ReadableStream<Uint8Array> {
  const frames = texts.map((t) => encodeFrame(TEXT_HEADERS, `{"content":${pick(SPELLINGS)(t)}}`));
  frames.push(eventFrame("meteringEvent", { unit: "credit", usage: 0.5 }), eventFrame("contextUsageEvent", { contextUsagePercentage: 3 }));
  const bytes = concat(frames);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(random() * (random() < 0.5 ? 8 : 400));
    chunks.push(bytes.slice(at, at + size));
    at += size;
  }
  return new ReadableStream({
    pull(controller) {
      const next = chunks.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}

interface Case {
  texts: string[];
  thinking: boolean;
  stopSequences: string[];
}

const translator = (c: Case) =>
  new StreamTranslator({ model: "m", thinking: c.thinking, inputTokens: 3, contextWindow: 200_000, toolNames: new Map(), messageId: "msg_1", stopSequences: c.stopSequences });

/** The Anthropic events of the texts given as strings. */
function plainEvents(c: Case): { events: StreamEvent[]; outputTokens: number } {
  const t = translator(c);
  const kiro: KiroEvent[] = [...c.texts.map((content): KiroEvent => ({ type: "text", content })), { type: "metering", usage: 0.5, unit: "credit" }, { type: "contextUsage", percentage: 3 }];
  const events = [...t.start(), ...kiro.flatMap((e) => t.push(e)), ...t.finish()];
  return { events, outputTokens: t.usage.output_tokens };
}

/** Deltas written from Kiro's bytes, to be sure the bytes path was taken. */
let bytesDeltas = 0;

/** The same reply read from Kiro's bytes, as the gateway reads it: the SSE bytes, and the events for the other writers. */
async function bytesReply(c: Case): Promise<{ sse: Uint8Array; events: StreamEvent[]; outputTokens: number }> {
  const t = translator(c);
  const reply = new TranslatedReply(t, { ...(await openReply(kiroBody(c.texts).getReader())), abort() {} }, log);
  const sse = new Uint8Array(await streamMessage(reply, log).arrayBuffer());
  const again = translator(c);
  const events: StreamEvent[] = [...again.start()];
  const opened = await openReply(kiroBody(c.texts).getReader());
  for (const e of opened.first) again.push(e, events);
  for await (const batch of opened.rest) for (const e of batch) again.push(e, events);
  for (const e of events) if (e.type === "content_block_delta" && e.delta instanceof KiroTextDelta) bytesDeltas++;
  events.push(...again.finish());
  return { sse, events, outputTokens: t.usage.output_tokens };
}

function sameBytes(sse: Uint8Array, expected: string): void {
  expect(Buffer.from(sse).toString("utf8")).toBe(expected);
  expect(Buffer.from(sse).equals(Buffer.from(expected, "utf8"))).toBe(true);
}

/** One block's text deltas that follow each other. */
const TEXT_RUN =
  /"index":(\d+),"delta":\{"type":"text_delta","text":("(?:[^"\\]|\\.)*)"\}\}\n\nevent: content_block_delta\ndata: \{"type":"content_block_delta","index":\1,"delta":\{"type":"text_delta","text":"/g;

/**
 * The SSE with each run of one block's text deltas joined into one, byte for byte, as the writer joins those one
 * write holds (where the network cut the reply decides which): the same text, whatever the cuts.
 */
function joinedTexts(sse: string): string {
  for (;;) {
    const joined = sse.replace(TEXT_RUN, '"index":$1,"delta":{"type":"text_delta","text":$2');
    if (joined === sse) return sse;
    sse = joined;
  }
}

function chatStream(events: readonly StreamEvent[], stop: readonly string[]): string {
  const writer = new ChatChunkWriter({ id: "chatcmpl-1", model: "m", created: 0, stop, includeUsage: true });
  return events.flatMap((e) => writer.push(e)).map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join("");
}

function responsesStream(events: readonly StreamEvent[]): string {
  const writer = new ResponsesWriter({ id: "resp_1", model: "m", createdAt: 0, tools: new ToolSet(), compaction: false, echo: {} as never });
  const text = events.flatMap((e) => writer.push(e)).map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join("");
  // Item ids are random.
  return text.replace(/\b(msg|rs)_[0-9a-f]{32}\b/g, "$1_id");
}

function fold(events: readonly StreamEvent[]): string {
  const folder = new MessageFolder();
  for (const e of events) folder.push(e);
  return JSON.stringify(folder.result());
}

describe("Kiro text read as bytes", () => {
  test("every front writes the bytes the same text given as strings gives", async () => {
    for (let n = 0; n < 300; n++) {
      const c: Case = {
        texts: Array.from({ length: 1 + Math.floor(random() * 6) }, randomText),
        thinking: random() < 0.3,
        stopSequences: random() < 0.2 ? ["STOP"] : [],
      };
      const plain = plainEvents(c);
      const read = await bytesReply(c);
      // Fatal: bytes that are not UTF-8 throw rather than pass as U+FFFD.
      const text = new TextDecoder("utf-8", { fatal: true }).decode(read.sse);
      expect(joinedTexts(text)).toBe(joinedTexts(plain.events.map(encodeSSE).join("")));
      expect(read.outputTokens).toBe(plain.outputTokens);
      expect(fold(read.events)).toBe(fold(plain.events));
      expect(chatStream(read.events, c.stopSequences)).toBe(chatStream(plain.events, c.stopSequences));
      expect(responsesStream(read.events)).toBe(responsesStream(plain.events));
    }
    expect(bytesDeltas).toBeGreaterThan(300);
  });

  test("a text in every piece alone, and all of them at length: the same SSE bytes and the same output estimate", async () => {
    for (const one of [...PIECES, ...RARE, PIECES.join("").repeat(9), [...PIECES].reverse().join("").repeat(7)]) {
      for (const texts of [[one], [one.repeat(70)], [`${one}x${one}`]]) {
        const c: Case = { texts, thinking: false, stopSequences: [] };
        const plain = plainEvents(c);
        const read = await bytesReply(c);
        sameBytes(read.sse, plain.events.map(encodeSSE).join(""));
        expect(read.outputTokens).toBe(plain.outputTokens);
      }
    }
  });
});
