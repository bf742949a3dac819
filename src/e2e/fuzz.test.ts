/**
 * Bad input, case by case: what a stranger, a broken client and a hostile one each hear.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { post, startGateway, type Gateway } from "./harness";

const hello = { model: "claude-sonnet-4-5", max_tokens: 64, messages: [{ role: "user", content: "hello" }] };
const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

describe("hostile input, case by case", () => {
  let g: Gateway;
  beforeAll(async () => {
    g = await startGateway();
  });
  afterAll(() => g.stop());

  test.each(["/v1/messages", "/v1/messages/count_tokens"])("%s: a stranger's body is not read: 401 whatever it holds", async (path) => {
    for (const body of ["{not json", nested(100_000), JSON.stringify({ model: 5 })]) {
      const res = await post(g, path, body, { "x-api-key": "sk-a-stranger" });
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } });
    }
  });

  test.each(["/v1/messages", "/v1/messages/count_tokens"])("%s: nesting deeper than 128 levels is a 400 saying so, at any depth", async (path) => {
    for (const depth of [129, 30_000, 1_000_000]) {
      const res = await post(g, path, `{"model":"claude-sonnet-4-5","max_tokens":1,"messages":[],"extra":${nested(depth)}}`);
      expect(res.status).toBe(400);
      expect(res.json.error.message).toBe("the request body nests arrays and objects deeper than 128 levels");
    }
    g.sim.enqueue();
    const fine = await post(g, path, { ...hello, metadata: { deep: JSON.parse(nested(100)) } });
    expect(fine.status).toBe(200);
  });

  test("an empty body, and a body sent without a JSON content type", async () => {
    const empty = await post(g, "/v1/messages", "");
    expect(empty.status).toBe(400);
    expect(empty.json.error.message).toBe("the request body is empty; send a JSON object");
    // curl -d without -H sends application/x-www-form-urlencoded: the JSON is read all the same.
    const res = await post(g, "/v1/messages", JSON.stringify(hello), { "content-type": "application/x-www-form-urlencoded" });
    expect(res.status).toBe(200);
    expect(res.json.content[0].text).toContain("You said: hello");
  });

  test("count_tokens checks blocks as /v1/messages does", async () => {
    const bogus = { ...hello, messages: [{ role: "user", content: [{ type: "bogus" }] }] };
    for (const path of ["/v1/messages", "/v1/messages/count_tokens"]) {
      const res = await post(g, path, bogus);
      expect(res.status).toBe(400);
      expect(res.json.error.message).toBe('messages.0.content.0: unknown content block type "bogus"');
    }
    const image = { type: "image", source: { type: "base64", media_type: "image/png", data: "!!not base64" } };
    const res = await post(g, "/v1/messages/count_tokens", { model: hello.model, messages: [{ role: "user", content: [image] }] });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toBe('messages.0.content.0: image data is not valid base64: character "!" at offset 0 is not in the base64 alphabet');
    // Fields only /v1/messages knows are passed over unchecked, so they must not reach the conversion.
    const odd = await post(g, "/v1/messages/count_tokens", { ...hello, metadata: { user_id: 5 }, output_config: { effort: [] } });
    expect(odd.status).toBe(200);
    expect(odd.json.input_tokens).toBeGreaterThan(0);
  });

  test("a lone surrogate reaches Kiro as U+FFFD", async () => {
    g.sim.clearRequests();
    const res = await post(g, "/v1/messages", '{"model":"claude-sonnet-4-5","max_tokens":8,"messages":[{"role":"user","content":"half \\ud83d"}]}');
    expect(res.status).toBe(200);
    const sent = g.sim.requests.find((r) => r.path.endsWith("/generateAssistantResponse"))!.body as any;
    expect(sent.conversationState.currentMessage.userInputMessage.content).toBe("half \ufffd");
  });

  test("unknown routes under /v1 are Anthropic 404s", async () => {
    for (const [method, path] of [["POST", "/v1/complete"], ["GET", "/v1/messages"], ["DELETE", "/v1/models"]] as const) {
      const res = await fetch(g.url + path, { method, headers: { "x-api-key": g.apiKey } });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ type: "error", error: { type: "not_found_error", message: `no route ${method} ${path}` } });
    }
  });

  test("a huge model name is not echoed whole", async () => {
    const res = await post(g, "/v1/messages", { ...hello, model: "m".repeat(1_000_000) });
    expect(res.status).toBe(400);
    expect(res.text.length).toBeLessThan(3_000);
    expect(res.json.error.message).toContain("is not supported");
  });
});
