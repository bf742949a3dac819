/**
 * max_tokens is checked as the Anthropic API checks it: a positive integer, and no more than the model can write.
 * Each refusal is a 400 naming the field, before any Kiro call; the official SDK sees a BadRequestError.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { post, startGateway, type Gateway } from "./harness";

const ask = (model: string, max_tokens: unknown, stream = false) => ({ model, max_tokens, stream, messages: [{ role: "user", content: "hello" }] });

let g: Gateway;
beforeAll(async () => {
  g = await startGateway();
});
afterAll(() => g.stop());

describe("max_tokens", () => {
  test.each([
    ["1e20", "max_tokens: expected integer to be less or equal to 9007199254740991"],
    ["0", "max_tokens: expected integer to be greater or equal to 1"],
    ["2.5", "max_tokens: expected integer"],
    ["-3", "max_tokens: expected integer to be greater or equal to 1"],
  ])("%s is not a positive integer: 400 naming the field", async (raw, message) => {
    for (const stream of [false, true]) {
      const res = await post(g, "/v1/messages", `{"model":"claude-sonnet-4-6","max_tokens":${raw},"stream":${stream},"messages":[{"role":"user","content":"hi"}]}`);
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ type: "error", error: { type: "invalid_request_error", message } });
    }
  });

  test.each([
    ["claude-sonnet-4-6", 64_001, 64_000],
    ["claude-haiku-4-5-20251001", 100_000, 64_000],
    ["claude-opus-4-7", 128_001, 128_000],
  ])("above the output limit of %s: refused as Anthropic refuses it", async (model, asked, limit) => {
    g.sim.clearRequests();
    for (const stream of [false, true]) {
      const res = await post(g, "/v1/messages", ask(model, asked, stream));
      expect(res.status).toBe(400);
      expect(res.json.error).toEqual({
        type: "invalid_request_error",
        message: `max_tokens: ${asked} > ${limit}, which is the maximum allowed number of output tokens for ${model}`,
      });
    }
    expect(g.sim.requests.filter((r) => r.path.endsWith("/generateAssistantResponse"))).toHaveLength(0);
  });

  test("the limit itself is served; the SDK reads a refusal as BadRequestError", async () => {
    expect((await post(g, "/v1/messages", ask("claude-sonnet-4-6", 64_000))).status).toBe(200);
    expect((await post(g, "/v1/messages", ask("claude-opus-4-7", 128_000))).status).toBe(200);
    const refused = await g.client.messages
      .create({ model: "claude-sonnet-4-6", max_tokens: 100_000, stream: true, messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Anthropic.BadRequestError);
  });

  test("a web search request is held to the same limit", async () => {
    const res = await post(g, "/v1/messages", {
      ...ask("claude-sonnet-4-6", 70_000),
      tools: [{ type: "web_search_20250305", name: "web_search", max_uses: 1 }],
      messages: [{ role: "user", content: "Perform a web search for the query: bun runtime" }],
    });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain("max_tokens: 70000 > 64000");
  });
});
