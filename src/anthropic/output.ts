/**
 * The two ways a reply leaves the gateway: as SSE text (kiro-protocol.md §5.1), or folded into one
 * message for a non-streaming request (§5.10). Both take the same events from StreamTranslator.
 */
import { assertNever, GatewayError } from "../errors";
import type { SseChunk } from "../http/sse";
import { utf8 } from "../kiro/eventstream";
import { type ByteSink, KiroText } from "../kiro/events";
import type { KiroEvent } from "../kiro/types";
import type { MessageResponse, ResponseBlock, SseEvent, StreamEvent } from "./schemas";

const encoder = new TextEncoder();

/** A text delta the translator made (a Kiro text cut by the tag splitter or a stop sequence, a space). */
export class TextDelta {
  readonly type = "text_delta";
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  /** JSON.stringify(delta.text), from the bytes a Kiro text came with when the delta has them. */
  static json(delta: { text: string }): string {
    const kept = new KeptBytes();
    return KiroTextDelta.copyLiteral(delta, kept) ? utf8.decode(kept.bytes) : JSON.stringify(delta.text);
  }
}

/**
 * A text delta whose text is a Kiro text event's read from bytes: those bytes go out as they
 * are, and the text is decoded only if something reads it (the folder, the OpenAI writers).
 */
export class KiroTextDelta {
  readonly type = "text_delta";
  readonly #source: KiroText;

  constructor(source: KiroText) {
    this.#source = source;
  }

  get text(): string {
    return this.#source.content;
  }

  toJSON(): { type: "text_delta"; text: string } {
    return { type: "text_delta", text: this.text };
  }

  /** Copies the bytes of JSON.stringify(delta.text) (`skip`: less its first bytes), when the delta has them. */
  static copyLiteral(delta: object, into: ByteSink, skip = 0): boolean {
    return #source in delta && KiroText.copyLiteral(delta.#source, into, skip);
  }
}

/** Keeps the bytes it is given (a view of them), to be read whole afterwards. */
class KeptBytes implements ByteSink {
  bytes: Uint8Array | undefined;

  copy(bytes: Uint8Array, start: number, end: number): void {
    this.bytes = bytes.subarray(start, end);
  }
}

/** A Kiro text event's delta as it came, with the bytes it kept when it was read from them. */
export function wholeTextDelta(event: Extract<KiroEvent, { type: "text" }>): TextDelta | KiroTextDelta {
  return KiroText.isRead(event) ? new KiroTextDelta(event) : new TextDelta(event.content);
}

/** `event: content_block_delta … "text":` for the first block indexes, as bytes. */
const TEXT_DELTA_OPENINGS = Array.from({ length: 16 }, (_, index) => encoder.encode(textDeltaOpening(index)));
const TEXT_DELTA_CLOSING = encoder.encode("}}\n\n");
/** A text delta's last bytes from its literal's closing quote on. */
const LITERAL_CLOSING_BYTES = 1 + TEXT_DELTA_CLOSING.length;

function textDeltaOpening(index: number): string {
  return `event: content_block_delta\ndata: {"type":"content_block_delta","index":${index},"delta":{"type":"text_delta","text":`;
}

/**
 * encodeSSE into a chunk, with a text Kiro wrote as bytes copied as they are (the same bytes as encodeSSE's). One
 * block's text deltas that follow each other in one write go out as one delta, their literals joined: the client
 * reads the same text at the same moment, without ~100 bytes of event around each of Kiro's frames (a frame carries
 * a few words). Thinking deltas stay one per Kiro event, as kiro-protocol-2026.md's conformance test 10 has them.
 * `chunk.mark` is the block whose text delta the chunk ends with, or -1.
 */
export function writeSSE(event: SseEvent, chunk: SseChunk): void {
  if (event.type === "content_block_delta" && event.delta.type === "text_delta") {
    const d = event.delta;
    // Joined: the last delta's closing quote goes, and this literal's opening one.
    const skip = chunk.mark === event.index ? 1 : 0;
    if (skip) chunk.unwrite(LITERAL_CLOSING_BYTES);
    else {
      const opening = TEXT_DELTA_OPENINGS[event.index];
      if (opening) chunk.put(opening);
      else chunk.write(textDeltaOpening(event.index));
    }
    if (!KiroTextDelta.copyLiteral(d, chunk, skip)) chunk.write(JSON.stringify(d.text).slice(skip));
    // Put, not written: the closing lies in the buffer, where the next delta can take it back.
    chunk.put(TEXT_DELTA_CLOSING);
    chunk.mark = event.index;
    return;
  }
  chunk.mark = -1;
  chunk.write(encodeSSE(event));
}

