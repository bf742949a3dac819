/**
 * TypeBox schemas of the OpenAI fronts (Chat Completions and Responses), and the shapes they answer with. As on the
 * Anthropic side, requests accept unknown fields (OpenAI's API grows every month) and check messages, items and
 * tools loosely here: the converters check them precisely and name the exact field that is wrong.
 */
import { Type as t, type Static } from "@sinclair/typebox";

const open = { additionalProperties: true } as const;
const nullable = <T extends ReturnType<typeof t.String>>(s: T) => t.Optional(t.Union([s, t.Null()]));

const ChatMessage = t.Object({ role: t.String() }, open);

export const ChatCompletionsRequest = t.Object(
  {
    model: t.String({ minLength: 1 }),
    messages: t.Array(ChatMessage),
    stream: t.Optional(t.Union([t.Boolean(), t.Null()])),
    stream_options: t.Optional(t.Union([t.Object({ include_usage: t.Optional(t.Boolean()) }, open), t.Null()])),
    tools: t.Optional(t.Array(t.Object({ type: t.String() }, open))),
    tool_choice: t.Optional(t.Any()),
    max_tokens: t.Optional(t.Union([t.Integer({ minimum: 1 }), t.Null()])),
    max_completion_tokens: t.Optional(t.Union([t.Integer({ minimum: 1 }), t.Null()])),
    n: t.Optional(t.Union([t.Integer(), t.Null()])),
    stop: t.Optional(t.Union([t.String(), t.Array(t.String()), t.Null()])),
    reasoning_effort: nullable(t.String()),
    response_format: t.Optional(t.Union([t.Object({ type: t.String() }, open), t.Null()])),
    prompt_cache_key: nullable(t.String()),
  },
  open,
);
export type ChatCompletionsRequest = Static<typeof ChatCompletionsRequest>;

export const ResponsesRequest = t.Object(
  {
    model: t.String({ minLength: 1 }),
    input: t.Optional(t.Union([t.String(), t.Array(t.Object({}, open))])),
    instructions: nullable(t.String()),
    tools: t.Optional(t.Array(t.Object({ type: t.String() }, open))),
    tool_choice: t.Optional(t.Any()),
    stream: t.Optional(t.Union([t.Boolean(), t.Null()])),
    max_output_tokens: t.Optional(t.Union([t.Integer({ minimum: 1 }), t.Null()])),
    reasoning: t.Optional(t.Union([t.Object({ effort: nullable(t.String()) }, open), t.Null()])),
    previous_response_id: nullable(t.String()),
    store: t.Optional(t.Union([t.Boolean(), t.Null()])),
    prompt_cache_key: nullable(t.String()),
    parallel_tool_calls: t.Optional(t.Union([t.Boolean(), t.Null()])),
    temperature: t.Optional(t.Union([t.Number(), t.Null()])),
    top_p: t.Optional(t.Union([t.Number(), t.Null()])),
    text: t.Optional(t.Union([t.Object({ format: t.Optional(t.Any()) }, open), t.Null()])),
  },
  open,
);
export type ResponsesRequest = Static<typeof ResponsesRequest>;

/* ---- Chat Completions answers ---- */

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
}

export interface ChatToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: {
    index: 0;
    message: { role: "assistant"; content: string | null; refusal: null; reasoning_content?: string; tool_calls?: ChatToolCall[] };
    finish_reason: FinishReason;
    logprobs: null;
  }[];
  usage: ChatUsage;
}

export interface ChatDelta {
  role?: "assistant";
  content?: string;
  reasoning_content?: string;
  tool_calls?: { index: number; id?: string; type?: "function"; function: { name?: string; arguments: string } }[];
}

export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: { index: 0; delta: ChatDelta; finish_reason: FinishReason | null; logprobs: null }[];
  usage?: ChatUsage;
}

/* ---- Responses answers ---- */

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type OutputText = { type: "output_text"; text: string; annotations: never[] };
export type SummaryText = { type: "summary_text"; text: string };
type ItemStatus = "in_progress" | "completed" | "incomplete";

export type OutputItem =
  | { type: "message"; id: string; role: "assistant"; status: ItemStatus; content: OutputText[] }
  | { type: "reasoning"; id: string; summary: SummaryText[]; encrypted_content?: string }
  | { type: "function_call"; id: string; call_id: string; name: string; namespace?: string; arguments: string; status: ItemStatus }
  | { type: "custom_tool_call"; id: string; call_id: string; name: string; namespace?: string; input: string; status: ItemStatus }
  | { type: "compaction"; id: string; encrypted_content: string };

export interface ResponseObject {
  id: string;
  object: "response";
  created_at: number;
  status: "in_progress" | "completed" | "incomplete" | "failed";
  model: string;
  output: OutputItem[];
  usage: ResponsesUsage | null;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: "max_output_tokens" | "content_filter" } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  parallel_tool_calls: boolean;
  previous_response_id: null;
  reasoning: { effort: string | null; summary: null };
  store: false;
  temperature: number | null;
  text: { format: { type: "text" } };
  tool_choice: unknown;
  tools: unknown[];
  top_p: number | null;
  truncation: "disabled";
  metadata: Record<string, string>;
}

/** One event of a Responses stream, without its sequence number (the writer numbers them). */
export type ResponsesEvent = { type: string } & Record<string, unknown>;
