/**
 * Frames → Kiro events (kiro-protocol.md §4.3). Unknown event types and payloads that are not the JSON we
 * expect are passed over (returned as null): Kiro adds event types, and one odd frame must not end a reply.
 */
import { isUtf8 } from "node:buffer";
import { type FrameReader, utf8 } from "./eventstream";
import type { KiroEvent } from "./types";

type Json = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/**
 * A text event read from the payload's bytes, whose content's JSON string literal is already the one JSON.stringify
 * writes for it: a writer may copy those bytes out as they are, and the content is decoded only when something
 * reads it.
 */
export class KiroText {
  readonly type = "text";
  #content: string | undefined;
  /** The literal's bytes, quotes included: `#bytes` from `#start` to `#end`. */
  readonly #bytes: Uint8Array;
  readonly #start: number;
  readonly #end: number;
  readonly #characters: number;
  readonly #ideographs: number;

  /** `bytes` from `start` to `end`: the literal, measured. */
  constructor(bytes: Uint8Array, start: number, end: number, characters: number, ideographs: number) {
    this.#bytes = bytes;
    this.#start = start;
    this.#end = end;
    this.#characters = characters;
    this.#ideographs = ideographs;
  }

  get content(): string {
    return (this.#content ??= JSON.parse(utf8.decode(this.#bytes.subarray(this.#start, this.#end))) as string);
  }

  toJSON(): { type: "text"; content: string } {
    return { type: "text", content: this.content };
  }

  /**
   * Copies the UTF-8 bytes of `event`'s content as a JSON string literal, quotes included (`skip`: less its first
   * bytes), when the event was read from them.
   */
  static copyLiteral(event: KiroEvent, into: ByteSink, skip = 0): boolean {
    if (!(#bytes in event)) return false;
    into.copy(event.#bytes, event.#start + skip, event.#end);
    return true;
  }

  /** Whether `event` is a text read from Kiro's bytes: measured, and written out as those bytes. */
  static isRead(event: KiroEvent): event is KiroText {
    return #bytes in event;
  }

  /** Of a text read from bytes: its characters (code points). */
  get characters(): number {
    return this.#characters;
  }

  /** Of a text read from bytes: its CJK ideographs (U+4E00–U+9FFF), which the output estimate counts apart. */
  get ideographs(): number {
    return this.#ideographs;
  }
}

/** Where bytes are copied to: `bytes` from `start` to `end`. */
export interface ByteSink {
  copy(bytes: Uint8Array, start: number, end: number): void;
}

/** A frame's Kiro event, read from its payload where it lies (the decoder's reader). */
export const readEvent: FrameReader<KiroEvent> = (headers, bytes, start, end, view) => {
  const messageType = typeof headers[":message-type"] === "string" ? headers[":message-type"] : "event";
  if (messageType === "event" && headers[":event-type"] === "assistantResponseEvent") {
    const event = textEventOfBytes(bytes, view, start, end);
    if (event) return event;
  }
  const text = utf8.decode(bytes.subarray(start, end));
  const body = parseJson(text);

  if (messageType === "exception") {
    return {
      type: "exception",
      exceptionType: str(headers[":exception-type"]) || str(body?.__type) || "UnknownException",
      message: str(body?.message) || str(body?.Message) || text,
      ...(typeof body?.reason === "string" ? { reason: body.reason } : {}),
    };
  }
  if (messageType === "error") {
    return {
      type: "error",
      code: str(headers[":error-code"]) || "UnknownError",
      message: str(headers[":error-message"]) || text,
    };
  }
  if (!body) return null;

  switch (headers[":event-type"]) {
    case "assistantResponseEvent":
      return typeof body.content === "string" ? { type: "text", content: body.content } : null;
    case "toolUseEvent":
      return {
        type: "toolUse",
        toolUseId: str(body.toolUseId),
        name: str(body.name),
        // Some payloads carry the input as an object rather than a JSON fragment (§4.5).
        input: typeof body.input === "string" ? body.input : body.input == null ? "" : JSON.stringify(body.input),
        stop: body.stop === true,
      };
    case "reasoningContentEvent":
      return {
        type: "reasoning",
        text: str(body.text),
        ...(typeof body.signature === "string" ? { signature: body.signature } : {}),
        ...(typeof body.redactedContent === "string" ? { redactedContent: body.redactedContent } : {}),
      };
    case "contextUsageEvent": {
      const percentage = num(body.contextUsagePercentage);
      return percentage === undefined ? null : { type: "contextUsage", percentage };
    }
    case "meteringEvent":
      return { type: "metering", usage: num(body.usage) ?? 0, ...(typeof body.unit === "string" ? { unit: body.unit } : {}) };
    case "metadataEvent": {
      const usage = body.tokenUsage as Json | undefined;
      return {
        type: "metadata",
        ...(typeof body.stopReason === "string" ? { stopReason: body.stopReason } : {}),
        ...(usage && typeof usage === "object"
          ? {
              tokenUsage: {
                uncachedInputTokens: num(usage.uncachedInputTokens),
                outputTokens: num(usage.outputTokens),
                totalTokens: num(usage.totalTokens),
                cacheReadInputTokens: num(usage.cacheReadInputTokens),
                cacheWriteInputTokens: num(usage.cacheWriteInputTokens),
              },
            }
          : {}),
      };
    }
    default:
      return null;
  }
};

/** `{"content":"` as bytes, and as three little-endian words; the payload ends with `"}`. */
const OPENING_BYTES = new TextEncoder().encode('{"content":"');
const OPENING_VIEW = new DataView(OPENING_BYTES.buffer);
const [OPENING_0, OPENING_1, OPENING_2] = [0, 4, 8].map((at) => OPENING_VIEW.getInt32(at, true)) as [number, number, number];
const CLOSING_QUOTE = 0x22;
const CLOSING_BRACE = 0x7d;

/**
 * What each byte of a string literal adds to the counts of its block, packed in one integer: continuation bytes
 * (bits 0–7), leads of U+5000–U+9FFF (8–14), any lead (15–22) — a block of BLOCK bytes cannot overflow a field. LOOK (a backslash, a quote, a control character, the lead E4 of U+4000–U+4FFF) is
 * looked at on its own. Bytes no UTF-8 holds are left to isUtf8, after the walk.
 */
const LOOK = -1;
const BLOCK = 255;
const BYTE_COUNTS = new Int32Array(256);
/** The escapes JSON.stringify writes itself, after the backslash: \" \\ \b \f \n \r \t (never \/ nor \u). */
const OWN_ESCAPE = new Uint8Array(256);
// Both filled by plain loops: typed arrays' from() with a callback took 0.6–1.3 ms of every start.
for (let c = 0; c < 256; c++) {
  BYTE_COUNTS[c] =
    c === 0x5c || c === 0x22 || c < 0x20 || c === 0xe4 ? LOOK
    : c < 0x80 ? 0
    : c < 0xc0 ? 1
    : (1 << 15) + (c >= 0xe5 && c <= 0xe9 ? 1 << 8 : 0);
}
for (const escape of '"\\bfnrt') OWN_ESCAPE[escape.charCodeAt(0)] = 1;

/**
 * Kiro's text payload, `{"content":"…"}`, taken as bytes when its literal is already the one JSON.stringify writes
 * for its text (the only escapes are stringify's own, the rest valid UTF-8): the literal can go out as it is, and
 * the text is decoded only if something reads it. One walk over the bytes checks the literal and measures the text
 * for the output estimate, adding up counts without a branch for most bytes. Anything else is left to the parse of
 * the text.
 */
function textEventOfBytes(payload: Uint8Array, view: DataView, start: number, stop: number): KiroText | null {
  const from = start + OPENING_BYTES.length;
  const end = stop - 2;
  if (end < from || payload[end] !== CLOSING_QUOTE || payload[end + 1] !== CLOSING_BRACE) return null;
  if (view.getInt32(start, true) !== OPENING_0 || view.getInt32(start + 4, true) !== OPENING_1 || view.getInt32(start + 8, true) !== OPENING_2) return null;
  let i = from;
  // Four bytes a step while they are plain ASCII, which adds nothing to the counts: none has its high bit, none is
  // below 0x20, none is a quote or a backslash (a zero byte of w ^ 0x22222222 or w ^ 0x5c5c5c5c). The first word
  // that has one goes to the walk below.
  for (; i + 4 <= end; i += 4) {
    const w = view.getInt32(i, true);
    const quote = w ^ 0x22222222;
    const backslash = w ^ 0x5c5c5c5c;
    if ((w | ((w - 0x20202020) & ~w) | ((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash)) & 0x80808080) break;
  }
  let escapes = 0;
  let continuations = 0;
  let ideographs = 0;
  let wide = false;
  while (i < end) {
    const blockEnd = Math.min(end, i + BLOCK);
    let counts = 0;
    for (; i < blockEnd; i++) {
      const add = BYTE_COUNTS[payload[i]!]!;
      if (add !== LOOK) {
        counts += add;
        continue;
      }
      const c = payload[i]!;
      if (c === 0xe4) {
        // U+4E00–U+4FFF: E4 B8 80 to E4 BF BF.
        if (payload[i + 1]! >= 0xb8) ideographs++;
        wide = true;
      } else if (c === 0x5c) {
        // Two bytes, one character; an escape of the closing quote leaves the literal unterminated.
        if (++i >= end || OWN_ESCAPE[payload[i]!] === 0) return null;
        escapes++;
      } else {
        return null;
      }
    }
    if (counts !== 0) wide = true;
    continuations += counts & 0xff;
    ideographs += (counts >>> 8) & 0x7f;
  }
  if (wide && !isUtf8(payload.subarray(from, end))) return null;
  // An escape is two bytes of one character, a continuation byte no character of its own.
  const characters = end - from - escapes - continuations;
  return new KiroText(payload, from - 1, end + 1, characters, ideographs);
}

function parseJson(text: string): Json | null {
  if (text.length === 0) return null;
  try {
    const v = JSON.parse(text);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : null;
  } catch {
    return null;
  }
}
