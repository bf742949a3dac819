/**
 * The reply state machine: Kiro events in, Anthropic stream events out (kiro-protocol.md §5.2–5.6).
 * Streaming writes the events as SSE; non-streaming folds the very same events into one message
 * (output.ts), so both paths agree by construction.
 *
 * Blocks: text and thinking never overlap (opening one closes the other); a tool block stays open
 * until Kiro stops it or the reply ends, so fragments of one tool are never lost to another's start.
 */
import { assertNever, GatewayError } from "../errors";
import { exceptionKind, isPassing } from "../kiro/failures";
import type { KiroEvent } from "../kiro/types";
import type { MessageResponse, StopReason, StreamEvent, Usage } from "./schemas";
import { ThinkingSplitter, type ThinkingPiece } from "./thinking";
import { estimateOutputTokens } from "./tokens";

export interface TranslatorOptions {
  /** As requested by the client, echoed in message_start. */
  model: string;
  /** Extract inline `<thinking>` tags from the text (§5.3). */
  thinking: boolean;
  /** Local estimate, used in message_start and as the fallback. */
  inputTokens: number;
  /** The model's context window, to turn contextUsageEvent's percentage into input tokens (§5.5). */
  contextWindow: number;
  /** Shortened → original tool name, to give the client back the names it sent. */
  toolNames: Map<string, string>;
  /** Default "msg_" + 32 hex. */
  messageId?: string;
}

/**
 * Thinking blocks we build ourselves carry this opaque signature, so clients that send thinking blocks
 * back have one; the request converter drops thinking signatures, so it is never checked upstream.
 */
export const SYNTHETIC_SIGNATURE = btoa("kiro-ts: thinking relayed from Kiro, no upstream signature");

const STOP_REASONS = new Map<string, StopReason>([
  ["END_TURN", "end_turn"],
  ["TOOL_USE", "tool_use"],
  ["MAX_TOKENS", "max_tokens"],
  ["MODEL_CONTEXT_WINDOW_EXCEEDED", "model_context_window_exceeded"],
  ["PAUSE_TURN", "pause_turn"],
  ["CONTENT_FILTERED", "refusal"],
]);

interface FlowingBlock {
  index: number;
  kind: "text" | "thinking";
  signed: boolean;
}

interface ToolBlock {
  index: number;
  open: boolean;
  /** Input fragments while open; checked once when the block closes. */
  fragments: string[];
}

type MetadataUsage = NonNullable<Extract<KiroEvent, { type: "metadata" }>["tokenUsage"]>;

export class StreamTranslator {
  private readonly messageId: string;
  private splitter: ThinkingSplitter | null;
  private nextIndex = 0;
  /** The open text or thinking block, if any. */
  private flowing: FlowingBlock | null = null;
  private readonly tools = new Map<string, ToolBlock>();
  private thinkingSeen = false;
  private answerSeen = false;
  private outputTokens = 0;
  private contextInputTokens: number | undefined;
  private metadataUsage: MetadataUsage | undefined;
  private metadataStop: StopReason | undefined;
  /** Set by upstream signals that override everything else; the last one wins (§5.4). */
  private forcedStop: StopReason | undefined;
  /** Kiro ended the reply with an exception or an error frame: what finish() throws. */
  private failure: GatewayError | undefined;
  private started = false;
  private ended = false;

  constructor(private readonly opts: TranslatorOptions) {
    this.messageId = opts.messageId ?? `msg_${crypto.randomUUID().replaceAll("-", "")}`;
    this.splitter = opts.thinking ? new ThinkingSplitter() : null;
  }

  start(): StreamEvent[] {
    if (this.started) return [];
    this.started = true;
    const message: MessageResponse = {
      id: this.messageId,
      type: "message",
      role: "assistant",
      content: [],
      model: this.opts.model,
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: this.opts.inputTokens,
        output_tokens: 1,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    };
    return [{ type: "message_start", message }];
  }

