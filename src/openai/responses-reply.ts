/**
 * A reply's events (the shared Anthropic event set) as the Responses API: each content block becomes one output
 * item — thinking a `reasoning` item (summary text deltas, its signature as `encrypted_content`), text a `message`,
 * a tool use a `function_call`, or a `custom_tool_call` when the tool was declared custom (its text decoded from the
 * call's JSON input as the fragments arrive, freeform-stream.ts). The same writer serves
 * both answer modes: streamed, its events are written; not streamed, they are dropped and the finished response
 * is the answer, so the two agree by construction. A compaction request's reply is one `compaction` item.
 */
import type { StopReason, StreamEvent, Usage } from "../anthropic/schemas";
import { estimateOutputTokens } from "../anthropic/tokens";
import { assertNever, type GatewayError } from "../errors";
import { JSON_ANSWER_TOOL } from "./choice";
import { sealSummary } from "./compaction";
import { openaiErrorBody } from "./errors";
import { FreeformDecoder } from "./freeform-stream";
import { sealRedacted } from "./reasoning-blob";
import type { OutputItem, OutputText, ResponseObject, ResponsesEvent, ResponsesUsage } from "./schemas";
import type { ToolSet } from "./tools";

/** What the response echoes of its request. */
export type ResponseEcho = Pick<ResponseObject, "instructions" | "max_output_tokens" | "parallel_tool_calls" | "reasoning" | "temperature" | "tool_choice" | "tools" | "top_p" | "metadata">;

export interface ResponsesReplyOptions {
  id: string;
  model: string;
  /** Unix seconds. */
  createdAt: number;
  tools: ToolSet;
  compaction: boolean;
  echo: ResponseEcho;
  /** Only the finished response is wanted (a non-streamed answer): no event is made. */
  quiet?: boolean;
}

/** An item being written; its text arrives in pieces and is joined once, when the block ends. */
interface OpenItem {
  outputIndex: number;
  kind: "message" | "reasoning" | "function_call" | "custom_tool_call";
  id: string;
  pieces: string[];
  signature: string;
  callId: string;
  name: string;
  namespace?: string;
  /** A custom call's text, decoded from its JSON input. */
  freeform?: FreeformDecoder;
  /** A custom call's input, once the call is complete. */
  input?: string;
}

/** OpenAI counts cached input inside the input tokens (kiro-protocol-2026.md §4.2). */
export function responsesUsage(u: Usage, reasoningTokens: number): ResponsesUsage {
  const cached = u.cache_read_input_tokens ?? 0;
  const input = u.input_tokens + cached + (u.cache_creation_input_tokens ?? 0);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: cached },
    output_tokens: u.output_tokens,
    output_tokens_details: { reasoning_tokens: Math.min(reasoningTokens, u.output_tokens) },
    total_tokens: input + u.output_tokens,
  };
}

const hex = () => crypto.randomUUID().replaceAll("-", "");
const ITEM_PREFIX: Record<OpenItem["kind"], string> = { message: "msg", reasoning: "rs", function_call: "fc", custom_tool_call: "ctc" };

export class ResponsesWriter {
  private sequence = 0;
  private nextOutputIndex = 0;
  private readonly output: OutputItem[] = [];
  private readonly open = new Map<number, OpenItem | null>();
  private status: ResponseObject["status"] = "in_progress";
  private incomplete: ResponseObject["incomplete_details"] = null;
  private error: ResponseObject["error"] = null;
  private usage: ResponsesUsage | null = null;
  private stopReason: StopReason = "end_turn";
  private reasoningTokens = 0;
  /** A compaction's summary, gathered from the reply's text. */
  private readonly summary: string[] = [];

  constructor(private readonly opts: ResponsesReplyOptions) {}

  /** The response as it stands: in progress while streaming, complete after the last event. */
  get response(): ResponseObject {
    const e = this.opts.echo;
    return {
      id: this.opts.id,
      object: "response",
      created_at: this.opts.createdAt,
      status: this.status,
      model: this.opts.model,
      // Items are listed as they finish; one still open is not in the response yet.
      output: this.output.filter((item) => item !== undefined),
      usage: this.usage,
      error: this.error,
      incomplete_details: this.incomplete,
      instructions: e.instructions,
      max_output_tokens: e.max_output_tokens,
      parallel_tool_calls: e.parallel_tool_calls,
      previous_response_id: null,
      reasoning: e.reasoning,
      store: false,
      temperature: e.temperature,
      text: { format: { type: "text" } },
      tool_choice: e.tool_choice,
      tools: e.tools,
      top_p: e.top_p,
      truncation: "disabled",
      metadata: e.metadata,
    };
  }