export function encodeSSE(event: SseEvent): string {
  if (event.type === "content_block_delta") {
    // A reply's bulk: written from a template, only the text through JSON.stringify — the very bytes that
    // stringifying the whole event gives (the translator builds every delta with these keys in this order).
    const d = event.delta;
    switch (d.type) {
      case "text_delta":
        return `${textDeltaOpening(event.index)}${TextDelta.json(d)}}}\n\n`;
      case "thinking_delta":
        return `event: content_block_delta\ndata: {"type":"content_block_delta","index":${event.index},"delta":{"type":"thinking_delta","thinking":${JSON.stringify(d.thinking)}}}\n\n`;
      case "input_json_delta":
        return `event: content_block_delta\ndata: {"type":"content_block_delta","index":${event.index},"delta":{"type":"input_json_delta","partial_json":${JSON.stringify(d.partial_json)}}}\n\n`;
    }
  }
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** A block being assembled; text arrives in pieces and is joined once, at the end. */
type FoldingBlock =
  | { type: "text"; pieces: string[] }
  | { type: "thinking"; pieces: string[]; signature: string }
  | { type: "tool_use" | "server_tool_use"; id: string; name: string; pieces: string[] }
  | { type: "whole"; block: ResponseBlock };

type BlockStart = Extract<StreamEvent, { type: "content_block_start" }>["content_block"];

function folding(block: BlockStart): FoldingBlock {
  switch (block.type) {
    case "text":
      return { type: "text", pieces: [] };
    case "thinking":
      return { type: "thinking", pieces: [], signature: "" };
    case "tool_use":
    case "server_tool_use":
      return { type: block.type, id: block.id, name: block.name, pieces: [] };
    case "web_search_tool_result":
    case "redacted_thinking":
      return { type: "whole", block };
    default:
      return assertNever(block);
  }
}

/**
 * Folds a reply's events into one message, as the Anthropic SDK's accumulator does: an event out of order (a delta
 * for a block never started or of another type, anything before message_start or after message_stop) is a bug
 * upstream of the folder, and is refused rather than silently dropped.
 */
export class MessageFolder {
  private message: MessageResponse | undefined;
  private readonly blocks: FoldingBlock[] = [];
  private stopped = false;

  push(event: StreamEvent): void {
    if (this.stopped || (!this.message && event.type !== "message_start")) outOfOrder(event);
    switch (event.type) {
      case "message_start":
        if (this.message) outOfOrder(event);
        this.message = { ...event.message, content: [], usage: { ...event.message.usage } };
        break;
      case "content_block_start":
        if (this.blocks[event.index]) outOfOrder(event);
        this.blocks[event.index] = folding(event.content_block);
        break;
      case "content_block_delta": {
        const block = this.blocks[event.index];
        const d = event.delta;
        if (d.type === "text_delta" && block?.type === "text") block.pieces.push(d.text);
        else if (d.type === "thinking_delta" && block?.type === "thinking") block.pieces.push(d.thinking);
        else if (d.type === "signature_delta" && block?.type === "thinking") block.signature = d.signature;
        else if (d.type === "input_json_delta" && (block?.type === "tool_use" || block?.type === "server_tool_use")) block.pieces.push(d.partial_json);
        else outOfOrder(event);
        break;
      }
      case "content_block_stop":
        if (!this.blocks[event.index]) outOfOrder(event);
        break;
      case "message_delta":
        this.message!.stop_reason = event.delta.stop_reason;
        this.message!.stop_sequence = event.delta.stop_sequence;
        Object.assign(this.message!.usage, event.usage);
        break;
      case "message_stop":
        this.stopped = true;
        break;
      default:
        assertNever(event);
    }
  }

  /** The whole message. */
  result(): MessageResponse {
    if (!this.message) throw new GatewayError("internal", "the reply ended before it began");
    const content: ResponseBlock[] = [];
    for (const block of this.blocks) {
      if (!block) continue;
      switch (block.type) {
        case "text":
          content.push({ type: "text", text: block.pieces.join("") });
          break;
        case "thinking":
          content.push({ type: "thinking", thinking: block.pieces.join(""), signature: block.signature });
          break;
        case "whole":
          content.push(block.block);
          break;
        case "tool_use":
        case "server_tool_use":
          content.push({ type: block.type, id: block.id, name: block.name, input: toolInput(block.pieces.join("")) });
          break;
        default:
          assertNever(block);
      }
    }
    return { ...this.message, content };
  }
}

function outOfOrder(event: StreamEvent): never {
  throw new GatewayError("internal", `a reply's events came out of order: unexpected ${event.type}`);
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
