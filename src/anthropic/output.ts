/**
 * The two ways a reply leaves the gateway: as SSE text (kiro-protocol.md §5.1), or folded into one
 * message for a non-streaming request (§5.10). Both take the same events from StreamTranslator.
 */
import { GatewayError } from "../errors";
import type { MessageResponse, ResponseBlock, StreamEvent } from "./schemas";

export function encodeSSE(event: StreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** A block being assembled; text arrives in pieces and is joined once, at the end. */
type FoldingBlock =
  | { type: "text"; pieces: string[] }
  | { type: "thinking"; pieces: string[]; signature: string }
  | { type: "tool_use" | "server_tool_use"; id: string; name: string; pieces: string[] }
  | { type: "whole"; block: ResponseBlock };

export class MessageFolder {
  private message: MessageResponse | undefined;
  private readonly blocks: FoldingBlock[] = [];
  private error: { type: string; message: string } | undefined;

  push(event: StreamEvent): void {
    switch (event.type) {
      case "message_start":
        this.message = { ...event.message, content: [], usage: { ...event.message.usage } };
        break;
      case "content_block_start": {
        const block = event.content_block;
        this.blocks[event.index] =
          block.type === "tool_use" || block.type === "server_tool_use"
            ? { type: block.type, id: block.id, name: block.name, pieces: [] }
            : block.type === "thinking"
              ? { type: "thinking", pieces: [], signature: "" }
              : block.type === "web_search_tool_result"
                ? { type: "whole", block }
                : { type: "text", pieces: [] };
        break;
      }
      case "content_block_delta": {
        const block = this.blocks[event.index];
        const d = event.delta;
        if (!block) break;
        if (d.type === "text_delta" && block.type === "text") block.pieces.push(d.text);
        else if (d.type === "thinking_delta" && block.type === "thinking") block.pieces.push(d.thinking);
        else if (d.type === "signature_delta" && block.type === "thinking") block.signature = d.signature;
        else if (d.type === "input_json_delta" && (block.type === "tool_use" || block.type === "server_tool_use")) block.pieces.push(d.partial_json);
        break;
      }
      case "message_delta":
        if (!this.message) break;
        this.message.stop_reason = event.delta.stop_reason;
        Object.assign(this.message.usage, event.usage);
        break;
      case "error":
        this.error = event.error;
        break;
      case "content_block_stop":
      case "message_stop":
      case "ping":
        break;
    }
  }

  /** The whole message; throws the upstream failure if the reply ended with an error event. */
  result(): MessageResponse {
    if (this.error) {
      throw new GatewayError(this.error.type === "overloaded_error" ? "overloaded" : "upstream", this.error.message);
    }
    if (!this.message) throw new GatewayError("internal", "the reply ended before it began");
    const content: ResponseBlock[] = [];
    for (const block of this.blocks) {
      if (!block) continue;
      if (block.type === "text") content.push({ type: "text", text: block.pieces.join("") });
      else if (block.type === "thinking")
        content.push({ type: "thinking", thinking: block.pieces.join(""), signature: block.signature });
      else if (block.type === "whole") content.push(block.block);
      else content.push({ type: block.type, id: block.id, name: block.name, input: toolInput(block.pieces.join("")) });
    }
    return { ...this.message, content };
  }
}

/**
 * Kiro sends tool input as JSON text. Empty means no arguments; JSON that does not parse to an object
 * was cut off upstream, and a half-written call must not run with half its arguments.
 */
function toolInput(json: string): Record<string, unknown> {
  if (!json.trim()) return {};
  try {
    const input: unknown = JSON.parse(json);
    return input && typeof input === "object" && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
