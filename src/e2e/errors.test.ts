/**
 * Every error a client can meet, as the client meets it: status, Anthropic error type, a message that says what
 * is wrong — and what the official SDK makes of it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { events, internal, pause, reset, text, textEvent, throttled, tooLong } from "../simulator/replies";
import { post, startGateway, type Gateway } from "./harness";

const hello = { model: "claude-sonnet-4-6", max_tokens: 64, messages: [{ role: "user", content: "hello" }] };

describe("request errors (no upstream call)", () => {
  let g: Gateway;
  beforeAll(async () => {
    g = await startGateway();
  });
  afterAll(() => g.stop());

  test("no key, wrong key: 401 authentication_error; both header styles work", async () => {
    const none = await fetch(g.url + "/v1/messages", { method: "POST", body: JSON.stringify(hello), headers: { "content-type": "application/json" } });
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } });
    expect((await post(g, "/v1/messages", hello, { "x-api-key": "wrong" })).status).toBe(401);
    const wrongSdk = new Anthropic({ baseURL: g.url, apiKey: "nope", maxRetries: 0 });
    expect(await wrongSdk.models.list().catch((e: unknown) => e)).toBeInstanceOf(Anthropic.AuthenticationError);
    const bearer = await fetch(g.url + "/v1/models", { headers: { authorization: `Bearer ${g.apiKey}` } });
    expect(bearer.status).toBe(200);
  });

  test("bad JSON: 400 invalid_request_error", async () => {
    const res = await post(g, "/v1/messages", '{"model": "claude-sonnet-4-6", ');
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ type: "error", error: { type: "invalid_request_error", message: "the request body is not valid JSON" } });
  });

  test.each([
    [{ model: "claude-sonnet-4-6", messages: [{ role: "user", content: "x" }] }, "max_tokens: field required"],
    [{ ...hello, max_tokens: 0 }, "max_tokens: expected integer to be greater or equal to 1"],
    [{ ...hello, messages: [{ role: "robot", content: "x" }] }, 'messages.0.role: must be one of "user", "assistant", "system"'],
    [{ ...hello, system: 42 }, "system: expected string or expected array"],
    [{ ...hello, stream: "yes" }, "stream: expected boolean"],
  ])("schema violation names the field: %j", async (body, message) => {
    const res = await post(g, "/v1/messages", body);
    expect(res.status).toBe(400);
    expect(res.json.error.type).toBe("invalid_request_error");
    expect(res.json.error.message).toBe(message);
  });

  test("an unknown model is a 400 naming it; unknown fields are passed over", async () => {
    const res = await post(g, "/v1/messages", { ...hello, model: "gpt-4o" });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain('model "gpt-4o" is not supported');
    g.sim.enqueue(text("fine"));
    const ok = await post(g, "/v1/messages", { ...hello, some_future_field: { a: 1 }, context_management: { edits: [] } });
    expect(ok.status).toBe(200);
  });

  test("a body over 32 MiB (Anthropic's own limit): 413 request_too_large", async () => {
    const res = await fetch(g.url + "/v1/messages", {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": g.apiKey, "content-length": String(33 * 1024 * 1024) },
      body: new Uint8Array(33 * 1024 * 1024).fill(32),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).error.type).toBe("request_too_large");
  });

  test("unknown routes are 404 not_found_error", async () => {
    const res = await post(g, "/v1/complete", hello);
    expect(res.status).toBe(404);
  });
});

describe("upstream errors", () => {
  let g: Gateway;
  afterEach(() => g.stop());

  test("context too long: 400 invalid_request_error the client understands", async () => {
    g = await startGateway();
    g.sim.enqueue(tooLong());
    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(400);
    expect(res.json.error.type).toBe("invalid_request_error");
    expect(res.json.error.message).toStartWith("Input is too long");
    // A request-shape error is not the account's fault.
    expect(g.services.pool.accounts[0]!.state.kind).toBe("healthy");
  });

  test("Kiro throttles: 429 rate_limit_error with Retry-After", async () => {
    g = await startGateway({ config: { queueWaitSecs: 0 } });
    g.sim.enqueue(throttled(20), throttled(20), throttled(20));
    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(429);
    expect(res.json.error.type).toBe("rate_limit_error");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    const err = await g.client.messages.create(hello as never).catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
  });

  test("Kiro fails with 5xx every time: 529 overloaded_error", async () => {
    g = await startGateway();
    g.sim.setDefaultReply(internal());
    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(529);
    expect(res.json.error.type).toBe("overloaded_error");
    expect(res.json.error.message).toContain("HTTP 500");
  });

  test("the connection to Kiro breaks every time: 502 api_error naming the cause", async () => {
    g = await startGateway();
    g.sim.setDefaultReply(reset());
    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(502);
    expect(res.json.error.type).toBe("api_error");
    expect(res.json.error.message).toContain("could not reach Kiro");
  });

  test("one failure before any byte is retried transparently", async () => {
    g = await startGateway({ accounts: [{ name: "a", authMethod: "social" }, { name: "b", authMethod: "social" }] });
    g.sim.enqueue(internal(), text("second try"));
    const msg = await g.client.messages.create(hello as never);
    expect(msg.content).toEqual([{ type: "text", text: "second try" }] as never);
  });

  test("a stream cut mid-frame ends with an Anthropic error event, not a silent truncation", async () => {
    g = await startGateway({ simulator: { chunking: "whole" } });
    g.sim.enqueue(events([textEvent("Hello "), textEvent("there, this reply will be cut"), textEvent("never arrives")], { cutAfterBytes: 300, frameDelayMs: 30 }));
    const res = await post(g, "/v1/messages", { ...hello, stream: true });
    expect(res.status).toBe(200);
    expect(res.text).toContain("Hello ");
    expect(res.text).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"overloaded_error","message":"[^"]*cut off/);
    expect(res.text).not.toContain("message_stop");
    // The SDK surfaces it as an error rather than a short answer.
    g.sim.enqueue(events([textEvent("Hello "), textEvent("there, this reply will be cut"), textEvent("never arrives")], { cutAfterBytes: 300, frameDelayMs: 30 }));
    await expect(g.client.messages.stream(hello as never).finalMessage()).rejects.toThrow(/cut off/);
  });

  test("non-streaming: a reply cut on every try is an error response, not a partial message", async () => {
    g = await startGateway({ simulator: { chunking: "whole" } });
    g.sim.setDefaultReply(events([textEvent("Hello "), textEvent("there, this reply will be cut"), textEvent("never arrives")], { cutAfterBytes: 300, frameDelayMs: 30 }));
    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(529);
    expect(res.json.error.type).toBe("overloaded_error");
  });
});

describe("a client that leaves", () => {
  let g: Gateway;
  afterEach(() => g.stop());

  test("disconnecting mid-stream aborts the upstream call at once", async () => {
    g = await startGateway({ simulator: { chunking: "whole" } });
    g.sim.enqueue(events(Array.from({ length: 40 }, (_, i) => textEvent(`chunk ${i} `)), { frameDelayMs: 100 }));
    const controller = new AbortController();
    const res = await fetch(g.url + "/v1/messages", {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": g.apiKey },
      body: JSON.stringify({ ...hello, stream: true }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    const leftAt = Date.now();
    controller.abort();
    const chat = () => g.sim.requests.find((r) => r.path.endsWith("/generateAssistantResponse"))!;
    // The reply takes 4 s to play; the simulator notices the abort long before it would have ended by itself.
    while (!chat().clientAborted && Date.now() - leftAt < 2000) await Bun.sleep(10);
    expect(chat().clientAborted).toBe(true);
  });
});

describe("a silent Kiro never hangs a request", () => {
  let g: Gateway;
  afterEach(() => g.stop());

  test("a stall before the first event: the request moves to another account", async () => {
    g = await startGateway({
      accounts: [{ name: "a", authMethod: "social" }, { name: "b", authMethod: "social" }],
      config: { firstEventTimeoutSecs: 0.3 },
    });
    g.sim.enqueueFor("a", text("too late", { stallBeforeMs: 3000 }));
    g.sim.enqueueFor("b", text("from b"));
    const res = await post(g, "/v1/messages", hello);
    expect(res.status).toBe(200);
    expect(res.json.content).toEqual([{ type: "text", text: "from b" }]);
    expect(g.services.pool.get("a")!.counters.failures).toBe(1);
  });

  test("silence mid-stream: the stream ends with an error event naming it", async () => {
    g = await startGateway({ config: { streamIdleTimeoutSecs: 0.3 }, simulator: { chunking: "whole" } });
    g.sim.enqueue(events([textEvent("Hello "), pause(3000), textEvent("never")]));
    const res = await post(g, "/v1/messages", { ...hello, stream: true });
    expect(res.text).toContain("Hello ");
    expect(res.text).toContain('"type":"overloaded_error","message":"the Kiro reply was cut off mid-stream (Kiro sent nothing for 0.3 s)"');
  });
});
