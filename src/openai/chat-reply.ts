/**
 * A reply's events (the shared Anthropic event set) as Chat Completions: `chat.completion.chunk`s written as they
 * arrive, or the same chunks folded into one `chat.completion`, so both answer modes agree by construction. Text
 * goes to `content` (cut at a stop sequence), thinking to `reasoning_content`, tool uses to `tool_calls` by index
 * (id and name first, then argument fragments); a JSON answer's tool input is the content itself.
 */
import type { StopReason, StreamEvent, Usage } from "../anthropic/schemas";
import { assertNever } from "../errors";
import { JSON_ANSWER_TOOL } from "./choice";
import type { ChatCompletion, ChatCompletionChunk, ChatDelta, ChatToolCall, ChatUsage, FinishReason } from "./schemas";
import { StopCutter } from "./stop";

export interface ChatReplyOptions {
  id: string;
  model: string;
  /** Unix seconds. */
  created: number;
  stop: readonly string[];
  /** `stream_options.include_usage`: a last chunk with the usage and no choices. */
  includeUsage: boolean;
}

export function finishReason(stop: StopReason): FinishReason {
  switch (stop) {
    case "tool_use":
      return "tool_calls";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "refusal":
      return "content_filter";
    case "end_turn":
    case "stop_sequence":
    case "pause_turn":
      return "stop";
    default:
      return assertNever(stop);
  }
}

/** OpenAI counts cached input inside the prompt tokens (kiro-protocol-2026.md §4.2). */
export function chatUsage(u: Usage): ChatUsage {
  const cached = u.cache_read_input_tokens ?? 0;
  const prompt = u.input_tokens + cached + (u.cache_creation_input_tokens ?? 0);
  return { prompt_tokens: prompt, completion_tokens: u.output_tokens, total_tokens: prompt + u.output_tokens, prompt_tokens_details: { cached_tokens: cached } };
}

type BlockRole = { kind: "text" } | { kind: "thinking" } | { kind: "json" } | { kind: "tool"; index: number } | { kind: "other" };

export class ChatChunkWriter {
  private readonly blocks = new Map<number, BlockRole>();
  private readonly cutter: StopCutter;
  private toolCalls = 0;
  private stopReason: StopReason = "end_turn";
  private usage: Usage | undefined;

  constructor(private readonly opts: ChatReplyOptions) {
    this.cutter = new StopCutter(opts.stop);
  }

  push(event: StreamEvent): ChatCompletionChunk[] {
    switch (event.type) {
      case "message_start":
        return [this.chunk({ role: "assistant", content: "" })];
      case "content_block_start":
        return this.start(event.index, event.content_block);
      case "content_block_delta":
        return this.delta(event.index, event.delta);
      case "content_block_stop": {
        const role = this.blocks.get(event.index);
        const rest = role?.kind === "text" ? this.cutter.flush() : "";
        return rest ? [this.chunk({ content: rest })] : [];
      }
      case "message_delta":
        this.stopReason = event.delta.stop_reason;
        this.usage = event.usage;
        return [];
      case "message_stop":
        return this.finish();
      default:
        return assertNever(event);
    }
  }

  private start(index: number, block: Extract<StreamEvent, { type: "content_block_start" }>["content_block"]): ChatCompletionChunk[] {
    if (this.cutter.stopped) {
      this.blocks.set(index, { kind: "other" });
      return [];
    }
    switch (block.type) {
      case "text":
        this.blocks.set(index, { kind: "text" });
        return [];
      case "thinking":
        this.blocks.set(index, { kind: "thinking" });
        return [];
      case "tool_use": {
        if (block.name === JSON_ANSWER_TOOL) {
          this.blocks.set(index, { kind: "json" });
          return [];
        }
        const call = this.toolCalls++;
        this.blocks.set(index, { kind: "tool", index: call });
        return [this.chunk({ tool_calls: [{ index: call, id: block.id, type: "function", function: { name: block.name, arguments: "" } }] })];
      }
      // Redacted reasoning (GPT's) has no text to show, and Chat Completions no field to carry it back in.
      case "redacted_thinking":
      case "server_tool_use":
      case "web_search_tool_result":
        this.blocks.set(index, { kind: "other" });
        return [];
      default:
        return assertNever(block);
    }
  }