  /** The finished response: the writer as the non-streamed answer's EventFolder. */
  result(): ResponseObject {
    return this.response;
  }

  push(event: StreamEvent): ResponsesEvent[] {
    const out: ResponsesEvent[] = [];
    switch (event.type) {
      case "message_start":
        // emit() drops every event when quiet; returning here also spares making the response twice for nothing.
        if (this.opts.quiet) break;
        this.emit(out, { type: "response.created", response: this.response });
        this.emit(out, { type: "response.in_progress", response: this.response });
        break;
      case "content_block_start":
        this.start(out, event.index, event.content_block);
        break;
      case "content_block_delta":
        this.delta(out, event.index, event.delta);
        break;
      case "content_block_stop":
        this.stop(out, event.index);
        break;
      case "message_delta":
        this.stopReason = event.delta.stop_reason;
        this.usage = responsesUsage(event.usage, this.reasoningTokens);
        break;
      case "message_stop":
        this.finish(out);
        break;
      default:
        assertNever(event);
    }
    return out;
  }

  /** The last event of a stream that failed after it began. */
  failed(e: GatewayError): ResponsesEvent {
    const { error } = openaiErrorBody(e);
    this.status = "failed";
    this.error = { code: error.code ?? error.type, message: error.message };
    return { type: "response.failed", response: this.response, sequence_number: this.sequence++ };
  }

  private emit(out: ResponsesEvent[], event: ResponsesEvent): void {
    if (!this.opts.quiet) out.push({ ...event, sequence_number: this.sequence++ });
  }

  private start(out: ResponsesEvent[], index: number, block: Extract<StreamEvent, { type: "content_block_start" }>["content_block"]): void {
    if (this.opts.compaction) {
      this.open.set(index, null);
      return;
    }
    switch (block.type) {
      case "text":
        return this.openItem(out, index, "message", {});
      case "thinking":
        return this.openItem(out, index, "reasoning", {});
      // GPT's reasoning comes encrypted: a reasoning item without summary, its blob (tagged, reasoning-blob.ts) as
      // the encrypted content.
      case "redacted_thinking":
        return this.openItem(out, index, "reasoning", { signature: sealRedacted(block.data) });
      case "tool_use": {
        if (block.name === JSON_ANSWER_TOOL) return this.openItem(out, index, "message", {});
        const declared = this.opts.tools.lookup(block.name);
        const call = { callId: block.id, name: declared?.name ?? block.name, ...(declared?.namespace ? { namespace: declared.namespace } : {}) };
        if (declared?.kind === "custom") return this.openItem(out, index, "custom_tool_call", { ...call, freeform: new FreeformDecoder() });
        return this.openItem(out, index, "function_call", call);
      }
      case "server_tool_use":
      case "web_search_tool_result":
        this.open.set(index, null);
        return;
      default:
        return assertNever(block);
    }
  }

  private openItem(out: ResponsesEvent[], index: number, kind: OpenItem["kind"], call: Partial<Pick<OpenItem, "callId" | "name" | "namespace" | "signature" | "freeform">>): void {
    const item: OpenItem = { outputIndex: this.nextOutputIndex++, kind, id: `${ITEM_PREFIX[kind]}_${hex()}`, pieces: [], signature: "", callId: "", name: "", ...call };
    this.open.set(index, item);
    this.emit(out, { type: "response.output_item.added", output_index: item.outputIndex, item: this.itemOf(item, "in_progress") });
    if (kind === "message") {
      this.emit(out, { type: "response.content_part.added", item_id: item.id, output_index: item.outputIndex, content_index: 0, part: outputText("") });
    } else if (kind === "reasoning") {
      this.emit(out, { type: "response.reasoning_summary_part.added", item_id: item.id, output_index: item.outputIndex, summary_index: 0, part: { type: "summary_text", text: "" } });
    }
  }

