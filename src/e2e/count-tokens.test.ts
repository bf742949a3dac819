/** count_tokens: the external API when configured (with its key), the local estimate when it fails — never a fake 0. */
import { afterAll, describe, expect, test } from "bun:test";
import { post, startGateway, type Gateway } from "./harness";

const ask = { model: "claude-sonnet-4-6", messages: [{ role: "user", content: "Hello, Claude!" }], system: "Be brief." };
const seen: Array<{ headers: Record<string, string>; body: any }> = [];
let healthy = true;
const external = Bun.serve({
  port: 0,
  async fetch(req) {
    seen.push({ headers: Object.fromEntries(req.headers), body: await req.json() });
    return healthy ? Response.json({ input_tokens: 4242 }) : new Response("down", { status: 503 });
  },
});
const gateways: Gateway[] = [];
afterAll(async () => {
  for (const g of gateways) await g.stop();
  external.stop(true);
});

describe("count_tokens", () => {
  test("local estimate without an external API: the kiro.rs count, never 0", async () => {
    const g = await startGateway();
    gateways.push(g);
    const res = await post(g, "/v1/messages/count_tokens", ask);
    expect(res.status).toBe(200);
    expect(res.json.input_tokens).toBeGreaterThanOrEqual(5);
    const unknown = await post(g, "/v1/messages/count_tokens", { ...ask, model: "gpt-5" });
    expect(unknown.status).toBe(400);
  });

  for (const [authType, header, value] of [["x-api-key", "x-api-key", "ct-key"], ["bearer", "authorization", "Bearer ct-key"]] as const) {
    test(`the external API (${authType}) answers when configured, with the request passed on`, async () => {
      const g = await startGateway({ config: { countTokensApiUrl: external.url.href, countTokensApiKey: "ct-key", countTokensAuthType: authType } });
      gateways.push(g);
      healthy = true;
      seen.length = 0;
      const res = await post(g, "/v1/messages/count_tokens", ask);
      expect(res.json).toEqual({ input_tokens: 4242 });
      expect(seen[0]!.headers[header]).toBe(value);
      expect(seen[0]!.body).toEqual(ask);
    });
  }

  test("the external API failing: the local estimate, and a warning", async () => {
    const g = await startGateway({ config: { countTokensApiUrl: external.url.href } });
    gateways.push(g);
    healthy = false;
    const res = await post(g, "/v1/messages/count_tokens", ask);
    expect(res.status).toBe(200);
    expect(res.json.input_tokens).toBeGreaterThan(0);
    expect(res.json.input_tokens).not.toBe(4242);
    expect(g.logLines.some((l) => l.includes("external count_tokens failed"))).toBe(true);
  });
});
