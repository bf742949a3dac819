/**
 * The reply state machine: Kiro events in, Anthropic stream events out (kiro-protocol.md §5.2–5.6;
 * kiro-protocol-2026.md §3.1, §4, §5). Streaming writes the events as SSE; non-streaming folds the very same
 * events into one message (output.ts), so both paths agree by construction.
 *
 * Blocks: text and thinking never overlap (opening one closes the other); a tool call is held until Kiro stops it
 * and then given whole, so a call cut before its `stop` frame never reaches the client (§5) — unless its tool is one
 * a front asked to stream (`streamedTools`), whose block opens at its first fragment and closes only at the stop
 * frame: cut, it is left open, and the front never presents it as finished. A reply is complete
 * only when Kiro's closing events arrived (§4.1): one that ends without them was cut, and says max_tokens.
 */
import { assertNever, GatewayError } from "../errors";
import { KiroText } from "../kiro/events";
import { exceptionKind, isPassing } from "../kiro/failures";
import type { KiroEvent } from "../kiro/types";
import { KiroTextDelta, TextDelta, wholeTextDelta } from "./output";
import type { MessageResponse, StopReason, StreamEvent, Usage } from "./schemas";
import { ThinkingSplitter, type ThinkingPiece } from "./thinking";
import { estimateOutputTokens, estimateOutputTokensOfCounts } from "./tokens";

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
  /** The client's stop_sequences: the answer ends at the first one, with stop_reason "stop_sequence". */
  stopSequences?: readonly string[];
  /**
   * Tools (as the client named them) whose input is given fragment by fragment as Kiro sends it, for a front that
   * shows a call as it is written (the Responses API's freeform tools); every other call is held until Kiro stops it.
   */
  streamedTools?: ReadonlySet<string>;
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
  /** Signature pieces, concatenated in order and given once, before the block stops (§3.1: TZ #12). */
  signature: string[];
}

interface ToolCall {
  name: string;
  /** Input fragments, verbatim (§5); given whole once Kiro stops the call. */
  fragments: string[];
  /** Given to the client (Kiro may repeat a call's events after stopping it). */
  given: boolean;
  /** Its input streams (TranslatorOptions.streamedTools). */
  streams: boolean;
  /** The block of a streamed call, once opened. */
  index?: number;
}

type MetadataUsage = NonNullable<Extract<KiroEvent, { type: "metadata" }>["tokenUsage"]>;

