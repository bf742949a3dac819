/**
 * Frames → Kiro events (kiro-protocol.md §4.3). Unknown event types and payloads that are not the JSON we
 * expect are passed over (returned as null): Kiro adds event types, and one odd frame must not end a reply.
 */
import { payloadText, type Frame } from "./eventstream";
import type { KiroEvent } from "./types";

type Json = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/**
 * A text event that also keeps the content's JSON string literal as Kiro wrote it, when that is already the literal
 * JSON.stringify writes for the content: a writer may put it out as it is instead of stringifying the text again.
 */
export class KiroText {
  readonly type = "text";
  readonly content: string;
  readonly #json: string | undefined;

  constructor(content: string, json?: string) {
    this.content = content;
    this.#json = json;
  }

  /** The JSON string literal of `event`'s content, when one came with it. */
  static jsonOf(event: KiroEvent): string | undefined {
    return #json in event ? event.#json : undefined;
  }
}

export function frameToEvent(frame: Frame): KiroEvent | null {
  const messageType = typeof frame.headers[":message-type"] === "string" ? frame.headers[":message-type"] : "event";
  const text = payloadText(frame);
  if (messageType === "event" && frame.headers[":event-type"] === "assistantResponseEvent") {
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

/**
 * Kiro's text payload, `{"content":"…"}`, read by parsing the string literal alone (half the work of the object
 * around it on short texts). Anything else — more fields, other spacing — is left to the general parse.
 */
function textEvent(payload: string): KiroText | null {
  if (!payload.startsWith(TEXT_OPENING) || !payload.endsWith('"}')) return null;
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
