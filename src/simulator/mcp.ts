/**
 * Kiro's MCP endpoint as the web search uses it (kiro-protocol.md §1.2, §3.13): a JSON-RPC `tools/call` of
 * `web_search`, answered with the results as a JSON string inside a text content item. The results are made up
 * from the query, so a test knows what to expect; "[sim] no results" and "[sim] mcp error" in the query script
 * an empty answer and a JSON-RPC error.
 */

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The published date of every made-up result: 2026-03-14, 12:00 UTC. */
export const RESULT_DATE_MS = Date.UTC(2026, 2, 14, 12);

export function mcpAnswer(body: unknown): Record<string, unknown> {
  const id = isObject(body) ? body.id : undefined;
  const params = isObject(body) && isObject(body.params) ? body.params : undefined;
  const query = params && isObject(params.arguments) ? params.arguments.query : undefined;
  const fail = (code: number, message: string) => ({ id: id ?? null, jsonrpc: "2.0", error: { code, message } });
  if (!isObject(body) || body.jsonrpc !== "2.0" || typeof id !== "string") return fail(-32600, "Invalid Request");
  if (body.method !== "tools/call") return fail(-32601, "Method not found");
  if (params?.name !== "web_search" || typeof query !== "string" || query.trim() === "") return fail(-32602, "Invalid params");
  if (query.includes("[sim] mcp error")) return fail(-32000, "search backend unavailable");
  const results = query.includes("[sim] no results") ? [] : madeUpResults(query);
  const text = JSON.stringify({ results, totalResults: results.length, query, error: null });
  return { id, jsonrpc: "2.0", result: { content: [{ type: "text", text }], isError: false } };
}

function madeUpResults(query: string) {
  const slug = query.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "q";
  return [1, 2, 3].map((n) => ({
    title: `Result ${n} for ${query}`,
    url: `https://example.com/${slug}/${n}`,
    snippet: `Snippet ${n}: ${query} `.repeat(n === 3 ? 20 : 1).trim(),
    publishedDate: RESULT_DATE_MS,
    id: `result-${n}`,
    domain: "example.com",
    maxVerbatimWordLimit: 30,
    publicDomain: false,
  }));
}
