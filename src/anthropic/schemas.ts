/**
 * TypeBox schemas of the client-facing Anthropic API. Requests accept unknown fields: the Anthropic API
 * grows every month and a field we do not know is passed over, never a 400. Plain TypeBox rather than
 * Elysia's `t`, which coerces ("1" becomes a number): a client sending the wrong type should hear so.
 * Content blocks are checked loosely here (an object with a string `type`) and precisely in convert.ts, which can name the exact
 * block and field that is wrong; TypeBox unions only say "Expected union value".
 */
import { Type as t, type Static } from "@sinclair/typebox";

const open = { additionalProperties: true } as const;

export const ContentBlock = t.Object({ type: t.String() }, open);

export const Message = t.Object(
  {
    // "system" in messages: current Claude Code and OpenCode send it (folded into user text by convert.ts).
    role: t.Union([t.Literal("user"), t.Literal("assistant"), t.Literal("system")]),
    content: t.Union([t.String(), t.Array(ContentBlock)]),
  },
  open,
);

export const TextBlock = t.Object({ type: t.Literal("text"), text: t.String() }, open);

export const Tool = t.Object(
  {
    name: t.String({ minLength: 1 }),
    description: t.Optional(t.String()),
    input_schema: t.Optional(t.Any()),
    type: t.Optional(t.String()),
  },
  open,
);

export const Thinking = t.Object(
  {
    type: t.String(),
    budget_tokens: t.Optional(t.Integer()),
  },
  open,
);

export const MessagesRequest = t.Object(
  {
    model: t.String({ minLength: 1 }),
    // 1e20 is an integer to JavaScript, but no count of tokens.
    max_tokens: t.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    messages: t.Array(Message),
    system: t.Optional(t.Union([t.String(), t.Array(TextBlock)])),
    stream: t.Optional(t.Boolean()),
    tools: t.Optional(t.Array(Tool)),
    tool_choice: t.Optional(t.Any()),
    thinking: t.Optional(Thinking),
    metadata: t.Optional(t.Object({ user_id: t.Optional(t.Union([t.String(), t.Null()])) }, open)),
    output_config: t.Optional(t.Object({ effort: t.Optional(t.String()) }, open)),
    stop_sequences: t.Optional(t.Array(t.String())),
  },
  open,
);
export type MessagesRequest = Static<typeof MessagesRequest>;
export type MessageParam = Static<typeof Message>;
export type ToolParam = Static<typeof Tool>;

export const CountTokensRequest = t.Object(
  {
    model: t.String({ minLength: 1 }),
    messages: t.Array(Message),
    system: t.Optional(t.Union([t.String(), t.Array(TextBlock)])),
    tools: t.Optional(t.Array(Tool)),
    thinking: t.Optional(Thinking),
  },
  open,
);
export type CountTokensRequest = Static<typeof CountTokensRequest>;

/* ---- Responses (Anthropic's own shapes) ---- */

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
  server_tool_use?: { web_search_requests: number };
}

/** One hit of the web search tool, as Anthropic's server tool answers it. */
export interface WebSearchResult {
  type: "web_search_result";
  title: string;
  url: string;
  encrypted_content: string;
  page_age?: string;
}

export type WebSearchResultBlock = { type: "web_search_tool_result"; tool_use_id: string; content: WebSearchResult[] };

export type ResponseBlock =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "redacted_thinking"; data: string }
  | { type: "tool_use"; id: string; name: string; input: unknown }
  | { type: "server_tool_use"; id: string; name: string; input: unknown }
  | WebSearchResultBlock;

export type StopReason =
  | "end_turn"
  | "max_tokens"
  | "stop_sequence"
  | "tool_use"
  | "pause_turn"
  | "refusal"
  | "model_context_window_exceeded";

export interface MessageResponse {
  id: string;
  type: "message";
  role: "assistant";
  content: ResponseBlock[];
  model: string;
  stop_reason: StopReason | null;
  stop_sequence: string | null;
  usage: Usage;
}

/**
 * The events of one reply, in Anthropic's streaming shapes: what the stream state machine yields and every writer
 * renders (Anthropic's SSE, the folded message, and the other fronts' writers).
 */
export type StreamEvent =
  | { type: "message_start"; message: MessageResponse }
  | {
      type: "content_block_start";
      index: number;
      content_block:
        | { type: "text"; text: "" }
        | { type: "thinking"; thinking: ""; signature: "" }
        | { type: "redacted_thinking"; data: string }
        | { type: "tool_use" | "server_tool_use"; id: string; name: string; input: Record<string, never> }
        | WebSearchResultBlock;
    }
  | {
      type: "content_block_delta";
      index: number;
      delta:
        | { type: "text_delta"; text: string }
        | { type: "thinking_delta"; thinking: string }
        | { type: "signature_delta"; signature: string }
        | { type: "input_json_delta"; partial_json: string };
    }
  | { type: "content_block_stop"; index: number }
  | {
      type: "message_delta";
      delta: { stop_reason: StopReason; stop_sequence: string | null };
      usage: Usage;
    }
  | { type: "message_stop" };

/** Anthropic's SSE: the reply's events, plus the keep-alive and the error that ends a failed stream. */
export type SseEvent = StreamEvent | { type: "ping" } | { type: "error"; error: { type: string; message: string } };
