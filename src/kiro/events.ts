/**
 * Frames → Kiro events (kiro-protocol.md §4.3). Unknown event types and payloads that are not the JSON we
 * expect are passed over (returned as null): Kiro adds event types, and one odd frame must not end a reply.
 */
import { payloadText, type Frame } from "./eventstream";
import type { KiroEvent } from "./types";

type Json = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

export function frameToEvent(frame: Frame): KiroEvent | null {
  const messageType = typeof frame.headers[":message-type"] === "string" ? frame.headers[":message-type"] : "event";
  const body = parseJson(frame);

  if (messageType === "exception") {
    return {
      type: "exception",
      exceptionType: str(frame.headers[":exception-type"]) || str(body?.__type) || "UnknownException",
      message: str(body?.message) || str(body?.Message) || payloadText(frame),
      ...(typeof body?.reason === "string" ? { reason: body.reason } : {}),
    };
  }
  if (messageType === "error") {
    return {
      type: "error",
      code: str(frame.headers[":error-code"]) || "UnknownError",
      message: str(frame.headers[":error-message"]) || payloadText(frame),
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

function parseJson(frame: Frame): Json | null {
  if (frame.payload.length === 0) return null;
  try {
    const v = JSON.parse(payloadText(frame));
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : null;
  } catch {
    return null;
  }
}