  /**
   * Events for one Kiro event. An exception other than ContentLengthExceeded (or an error frame) ends
   * the reply: nothing more is emitted, and finish() throws it instead of closing the message.
   */
  push(event: KiroEvent): StreamEvent[] {
    if (this.ended || this.failure) return [];
    const out: StreamEvent[] = [];
    switch (event.type) {
      case "text":
        if (!event.content) break;
        this.outputTokens += estimateOutputTokens(event.content);
        if (this.splitter) this.render(out, this.splitter.push(event.content));
        else this.text(out, event.content);
        break;
      case "toolUse":
        this.toolUse(out, event.toolUseId, event.name, event.input, event.stop);
        break;
      case "reasoning":
        this.reasoning(out, event.text, event.signature);
        break;
      case "contextUsage":
        this.contextInputTokens = Math.floor((event.percentage * this.opts.contextWindow) / 100);
        if (event.percentage >= 100) this.forcedStop = "model_context_window_exceeded";
        break;
      case "metadata":
        if (event.stopReason !== undefined) this.metadataStop = STOP_REASONS.get(event.stopReason);
        if (event.tokenUsage) this.metadataUsage = event.tokenUsage;
        break;
      case "exception":
        if (isContentLengthExceeded(event.exceptionType, event.reason)) this.forcedStop = "max_tokens";
        else
          this.failure = new GatewayError(
            isPassing(exceptionKind(event.exceptionType)) ? "overloaded" : "upstream",
            `Upstream ${event.exceptionType}: ${event.message}`,
          );
        break;
      case "error":
        this.failure = new GatewayError("upstream", `Upstream error ${event.code}: ${event.message}`);
        break;
      case "metering":
        break;
      default:
        assertNever(event);
    }
    return out;
  }

  /**
   * The end of the upstream body: settle held-back text, apply the thinking-only rule, close open
   * blocks in index order, then message_delta and message_stop. Throws the failure if Kiro failed.
   */
  finish(): StreamEvent[] {
    if (this.ended) return [];
    this.ended = true;
    if (this.failure) throw this.failure;
    const out: StreamEvent[] = [];
    if (this.splitter) this.render(out, this.splitter.flush());
    // A reply that is only thinking was cut short; clients also need a non-thinking block (§5.3).
    if (this.thinkingSeen && !this.answerSeen) {
      this.forcedStop = "max_tokens";
      this.text(out, " ");
    }
    // Tools are kept in the order they opened, which is their index order.
    for (const tool of this.tools.values()) {
      if (!tool.open) continue;
      if (this.flowing && this.flowing.index < tool.index) this.closeFlowing(out);
      this.closeTool(out, tool);
    }
    this.closeFlowing(out);
    out.push({
      type: "message_delta",
      delta: { stop_reason: this.stopReason(), stop_sequence: null },
      usage: this.usage,
    });
    out.push({ type: "message_stop" });
    return out;
  }

  get usage(): Usage {
    const meta = this.metadataUsage;
    return {
      input_tokens: meta?.uncachedInputTokens ?? this.contextInputTokens ?? this.opts.inputTokens,
      output_tokens: meta?.outputTokens ?? this.outputTokens,
      cache_creation_input_tokens: meta?.cacheWriteInputTokens ?? 0,
      cache_read_input_tokens: meta?.cacheReadInputTokens ?? 0,
    };
  }

  private stopReason(): StopReason {
    if (this.forcedStop) return this.forcedStop;
    const toolUse = this.tools.size > 0;
    if (this.metadataStop && !(this.metadataStop === "end_turn" && toolUse)) return this.metadataStop;
    return toolUse ? "tool_use" : "end_turn";
  }

  private render(out: StreamEvent[], pieces: ThinkingPiece[]): void {
    for (const piece of pieces) {
      switch (piece.kind) {
        case "text":
          this.text(out, piece.text);
          break;
        case "thinking_start":
          this.openThinking(out);
          break;
        case "thinking":
          if (this.flowing?.kind === "thinking")
            out.push(delta(this.flowing.index, { type: "thinking_delta", thinking: piece.text }));
          break;
        case "thinking_end":
          // Kiro's reference gateways end a tag-extracted thinking block with an empty delta (§5.3).
          if (this.flowing?.kind === "thinking")
            out.push(delta(this.flowing.index, { type: "thinking_delta", thinking: "" }));
          this.closeFlowing(out);
          break;
      }
    }
  }

