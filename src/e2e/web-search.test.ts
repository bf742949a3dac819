/**
 * Claude Code's WebSearch through kiro-ts: a request whose one tool is `web_search` runs Kiro's own search (MCP)
 * and is answered as Anthropic's API answers it — the search call, its results, and a text listing them — streamed
 * or not, read by the official SDK.
 */
import { afterEach, expect, test } from "bun:test";
import { type Gateway, startGateway } from "./harness";

let g: Gateway;
afterEach(() => g.stop());

const search = (query: string) => ({
  model: "claude-sonnet-4-6",
  max_tokens: 1024,
  tools: [{ type: "web_search_20250305", name: "web_search", max_uses: 8 }] as never,
  messages: [{ role: "user" as const, content: `Perform a web search for the query: ${query}` }],
});
const mcpCalls = () => g.sim.requests.filter((r) => r.path.endsWith("/mcp"));

test("not streamed: the search call, its results with their dates, and a text listing them", async () => {
  g = await startGateway();
  const message = await g.client.messages.create(search("bun 1.4 release"));
  const [intro, call, results, listing] = message.content as any[];
  expect(intro).toEqual({ type: "text", text: `I'll search for "bun 1.4 release".` });
  expect(call).toMatchObject({ type: "server_tool_use", name: "web_search", input: { query: "bun 1.4 release" } });
  expect(call.id).toMatch(/^srvtoolu_[0-9a-f]{32}$/);
  expect(results.type).toBe("web_search_tool_result");
  expect(results.tool_use_id).toBe(call.id);
  expect(results.content).toHaveLength(3);
  expect(results.content[0]).toEqual({
    type: "web_search_result",
    title: "Result 1 for bun 1.4 release",
    url: "https://example.com/bun-1-4-release/1",
    encrypted_content: "Snippet 1: bun 1.4 release",
    page_age: "March 14, 2026",
  });
  expect(listing.type).toBe("text");
  expect(listing.text).toStartWith(`Search results for "bun 1.4 release":\n\n1. Result 1 for bun 1.4 release\n   https://example.com/bun-1-4-release/1`);
  // The third snippet is long: cut at 200 characters in the listing, whole in the result.
  expect(listing.text).toContain("…");
  expect(results.content[2].encrypted_content.length).toBeGreaterThan(200);
  expect(message.stop_reason).toBe("end_turn");
  expect(message.usage).toMatchObject({ server_tool_use: { web_search_requests: 1 } });
  expect(message.usage.output_tokens).toBeGreaterThan(0);

  const [mcp] = mcpCalls();
  expect(mcp!.status).toBe(200);
  expect(mcp!.body).toMatchObject({ jsonrpc: "2.0", method: "tools/call", params: { name: "web_search", arguments: { query: "bun 1.4 release" } } });
  expect((mcp!.body as { id: string }).id).toMatch(/^web_search_tooluse_[A-Za-z0-9]{22}_\d{13}_[a-z0-9]{8}$/);
  expect(mcp!.headers["x-amzn-kiro-profile-arn"]).toBe(g.sim.account("solo")!.profileArn!);
  expect(mcp!.headers["x-amzn-kiro-agent-mode"]).toBeUndefined();
  expect(g.sim.requests.some((r) => r.path.endsWith("/generateAssistantResponse"))).toBe(false);
});

test("streamed: the same answer, event by event, as the SDK assembles it", async () => {
  g = await startGateway();
  const stream = g.client.messages.stream(search("solid js signals"));
  const types: string[] = [];
  stream.on("streamEvent", (e) => types.push(e.type === "content_block_start" ? `start:${e.content_block.type}` : e.type));
  const message = await stream.finalMessage();
  expect(message.content.map((b) => b.type)).toEqual(["text", "server_tool_use", "web_search_tool_result", "text"]);
  expect((message.content[1] as any).input).toEqual({ query: "solid js signals" });
  expect(types.filter((t) => t.startsWith("start:"))).toEqual(["start:text", "start:server_tool_use", "start:web_search_tool_result", "start:text"]);
  expect(types.at(-1)).toBe("message_stop");
});

test("no hits, or a search that fails inside Kiro, is 'No results found.'", async () => {
  g = await startGateway();
  for (const query of ["nothing [sim] no results", "broken [sim] mcp error"]) {
    const message = await g.client.messages.create(search(query));
    expect((message.content[2] as any).content).toEqual([]);
    expect((message.content[3] as any).text).toBe("No results found.");
  }
});

test("an account Kiro refuses: the search moves to another", async () => {
  g = await startGateway({ accounts: [{ name: "a", authMethod: "social" }, { name: "b", authMethod: "social" }] });
  g.sim.account("a")!.expireAccessTokens();
  g.sim.account("a")!.revoke();
  const message = await g.client.messages.create(search("failover"));
  expect((message.content[2] as any).content).toHaveLength(3);
  expect(mcpCalls().map((r) => [r.account, r.status])).toEqual([
    ["a", 403],
    ["b", 200],
  ]);
});

test("a web search without a query is a 400 naming the message", async () => {
  g = await startGateway();
  const res = await fetch(`${g.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": g.apiKey },
    body: JSON.stringify({ ...search(""), messages: [{ role: "user", content: "Perform a web search for the query: " }] }),
  });
  expect(res.status).toBe(400);
  expect(((await res.json()) as any).error.message).toBe("messages.0: a web search request needs the query as the first message's text");
});