  private delta(index: number, d: Extract<StreamEvent, { type: "content_block_delta" }>["delta"]): ChatCompletionChunk[] {
    const role = this.blocks.get(index);
    let delta: ChatDelta | undefined;
    if (d.type === "text_delta" && role?.kind === "text") {
      const text = this.cutter.push(d.text);
      if (text) delta = { content: text };
    } else if (d.type === "thinking_delta" && role?.kind === "thinking" && d.thinking) {
      delta = { reasoning_content: d.thinking };
    } else if (d.type === "input_json_delta" && role?.kind === "json") {
      delta = { content: d.partial_json };
    } else if (d.type === "input_json_delta" && role?.kind === "tool") {
      delta = { tool_calls: [{ index: role.index, function: { arguments: d.partial_json } }] };
    }
    return delta ? [this.chunk(delta)] : [];
  }

  private finish(): ChatCompletionChunk[] {
    // A stop sequence ended the answer: it stopped, whatever came after it upstream.
    const reason = this.cutter.stopped ? "stop" : this.toolCalls === 0 && this.stopReason === "tool_use" ? "stop" : finishReason(this.stopReason);
    const chunks = [this.chunk({}, reason)];
    if (this.opts.includeUsage && this.usage) chunks.push({ ...this.base(), choices: [], usage: chatUsage(this.usage) });
    return chunks;
  }

  /** The usage of the finished reply (after message_delta). */
  get finalUsage(): ChatUsage | undefined {
    return this.usage && chatUsage(this.usage);
  }

  private base() {
    return { id: this.opts.id, object: "chat.completion.chunk" as const, created: this.opts.created, model: this.opts.model };
  }

  private chunk(delta: ChatDelta, finish: FinishReason | null = null): ChatCompletionChunk {
    return { ...this.base(), choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] };
  }
}

/**
 * A reply's events written as chunks by the writer, and the chunks folded into one completion, as the OpenAI SDK's
 * own accumulator does: the non-streamed answer (an EventFolder).
 */
export class ChatFolder {
  private content: string[] = [];
  private reasoning: string[] = [];
  private readonly calls: { id: string; name: string; args: string[] }[] = [];
  private finish: FinishReason = "stop";

  constructor(
    private readonly writer: ChatChunkWriter,
    private readonly opts: Pick<ChatReplyOptions, "id" | "model" | "created">,
  ) {}

  push(event: StreamEvent): void {
    for (const chunk of this.writer.push(event)) this.add(chunk);
  }

  private add(chunk: ChatCompletionChunk): void {
    const choice = chunk.choices[0];
    if (!choice) return;
    const d = choice.delta;
    if (d.content) this.content.push(d.content);
    if (d.reasoning_content) this.reasoning.push(d.reasoning_content);
    for (const call of d.tool_calls ?? []) {
      const known = (this.calls[call.index] ??= { id: call.id ?? "", name: call.function.name ?? "", args: [] });
      known.args.push(call.function.arguments);
    }
    if (choice.finish_reason) this.finish = choice.finish_reason;
  }

  result(): ChatCompletion {
    const { opts } = this;
    const toolCalls: ChatToolCall[] = this.calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.args.join("") } }));
    const text = this.content.join("");
    return {
      id: opts.id,
      object: "chat.completion",
      created: opts.created,
      model: opts.model,
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: text === "" && toolCalls.length > 0 ? null : text,
            refusal: null,
            ...(this.reasoning.length > 0 ? { reasoning_content: this.reasoning.join("") } : {}),
            ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
          },
          finish_reason: this.finish,
          logprobs: null,
        },
      ],
      usage: this.writer.finalUsage!,
    };
  }
}