export class StreamTranslator {
  private readonly messageId: string;
  private splitter: ThinkingSplitter | null;
  private nextIndex = 0;
  /** The open text or thinking block, if any. */
  private flowing: FlowingBlock | null = null;
  private readonly tools = new Map<string, ToolCall>();
  private toolsGiven = 0;
  /** Kiro's closing events arrived (§4.1): metadata, context usage, metering. */
  private tailSeen = false;
  private readonly stops: StopWatch | null;
  private stopSequence: string | null = null;
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
    const sequences = (opts.stopSequences ?? []).filter((q) => q !== "");
    this.stops = sequences.length > 0 ? new StopWatch(sequences) : null;
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
   * Events for one Kiro event, added to `out` (a batch's events can share one array). An exception other than
   * ContentLengthExceeded (or an error frame) ends the reply: nothing more is emitted, and finish() throws it
   * instead of closing the message.
   */
  push(event: KiroEvent, out: StreamEvent[] = []): StreamEvent[] {
    if (this.ended || this.failure) return out;
    // After a stop sequence the answer is over; only the tail's numbers still count.
    if (this.stopSequence !== null && (event.type === "text" || event.type === "toolUse" || event.type === "reasoning")) return out;
    switch (event.type) {
      case "text": {
        // Text read from Kiro's bytes is measured there, and goes out as those bytes unless something reads it.
        const read = KiroText.isRead(event);
        if (read) {
          if (event.characters === 0) break;
          this.outputTokens += estimateOutputTokensOfCounts(event.characters, event.ideographs);
          if (!this.splitter && !this.stops) {
            this.text(out, new KiroTextDelta(event));
            break;
          }
        }
        const text = event.content;
        if (!text) break;
        if (!read) this.outputTokens += estimateOutputTokens(text);
        const pieces = this.splitter?.push(text);
        // Text that comes out as it went in keeps the bytes Kiro wrote it as, when it was read from them (KiroText).
        if (!pieces || (pieces.length === 1 && pieces[0]!.kind === "text" && pieces[0]!.text === text)) this.answer(out, text, event);
        else this.render(out, pieces);
        break;
      }
      case "toolUse":
        this.toolUse(out, event.toolUseId, event.name, event.input, event.stop);
        break;
      case "reasoning":
        if (event.redactedContent !== undefined) this.redacted(out, event.redactedContent);
        else this.reasoning(out, event.text, event.signature);
        break;
      case "contextUsage":
        this.tailSeen = true;
        this.contextInputTokens = Math.floor((event.percentage * this.opts.contextWindow) / 100);
        if (event.percentage >= 100) this.forcedStop = "model_context_window_exceeded";
        break;
      case "metadata":
        this.tailSeen = true;
        // Live captures spell it END_TURN, a test of ZY's end_turn (§4.1): compared without case.
        if (event.stopReason !== undefined) this.metadataStop = STOP_REASONS.get(event.stopReason.toUpperCase());
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
        this.tailSeen = true;
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
    this.settleAnswer(out);
    // §4.1: without Kiro's closing events the generation was cut, whatever came before (never end_turn, which
    // would tell an agent its task is done); a tool call never stopped is never given (§5), or, streamed, never closed.
    if (!this.tailSeen) this.forcedStop ??= "max_tokens";
    if ([...this.tools.values()].some((t) => !t.given)) this.forcedStop ??= "max_tokens";
    // A reply that is only thinking was cut short; clients also need a non-thinking block (§5.3).
    if (this.thinkingSeen && !this.answerSeen) {
      this.forcedStop = "max_tokens";
      this.text(out, new TextDelta(" "));
    }
    this.closeFlowing(out);
    out.push({
      type: "message_delta",
      delta: { stop_reason: this.stopReason(), stop_sequence: this.stopSequence },
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
    if (this.stopSequence !== null) return "stop_sequence";
    if (this.forcedStop) return this.forcedStop;
    const toolUse = this.toolsGiven > 0;
    if (this.metadataStop && !(this.metadataStop === "end_turn" && toolUse)) return this.metadataStop;
    return toolUse ? "tool_use" : "end_turn";
  }

  private render(out: StreamEvent[], pieces: ThinkingPiece[]): void {
    for (const piece of pieces) {
      switch (piece.kind) {
        case "text":
          this.answer(out, piece.text);
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

  /** Answer text, watched for the client's stop sequences; `whole`: the Kiro event it is all of, if so. */
  private answer(out: StreamEvent[], text: string, whole?: Extract<KiroEvent, { type: "text" }>): void {
    if (!this.stops) return this.text(out, whole ? wholeTextDelta(whole) : new TextDelta(text));
    if (this.stopSequence !== null) return;
    const seen = this.stops.push(text);
    if (seen.text) this.text(out, new TextDelta(seen.text));
    if (seen.stop !== undefined) this.stopSequence = seen.stop;
  }

  /** Text held back while a stop sequence might be forming: given before anything else is. */
  private settleAnswer(out: StreamEvent[]): void {
    const held = this.stops?.flush();
    if (held && this.stopSequence === null) this.text(out, new TextDelta(held));
  }

  private text(out: StreamEvent[], textDelta: TextDelta | KiroTextDelta): void {
    if (this.flowing?.kind !== "text") {
      this.closeFlowing(out);
      this.flowing = { index: this.nextIndex++, kind: "text", signature: [] };
      this.answerSeen = true;
      out.push({ type: "content_block_start", index: this.flowing.index, content_block: { type: "text", text: "" } });
    }
    out.push(delta(this.flowing.index, textDelta));
  }

  private openThinking(out: StreamEvent[]): FlowingBlock {
    this.settleAnswer(out);
    this.closeFlowing(out);
    const block: FlowingBlock = { index: this.nextIndex++, kind: "thinking", signature: [] };
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
    if (block.kind === "thinking") {
      const signature = block.signature.join("") || SYNTHETIC_SIGNATURE;
      out.push(delta(block.index, { type: "signature_delta", signature }));
    }
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
    if (signature) block.signature.push(signature);
  }

  /** GPT's encrypted reasoning (§3.1): a redacted_thinking block of its own, never an empty thinking one. */
  private redacted(out: StreamEvent[], data: string): void {
    if (this.splitter) {
      this.render(out, this.splitter.flush());
      this.splitter = null;
    }
    if (!data) return;
    this.settleAnswer(out);
    this.closeFlowing(out);
    const index = this.nextIndex++;
    out.push({ type: "content_block_start", index, content_block: { type: "redacted_thinking", data } });
    out.push({ type: "content_block_stop", index });
  }

  /**
   * Fragments are held until Kiro stops the call; then the call is given at once (§5: ZY's ToolJsonAccumulator).
   * A streamed call gives each fragment as it comes, in a block that only the stop frame closes.
   */
  private toolUse(out: StreamEvent[], id: string, name: string, input: string, stop: boolean): void {
    let call = this.tools.get(id);
    if (!call) {
      call = { name, fragments: [], given: false, streams: this.opts.streamedTools?.has(this.opts.toolNames.get(name) ?? name) === true };
      this.tools.set(id, call);
    }
    // Kiro sometimes repeats a tool's events after stopping it; the call is already complete.
    if (call.given) return;
    if (input) {
      this.outputTokens += Math.ceil(Buffer.byteLength(input, "utf8") / 4);
      call.fragments.push(input);
    }
    if (call.streams) {
      call.index ??= this.openTool(out, id, call);
      if (call.index === undefined) return;
      if (input) out.push(delta(call.index, { type: "input_json_delta", partial_json: input }));
      if (stop) this.closeTool(out, call, call.index);
    } else if (stop) {
      const index = this.openTool(out, id, call);
      if (index === undefined) return;
      const whole = call.fragments.join("");
      if (whole) out.push(delta(index, { type: "input_json_delta", partial_json: whole }));
      this.closeTool(out, call, index);
    }
  }

  /** The call's block, opened; undefined when a stop sequence has ended the answer. */
  private openTool(out: StreamEvent[], id: string, call: ToolCall): number | undefined {
    // Text held back for tag detection or stop sequences belongs before the tool call.
    if (this.splitter) this.render(out, this.splitter.flush());
    this.settleAnswer(out);
    if (this.stopSequence !== null) return undefined;
    this.closeFlowing(out);
    this.answerSeen = true;
    const index = this.nextIndex++;
    out.push({ type: "content_block_start", index, content_block: { type: "tool_use", id, name: this.opts.toolNames.get(call.name) ?? call.name, input: {} } });
    return index;
  }

  private closeTool(out: StreamEvent[], call: ToolCall, index: number): void {
    call.given = true;
    this.toolsGiven++;
    const input = call.fragments.join("");
    // Kiro cuts very large tool inputs mid-JSON (user-demand §3c 18–19): say the reply was truncated
    // instead of presenting a half-written call as a finished one.
    if (input.trim() && !isJson(input)) this.forcedStop = "max_tokens";
    call.fragments = [];
    out.push({ type: "content_block_stop", index });
  }
}

/**
 * Watches answer text for the client's stop sequences, holding back just enough of the tail for one to complete
 * in the next chunk.
 */
class StopWatch {
  private held = "";
  private readonly longest: number;

  constructor(private readonly sequences: readonly string[]) {
    this.longest = Math.max(...sequences.map((q) => q.length));
  }

  /** The text that is safe to give, and the sequence that ended the answer, if one did. */
  push(chunk: string): { text: string; stop?: string } {
    this.held += chunk;
    let at = -1;
    let stop: string | undefined;
    for (const q of this.sequences) {
      const i = this.held.indexOf(q);
      if (i >= 0 && (at < 0 || i < at)) [at, stop] = [i, q];
    }
    if (stop !== undefined) {
      const text = this.held.slice(0, at);
      this.held = "";
      return { text, stop };
    }
    let keep = Math.min(this.held.length, this.longest - 1);
    // Never split a surrogate pair between what is given and what is held.
    if (keep > 0 && /[\uD800-\uDBFF]/.test(this.held.charAt(this.held.length - keep - 1))) keep++;
    const text = this.held.slice(0, this.held.length - keep);
    this.held = this.held.slice(this.held.length - keep);
    return { text };
  }

  flush(): string {
    const held = this.held;
    this.held = "";
    return held;
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