  private delta(out: ResponsesEvent[], index: number, d: Extract<StreamEvent, { type: "content_block_delta" }>["delta"]): void {
    const item = this.open.get(index);
    if (this.opts.compaction) {
      if (d.type === "text_delta") this.summary.push(d.text);
      return;
    }
    if (!item) return;
    const at = { item_id: item.id, output_index: item.outputIndex };
    switch (d.type) {
      case "text_delta":
      case "input_json_delta": {
        const text = d.type === "text_delta" ? d.text : d.partial_json;
        if (!text) return;
        if (item.freeform) {
          const input = item.freeform.push(text);
          if (input) this.emit(out, { type: "response.custom_tool_call_input.delta", ...at, delta: input });
          return;
        }
        item.pieces.push(text);
        if (item.kind === "message") this.emit(out, { type: "response.output_text.delta", ...at, content_index: 0, delta: text, logprobs: [] });
        else if (item.kind === "function_call") this.emit(out, { type: "response.function_call_arguments.delta", ...at, delta: text });
        return;
      }
      case "thinking_delta":
        if (!d.thinking) return;
        item.pieces.push(d.thinking);
        this.reasoningTokens += estimateOutputTokens(d.thinking);
        this.emit(out, { type: "response.reasoning_summary_text.delta", ...at, summary_index: 0, delta: d.thinking });
        return;
      case "signature_delta":
        item.signature += d.signature;
        return;
      default:
        return assertNever(d);
    }
  }

  private stop(out: ResponsesEvent[], index: number): void {
    const item = this.open.get(index);
    this.open.delete(index);
    if (!item) return;
    const at = { item_id: item.id, output_index: item.outputIndex };
    const text = item.pieces.join("");
    switch (item.kind) {
      case "message":
        this.emit(out, { type: "response.output_text.done", ...at, content_index: 0, text, logprobs: [] });
        this.emit(out, { type: "response.content_part.done", ...at, content_index: 0, part: outputText(text) });
        break;
      case "reasoning":
        this.emit(out, { type: "response.reasoning_summary_text.done", ...at, summary_index: 0, text });
        this.emit(out, { type: "response.reasoning_summary_part.done", ...at, summary_index: 0, part: { type: "summary_text", text } });
        break;
      case "function_call":
        this.emit(out, { type: "response.function_call_arguments.done", ...at, arguments: text });
        break;
      case "custom_tool_call": {
        const { rest, input } = item.freeform!.end();
        item.input = input;
        if (rest) this.emit(out, { type: "response.custom_tool_call_input.delta", ...at, delta: rest });
        this.emit(out, { type: "response.custom_tool_call_input.done", ...at, input });
        break;
      }
      default:
        assertNever(item.kind);
    }
    const done = this.itemOf(item, "completed");
    this.output[item.outputIndex] = done;
    this.emit(out, { type: "response.output_item.done", output_index: item.outputIndex, item: done });
  }

  private itemOf(item: OpenItem, status: "in_progress" | "completed"): OutputItem {
    const text = status === "completed" ? item.pieces.join("") : "";
    const ns = item.namespace ? { namespace: item.namespace } : {};
    switch (item.kind) {
      case "message":
        return { type: "message", id: item.id, role: "assistant", status, content: status === "completed" ? [outputText(text)] : [] };
      case "reasoning":
        return { type: "reasoning", id: item.id, summary: status === "completed" ? [{ type: "summary_text", text }] : [], ...(item.signature ? { encrypted_content: item.signature } : {}) };
      case "function_call":
        return { type: "function_call", id: item.id, call_id: item.callId, name: item.name, ...ns, arguments: text, status };
      case "custom_tool_call":
        return { type: "custom_tool_call", id: item.id, call_id: item.callId, name: item.name, ...ns, input: status === "completed" ? item.input ?? "" : "", status };
      default:
        return assertNever(item.kind);
    }
  }

  private finish(out: ResponsesEvent[]): void {
    if (this.opts.compaction) {
      const item: OutputItem = { type: "compaction", id: `cmp_${hex()}`, encrypted_content: sealSummary(this.summary.join("").trim()) };
      this.emit(out, { type: "response.output_item.added", output_index: 0, item });
      this.output.push(item);
      this.emit(out, { type: "response.output_item.done", output_index: 0, item });
    }
    switch (this.stopReason) {
      case "max_tokens":
      case "model_context_window_exceeded":
        this.status = "incomplete";
        this.incomplete = { reason: "max_output_tokens" };
        break;
      case "refusal":
        this.status = "incomplete";
        this.incomplete = { reason: "content_filter" };
        break;
      default:
        this.status = "completed";
    }
    this.emit(out, { type: this.status === "completed" ? "response.completed" : "response.incomplete", response: this.response });
  }
}

const outputText = (text: string): OutputText => ({ type: "output_text", text, annotations: [] });