  private text(out: StreamEvent[], text: string): void {
    if (this.flowing?.kind !== "text") {
      this.closeFlowing(out);
      this.flowing = { index: this.nextIndex++, kind: "text", signed: false };
      this.answerSeen = true;
      out.push({ type: "content_block_start", index: this.flowing.index, content_block: { type: "text", text: "" } });
    }
    out.push(delta(this.flowing.index, { type: "text_delta", text }));
  }

  private openThinking(out: StreamEvent[]): FlowingBlock {
    this.closeFlowing(out);
    const block: FlowingBlock = { index: this.nextIndex++, kind: "thinking", signed: false };
    this.flowing = block;
    this.thinkingSeen = true;
    out.push({
      type: "content_block_start",
      index: block.index,
      content_block: { type: "thinking", thinking: "", signature: "" },
    });
    return block;
  }

  private closeFlowing(out: StreamEvent[]): void {
    const block = this.flowing;
    if (!block) return;
    if (block.kind === "thinking" && !block.signed)
      out.push(delta(block.index, { type: "signature_delta", signature: SYNTHETIC_SIGNATURE }));
    out.push({ type: "content_block_stop", index: block.index });
    this.flowing = null;
  }

  private reasoning(out: StreamEvent[], text: string, signature: string | undefined): void {
    // Native reasoning is the better source: once it arrives, inline tags are no longer parsed.
    if (this.splitter) {
      this.render(out, this.splitter.flush());
      this.splitter = null;
    }
    if (!text && !signature) return;
    const block = this.flowing?.kind === "thinking" ? this.flowing : this.openThinking(out);
    if (text) {
      this.outputTokens += estimateOutputTokens(text);
      out.push(delta(block.index, { type: "thinking_delta", thinking: text }));
    }
    if (signature) {
      block.signed = true;
      out.push(delta(block.index, { type: "signature_delta", signature }));
    }
  }

  private toolUse(out: StreamEvent[], id: string, name: string, input: string, stop: boolean): void {
    let tool = this.tools.get(id);
    if (!tool) {
      // Text held back for tag detection belongs before the tool call.
      if (this.splitter) this.render(out, this.splitter.flush());
      this.closeFlowing(out);
      tool = { index: this.nextIndex++, open: true, fragments: [] };
      this.tools.set(id, tool);
      this.answerSeen = true;
      out.push({
        type: "content_block_start",
        index: tool.index,
        content_block: { type: "tool_use", id, name: this.opts.toolNames.get(name) ?? name, input: {} },
      });
    }
    // Kiro sometimes repeats a tool's events after stopping it; the block is already complete.
    if (!tool.open) return;
    if (input) {
      this.outputTokens += Math.ceil(Buffer.byteLength(input, "utf8") / 4);
      tool.fragments.push(input);
      out.push(delta(tool.index, { type: "input_json_delta", partial_json: input }));
    }
    if (stop) this.closeTool(out, tool);
  }

  private closeTool(out: StreamEvent[], tool: ToolBlock): void {
    tool.open = false;
    // Kiro cuts very large tool inputs mid-JSON (user-demand §3c 18–19): say the reply was truncated
    // instead of presenting a half-written call as a finished one.
    const input = tool.fragments.join("");
    if (input.trim() && !isJson(input)) this.forcedStop = "max_tokens";
    tool.fragments = [];
    out.push({ type: "content_block_stop", index: tool.index });
  }
}

type Delta = Extract<StreamEvent, { type: "content_block_delta" }>["delta"];

const delta = (index: number, d: Delta): StreamEvent => ({ type: "content_block_delta", index, delta: d });

function isContentLengthExceeded(exceptionType: string, reason: string | undefined): boolean {
  return exceptionType === "ContentLengthExceededException" || (reason ?? "").includes("CONTENT_LENGTH_EXCEEDS");
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
