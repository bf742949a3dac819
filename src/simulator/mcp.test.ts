import { expect, test } from "bun:test";
import { mcpAnswer, RESULT_DATE_MS } from "./mcp";
import { KiroSimulator } from "./simulator";

const call = (query: unknown, extra: Record<string, unknown> = {}) => ({
  id: "web_search_tooluse_x",
  jsonrpc: "2.0",
  method: "tools/call",
  params: { name: "web_search", arguments: { query } },
  ...extra,
});

test("tools/call web_search answers made-up results as a JSON string in a text item", () => {
  const answer = mcpAnswer(call("bun 1.4")) as any;
  expect(answer).toMatchObject({ id: "web_search_tooluse_x", jsonrpc: "2.0", result: { isError: false } });
  const inner = JSON.parse(answer.result.content[0].text);
  expect(inner.query).toBe("bun 1.4");
  expect(inner.results).toHaveLength(3);
  expect(inner.results[0]).toMatchObject({ title: "Result 1 for bun 1.4", url: "https://example.com/bun-1-4/1", publishedDate: RESULT_DATE_MS });
  expect(JSON.parse((mcpAnswer(call("x [sim] no results")) as any).result.content[0].text).results).toEqual([]);
});

test("what is not a web_search call gets a JSON-RPC error", () => {
  expect(mcpAnswer(call("q [sim] mcp error"))).toMatchObject({ error: { code: -32000 } });
  expect(mcpAnswer(call(""))).toMatchObject({ error: { code: -32602 } });
  expect(mcpAnswer(call("q", { method: "tools/list" }))).toMatchObject({ error: { code: -32601 } });
  expect(mcpAnswer({ method: "tools/call" })).toMatchObject({ id: null, error: { code: -32600 } });
});

test("POST /mcp wants a valid bearer token", async () => {
  const sim = await KiroSimulator.start({ accounts: [{ name: "s", authMethod: "social" }] });
  try {
    const post = (token: string) =>
      fetch(`${sim.url}/mcp`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(call("q")) });
    expect((await post(sim.account("s")!.issueAccessToken().accessToken)).status).toBe(200);
    expect((await post("bogus")).status).toBe(403);
  } finally {
    await sim.stop();
  }
});
