/**
 * Anthropic's web search server tool, answered through Kiro's own search (kiro-protocol.md §3.13). Claude Code's
 * WebSearch sends a request whose only tool is `web_search` and whose message is the query; Kiro's model cannot run
 * that tool, so the gateway runs the search itself and answers as Anthropic's API does: the search call, its
 * results, and a text listing them.
 */
import { GatewayError } from "../errors";
import type { SearchHit } from "../kiro/mcp";
import type { MessageParam, MessagesRequest, StreamEvent, WebSearchResult } from "./schemas";

/** Claude Code words its search requests so. */
const QUERY_PREFIX = "Perform a web search for the query: ";
const SNIPPET_CHARS = 200;
const DELTA_CHARS = 100;

/** Whether this request is a web search: its one tool is `web_search`. */
export const isWebSearch = (req: Pick<MessagesRequest, "tools">) => req.tools?.length === 1 && req.tools[0]?.name === "web_search";

/** The query when this request is a web search, else undefined. */
export function webSearchQuery(req: Pick<MessagesRequest, "tools" | "messages">): string | undefined {
  if (!isWebSearch(req)) return undefined;
  const text = firstText(req.messages[0]);
  const query = (text.startsWith(QUERY_PREFIX) ? text.slice(QUERY_PREFIX.length) : text).trim();
  if (query === "") throw new GatewayError("invalid_request", "messages.0: a web search request needs the query as the first message's text");
  return query;
}

function firstText(message: MessageParam | undefined): string {
  if (!message) return "";
  if (typeof message.content === "string") return message.content;
  const first = message.content[0] as { type?: unknown; text?: unknown } | undefined;
  return first?.type === "text" && typeof first.text === "string" ? first.text : "";
}

const hex = (bytes: number) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");

/** "March 14, 2026", as Anthropic's page_age reads. */
function pageAge(ms: number | undefined): string | undefined {
  if (ms === undefined || !Number.isFinite(ms)) return undefined;
  return new Date(ms).toLocaleDateString("en-US", { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
}

function summary(query: string, hits: readonly SearchHit[]): string {
  if (hits.length === 0) return "No results found.";
  const lines = hits.map((h, i) => {
    const snippet = [...h.snippet].length > SNIPPET_CHARS ? `${[...h.snippet].slice(0, SNIPPET_CHARS).join("")}…` : h.snippet;
    return `${i + 1}. ${h.title}\n   ${h.url}${snippet ? `\n   ${snippet}` : ""}`;
  });
  return `Search results for "${query}":\n\n${lines.join("\n\n")}`;
}

/** The whole answer as Anthropic streams it: a search call, its results, then a text listing them. */
export function webSearchEvents(opts: { model: string; query: string; hits: readonly SearchHit[]; inputTokens: number }): StreamEvent[] {
  const { model, query, hits } = opts;
  const toolUseId = `srvtoolu_${hex(16)}`;
  const results: WebSearchResult[] = hits.map((h) => {
    const age = pageAge(h.publishedDate);
    return { type: "web_search_result", title: h.title, url: h.url, encrypted_content: h.snippet, ...(age ? { page_age: age } : {}) };
  });
  const intro = `I'll search for "${query}".`;
  const text = summary(query, hits);
  const chunks = text.match(new RegExp(`[\\s\\S]{1,${DELTA_CHARS}}`, "gu")) ?? [];
  return [
    {
      type: "message_start",
      message: {
        id: `msg_${hex(16)}`,
        type: "message",
        role: "assistant",
        content: [],
        model,
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: opts.inputTokens, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    },
    { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: intro } },
    { type: "content_block_stop", index: 0 },
    { type: "content_block_start", index: 1, content_block: { type: "server_tool_use", id: toolUseId, name: "web_search", input: {} } },
    { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: JSON.stringify({ query }) } },
    { type: "content_block_stop", index: 1 },
    { type: "content_block_start", index: 2, content_block: { type: "web_search_tool_result", tool_use_id: toolUseId, content: results } },
    { type: "content_block_stop", index: 2 },
    { type: "content_block_start", index: 3, content_block: { type: "text", text: "" } },
    ...chunks.map((piece): StreamEvent => ({ type: "content_block_delta", index: 3, delta: { type: "text_delta", text: piece } })),
    { type: "content_block_stop", index: 3 },
    {
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: {
        input_tokens: opts.inputTokens,
        output_tokens: Math.ceil((intro.length + text.length) / 4),
        server_tool_use: { web_search_requests: 1 },
      },
    },
    { type: "message_stop" },
  ];
}
