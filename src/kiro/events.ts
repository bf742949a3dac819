/**
 * Frames → Kiro events (kiro-protocol.md §4.3). Unknown event types and payloads that are not the JSON we
 * expect are passed over (returned as null): Kiro adds event types, and one odd frame must not end a reply.
 */
import { isUtf8 } from "node:buffer";
import { payloadText, utf8, type Frame } from "./eventstream";
import type { KiroEvent } from "./types";

type Json = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/**
 * A text event that also keeps the content's JSON string literal as Kiro wrote it, when that is already the literal
 * JSON.stringify writes for the content: a writer may put it out as it is instead of stringifying the text again.
 * Read from the payload's bytes (`literal`), the content is decoded only when something reads it.
 */
export class KiroText {
  readonly type = "text";
  #content: string | undefined;
  readonly #json: string | undefined;
  readonly #literal: Uint8Array | undefined;
  readonly #shape: TextShape | undefined;

  constructor(content: string | undefined, json?: string, literal?: Uint8Array, shape?: TextShape) {
    this.#content = content;
    this.#json = json;
    this.#literal = literal;
    this.#shape = shape;
  }

  get content(): string {
    return (this.#content ??= JSON.parse(utf8.decode(this.#literal)) as string);
  }

  toJSON(): { type: "text"; content: string } {
    return { type: "text", content: this.content };
  }

  /** The JSON string literal of `event`'s content, when one came with it. */
  static jsonOf(event: KiroEvent): string | undefined {
    return #json in event ? event.#json : undefined;
  }

  /** The UTF-8 bytes of `event`'s content as a JSON string literal, quotes included, when the event was read from them. */
  static literalOf(event: KiroEvent): Uint8Array | undefined {
    return #literal in event ? event.#literal : undefined;
  }

  /** The shape of `event`'s content, when the event was read from bytes. */
  static shapeOf(event: KiroEvent): TextShape | undefined {
    return #shape in event ? event.#shape : undefined;
  }
}

/**
 * What the output-token estimate needs of a text, gathered while its bytes are checked: its length in UTF-16 code
 * units, its CJK ideographs (U+4E00–U+9FFF) and its characters beyond the BMP.
 */
export interface TextShape {
  length: number;
  ideographs: number;
  astral: number;
}

export function frameToEvent(frame: Frame): KiroEvent | null {
  const messageType = typeof frame.headers[":message-type"] === "string" ? frame.headers[":message-type"] : "event";
  const isText = messageType === "event" && frame.headers[":event-type"] === "assistantResponseEvent";
  if (isText) {
    const event = textEventOfBytes(frame.payload);
    if (event) return event;
  }
  const text = payloadText(frame);
  if (isText) {
    const event = textEvent(text);
    if (event) return event;
  }
  const body = parseJson(text);

  if (messageType === "exception") {
    return {
      type: "exception",
      exceptionType: str(frame.headers[":exception-type"]) || str(body?.__type) || "UnknownException",
      message: str(body?.message) || str(body?.Message) || text,
      ...(typeof body?.reason === "string" ? { reason: body.reason } : {}),
    };
  }
  if (messageType === "error") {
    return {
      type: "error",
      code: str(frame.headers[":error-code"]) || "UnknownError",
      message: str(frame.headers[":error-message"]) || text,
    };
  }
  if (!body) return null;

  switch (frame.headers[":event-type"]) {
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
}

const TEXT_OPENING = '{"content":';

/** `{"content":"` and `"}` as bytes. */
const OPENING_BYTES = new TextEncoder().encode(`${TEXT_OPENING}"`);
const CLOSING_QUOTE = 0x22;
const CLOSING_BRACE = 0x7d;

/**
 * Byte classes inside a string literal: PLAIN goes out as it is; the rest is looked at. A quote or a control
 * character is no JSON string's (REFUSED); so are bytes no UTF-8 holds, which isUtf8 finds after the walk.
 */
const PLAIN = 0;
const BACKSLASH = 1;
const REFUSED = 2;
const CONTINUATION = 3;
const LEAD = 4;
const LEAD_OF_3 = 5;
const LEAD_OF_4 = 6;
const BYTE_CLASS = Uint8Array.from({ length: 256 }, (_, c) =>
  c === 0x5c ? BACKSLASH
  : c < 0x20 || c === 0x22 ? REFUSED
  : c < 0x80 ? PLAIN
  : c < 0xc0 ? CONTINUATION
  : c < 0xe0 ? LEAD
  : c < 0xf0 ? LEAD_OF_3
  : LEAD_OF_4,
);
/** The escapes JSON.stringify writes itself, after the backslash: \" \\ \b \f \n \r \t (never \/ nor \u). */
const OWN_ESCAPE = Uint8Array.from({ length: 256 }, (_, c) => ('"\\bfnrt'.includes(String.fromCharCode(c)) ? 1 : 0));

/**
 * Kiro's text payload, `{"content":"…"}`, taken as bytes when its literal is already the one JSON.stringify writes
 * for its text (the only escapes are stringify's own, the rest valid UTF-8): the literal can go out as it is, and
 * the text is decoded only if something reads it. One walk over the bytes checks the literal and measures the text
 * for the output estimate. Anything else is left to the parse of the text.
 */
function textEventOfBytes(payload: Uint8Array): KiroText | null {
  const end = payload.length - 2;
  if (end < OPENING_BYTES.length || payload[end] !== CLOSING_QUOTE || payload[end + 1] !== CLOSING_BRACE) return null;
  for (let i = 0; i < OPENING_BYTES.length; i++) if (payload[i] !== OPENING_BYTES[i]) return null;
  let length = end - OPENING_BYTES.length;
  let ideographs = 0;
  let astral = 0;
  let wide = false;
  for (let i = OPENING_BYTES.length; i < end; i++) {
    const kind = BYTE_CLASS[payload[i]!]!;
    if (kind === PLAIN) continue;
    switch (kind) {
      case BACKSLASH:
        // Two bytes, one character; an escape of the closing quote leaves the literal unterminated.
        if (++i >= end || OWN_ESCAPE[payload[i]!] === 0) return null;
        length--;
        break;
      case REFUSED:
        return null;
      case CONTINUATION:
        length--;
        break;
      case LEAD_OF_3: {
        wide = true;
        // U+4E00–U+9FFF: E4 B8 80 to E9 BF BF.
        const lead = payload[i]!;
        if ((lead === 0xe4 && payload[i + 1]! >= 0xb8) || (lead >= 0xe5 && lead <= 0xe9)) ideographs++;
        break;
      }
      case LEAD_OF_4:
        // Four bytes, two UTF-16 units: the three continuations take off three.
        wide = true;
        astral++;
        length++;
        break;
      default:
        wide = true;
    }
  }
  const literal = payload.subarray(OPENING_BYTES.length - 1, end + 1);
  if (wide && !isUtf8(literal)) return null;
  return new KiroText(undefined, undefined, literal, { length, ideographs, astral });
}

/**
 * Kiro's text payload, `{"content":"…"}`, read by parsing the string literal alone (half the work of the object
 * around it on short texts). Anything else — more fields, other spacing — is left to the general parse.
 */
function textEvent(payload: string): KiroText | null {
  if (!payload.startsWith(`${TEXT_OPENING}"`) || !payload.endsWith('"}')) return null;
  const literal = payload.slice(TEXT_OPENING.length, -1);
  let content: unknown;
  try {
    content = JSON.parse(literal);
  } catch {
    return null;
  }
  if (typeof content !== "string") return null;
  // Parsed as one string, from text decoded out of UTF-8 (so no lone surrogates): with no \u escape and no
  // escaped slash, every escape is one JSON.stringify writes, and every other character is one it leaves as it is.
  return new KiroText(content, literal.includes("\\u") || literal.includes("\\/") ? undefined : literal);
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
