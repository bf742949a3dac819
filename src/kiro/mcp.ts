/** Kiro's MCP endpoint, for its web search (kiro-protocol.md §1.2, §3.13): one JSON-RPC `tools/call` per query. */
import { apiRegionOf, type ChatAccount } from "./credential";
import { call, mcpHeaders, proxyFor, withRegion, type UpstreamSettings } from "./http";

export interface SearchHit {
  title: string;
  url: string;
  snippet: string;
  /** Epoch ms, when Kiro knows it. */
  publishedDate?: number;
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const random = (n: number, alphabet: string) => Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => alphabet[b % alphabet.length]).join("");

/** The request id KRS sends: web_search_tooluse_{22 alphanumerics}_{unix ms}_{8 lower-case alphanumerics}. */
const requestId = () => `web_search_tooluse_${random(22, ALNUM)}_${Date.now()}_${random(8, "abcdefghijklmnopqrstuvwxyz0123456789")}`;

/**
 * The hits for `query`. An HTTP failure is an UpstreamError, for the pool to classify and fail over; an answer that
 * says the search itself failed (a JSON-RPC error, isError, a body that cannot be read) is no hits, as in kiro.rs.
 */
export async function webSearch(s: UpstreamSettings, account: ChatAccount, query: string, signal: AbortSignal): Promise<SearchHit[]> {
  const c = account.credential;
  const res = await call(
    `${withRegion(s.kiroApiBaseUrl, apiRegionOf(c, s.region))}/mcp`,
    {
      method: "POST",
      headers: mcpHeaders(s, account.machineId, c),
      body: JSON.stringify({ id: requestId(), jsonrpc: "2.0", method: "tools/call", params: { name: "web_search", arguments: { query } } }),
    },
    { operation: "web search", timeoutMs: 60_000, signal, proxyUrl: proxyFor(c.proxyUrl, s) },
  );
  try {
    const answer = (await res.json()) as { result?: { isError?: boolean; content?: Array<{ type?: string; text?: string }> }; error?: unknown };
    const text = answer.result?.content?.find((item) => item.type === "text")?.text;
    if (answer.error || answer.result?.isError || typeof text !== "string") return [];
    const inner = JSON.parse(text) as { results?: Array<Record<string, unknown>> };
    return (inner.results ?? []).flatMap((r) =>
      typeof r.title === "string" && typeof r.url === "string"
        ? [{ title: r.title, url: r.url, snippet: typeof r.snippet === "string" ? r.snippet : "", ...(typeof r.publishedDate === "number" ? { publishedDate: r.publishedDate } : {}) }]
        : [],
    );
  } catch {
    return [];
  }
}
