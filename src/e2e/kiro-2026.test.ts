/**
 * The conformance tests of kiro-protocol-2026.md §10, one test per case, gateway ⇄ simulator on real sockets: the
 * wire to Kiro as the simulator records it, and what the client reads.
 */
import { afterEach, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import {
  events,
  httpError,
  LATE_2026_MODEL_IDS,
  modelUnavailable,
  redactedReasoning,
  signedReasoning,
  suspended,
  suspiciousActivity,
  tail,
  text,
  textEvent,
  textEvents,
  thinkingSignatureInvalid,
  toolUseEvents,
  withoutTail,
  type RecordedRequest,
  type SimAccountInit,
} from "../simulator/simulator";
import { type Gateway, type GatewayOptions, post, startGateway } from "./harness";

let g: Gateway;
afterEach(() => g.stop());

type Json = Record<string, any>;

/** A gateway whose Kiro hosts are named in the simulator's paths (runtime.{region}.kiro.dev, management…, q…). */
async function start(opts: GatewayOptions & { endpoint?: "auto" | "runtime" | "q"; late?: boolean } = {}): Promise<Gateway> {
  const gateway = await startGateway({
    ...opts,
    simulator: { ...(opts.late === false ? {} : { models: LATE_2026_MODEL_IDS }), ...opts.simulator },
  });
  const up = gateway.services.upstream;
  up.kiroRuntimeBaseUrl = `${gateway.sim.url}/runtime.{region}.kiro.dev`;
  up.kiroManagementBaseUrl = `${gateway.sim.url}/management.{region}.kiro.dev`;
  up.kiroApiBaseUrl = `${gateway.sim.url}/q.{region}.amazonaws.com`;
  up.kiroEndpoint = opts.endpoint ?? "auto";
  await gateway.services.models.refresh();
  return gateway;
}

const chats = (): RecordedRequest[] =>
  g.sim.requests.filter((r) => r.target?.endsWith("GenerateAssistantResponse") || r.path.endsWith("/generateAssistantResponse"));
const lastChat = () => chats().at(-1)!;
const kiroBody = (r = lastChat()) => r.body as Json;
const ask = (body: Json, headers: Record<string, string> = {}) =>
  post(g, "/v1/messages", { max_tokens: 1024, messages: [{ role: "user", content: "hi" }], ...body }, headers);

/** The SSE events of a streamed answer, parsed. */
async function streamed(body: Json): Promise<Json[]> {
  const res = await fetch(`${g.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": g.apiKey },
    body: JSON.stringify({ max_tokens: 1024, messages: [{ role: "user", content: "hi" }], ...body, stream: true }),
  });
  expect(res.status).toBe(200);
  return (await res.text())
    .split("\n")
    .filter((l) => l.startsWith("data: "))
    .map((l) => JSON.parse(l.slice(6)))
    .filter((e) => e.type !== "ping");
}

/** The official OpenAI SDK against the gateway, for the OpenAI halves of the cases. */
const openai = () => new OpenAI({ baseURL: `${g.url}/v1`, apiKey: g.apiKey, maxRetries: 0 });
const hi = [{ role: "user" as const, content: "hi" }];

/** A streamed chat completion's finish reason and usage chunk. */
async function chatStreamed(body: Omit<OpenAI.ChatCompletionCreateParamsStreaming, "messages" | "stream">) {
  const stream = await openai().chat.completions.create({ ...body, messages: hi, stream: true, stream_options: { include_usage: true } });
  let finish: string | null = null;
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const chunk of stream) {
    finish = chunk.choices[0]?.finish_reason ?? finish;
    usage = chunk.usage ?? usage;
  }
  return { finish, usage };
}

/** A streamed response's event types and the response of its last event. */
async function responsesStreamed(body: Omit<OpenAI.Responses.ResponseCreateParamsStreaming, "input" | "stream">) {
  const types: string[] = [];
  let last: OpenAI.Responses.Response | undefined;
  for await (const event of await openai().responses.create({ ...body, input: "hi", stream: true })) {
    types.push(event.type);
    if ("response" in event) last = event.response;
  }
  return { types, response: last! };
}

const stopReason = (events: Json[]) => events.find((e) => e.type === "message_delta")?.delta.stop_reason;
const blockTypes = (events: Json[]) => events.filter((e) => e.type === "content_block_start").map((e) => e.content_block.type);

describe("hosts, headers, profileArn (§1)", () => {
  test("1. variant A: POST / on runtime.us-east-1.kiro.dev with KiroRuntimeService's target, awsJson, attempt 1, root profileArn", async () => {
    g = await start({ endpoint: "runtime" });
    expect((await ask({ model: "claude-sonnet-4-6" })).status).toBe(200);
    const r = lastChat();
    expect(r).toMatchObject({ method: "POST", path: "/runtime.us-east-1.kiro.dev/", form: "awsJson", target: "KiroRuntimeService.GenerateAssistantResponse", status: 200 });
    expect(r.headers).toMatchObject({ "content-type": "application/x-amz-json-1.0", "x-kiro-attempt": "1;max=3", "x-amzn-kiro-client-attribution": "kiro-ide" });
    expect(kiroBody().profileArn).toBe(g.sim.account("solo")!.profileArn);
  });

  test("2. region pinning: an IdC credential of SSO region ap-southeast-2 calls us-east-1, one of eu-west-1 calls eu-central-1", async () => {
    const idc = (name: string, region: string): SimAccountInit => ({ name, authMethod: "idc", provider: "Enterprise", region });
    g = await start({ accounts: [idc("sydney", "ap-southeast-2"), idc("dublin", "eu-west-1")] });
    g.services.pool.get("dublin")!.disable("manual", "one at a time");
    expect((await ask({ model: "claude-sonnet-4-6" })).status).toBe(200);
    expect(lastChat()).toMatchObject({ path: "/runtime.us-east-1.kiro.dev/", account: "sydney" });
    g.services.pool.get("dublin")!.reset();
    g.services.pool.get("sydney")!.disable("manual", "one at a time");
    expect((await ask({ model: "claude-sonnet-4-6" })).status).toBe(200);
    expect(lastChat()).toMatchObject({ path: "/runtime.eu-central-1.kiro.dev/", account: "dublin" });
  });

  test("3. retry headers: a 401 then a 200 share one invocation id; the second is attempt 2 with a ttl", async () => {
    g = await start({ endpoint: "runtime" });
    g.sim.enqueue(httpError(401, { message: "The bearer token included in the request is invalid.", reason: null }));
    expect((await ask({ model: "claude-sonnet-4-6" })).status).toBe(200);
    const [first, second] = chats();
    expect(first!.status).toBe(401);
    expect(second!.headers["amz-sdk-invocation-id"]).toBe(first!.headers["amz-sdk-invocation-id"]!);
    expect(second!.headers["x-kiro-attempt"]).toBe("2;max=3");
    expect(second!.headers["amz-sdk-request"]).toMatch(/^ttl=\d{8}T\d{6}Z; attempt=2; max=3$/);
  });

  test("4. missing ARN: a social credential without one gets its own from ListAvailableProfiles; the runtime refuses a call without", async () => {
    g = await start({ endpoint: "runtime", credentialExtras: { profileArn: undefined } });
    expect((await ask({ model: "claude-sonnet-4-6" })).status).toBe(200);
    expect(g.sim.requests.some((r) => r.target === "AmazonCodeWhispererService.ListAvailableProfiles")).toBe(true);
    expect(kiroBody().profileArn).toBe(g.sim.account("solo")!.profileArn);
    const withoutArn = await fetch(`${g.sim.url}/runtime.us-east-1.kiro.dev/`, {
      method: "POST",
      headers: { ...lastChat().headers, "content-length": "" },
      body: JSON.stringify({ ...kiroBody(), profileArn: undefined }),
    });
    expect(withoutArn.status).toBe(400);
    expect(((await withoutArn.json()) as Json).message).toBe("profileArn is required for this request.");
  });

  test("5. API key: Bearer ksk_…, tokentype API_KEY, no profileArn", async () => {
    g = await start({ endpoint: "runtime", accounts: [{ name: "keyed", authMethod: "api_key" }] });
    expect((await ask({ model: "claude-sonnet-4-6" })).status).toBe(200);
    const r = lastChat();
    expect(r.headers.authorization).toBe(`Bearer ${g.sim.account("keyed")!.apiKey}`);
    expect(r.headers.tokentype).toBe("API_KEY");
    expect(kiroBody()).not.toHaveProperty("profileArn");
  });
});

describe("native effort and thinking (§2)", () => {
  test("6. claude-opus-5, adaptive + omitted, effort xhigh: exactly those fields, no max_tokens", async () => {
    g = await start();
    const res = await ask({ model: "claude-opus-5", thinking: { type: "adaptive", display: "omitted" }, output_config: { effort: "xhigh" } });
    expect(res.status).toBe(200);
    expect(kiroBody().additionalModelRequestFields).toEqual({ thinking: { type: "adaptive", display: "omitted" }, output_config: { effort: "xhigh" } });
    expect(kiroBody().conversationState.currentMessage.userInputMessage.modelId).toBe("claude-opus-5");
    expect(JSON.stringify(kiroBody())).not.toContain("<thinking_mode>");
  });

  test("7. claude-sonnet-4.6 with effort xhigh is clamped to its enum: high", async () => {
    g = await start();
    expect((await ask({ model: "claude-sonnet-4-6", thinking: { type: "adaptive" }, output_config: { effort: "xhigh" } })).status).toBe(200);
    expect(kiroBody().additionalModelRequestFields.output_config).toEqual({ effort: "high" });
  });

  test("8. claude-sonnet-4-5 with a thinking budget: no fields (its catalog entry has no schema), the inline tags instead", async () => {
    g = await start();
    expect((await ask({ model: "claude-sonnet-4-5", thinking: { type: "enabled", budget_tokens: 8000 } })).status).toBe(200);
    expect(kiroBody()).not.toHaveProperty("additionalModelRequestFields");
    expect(lastChat().rejectedBy).toBeUndefined();
    expect(JSON.stringify(kiroBody())).toContain("<max_thinking_length>8000</max_thinking_length>");
  });

  test("9. gpt-5.6-sol with reasoning effort none: only {reasoning:{effort:none}}", async () => {
    g = await start();
    expect((await ask({ model: "gpt-5.6-sol", output_config: { effort: "none" } })).status).toBe(200);
    expect(kiroBody().additionalModelRequestFields).toEqual({ reasoning: { effort: "none" } });
  });

  test("9, OpenAI: reasoning_effort none (Chat Completions) and reasoning.effort none (Responses) → only {reasoning:{effort:none}}", async () => {
    g = await start();
    await openai().chat.completions.create({ model: "gpt-5.6-sol", messages: hi, reasoning_effort: "none" });
    expect(kiroBody().additionalModelRequestFields).toEqual({ reasoning: { effort: "none" } });
    await openai().responses.create({ model: "gpt-5.6-sol", input: "hi", reasoning: { effort: "none" } });
    expect(kiroBody().additionalModelRequestFields).toEqual({ reasoning: { effort: "none" } });
    expect(chats()).toHaveLength(2);
  });
});

describe("native reasoning (§3)", () => {
  test("10. reasoning text ×2, a signature, text, tail → a thinking block with two thinking_delta and one signature_delta, then text, end_turn", async () => {
    g = await start();
    const thought = "Let me think about it.";
    const signature = g.sim.signReasoning(thought);
    g.sim.enqueue(events([...signedReasoning(thought, signature), ...textEvents("The answer."), ...tail()]));
    const sse = await streamed({ model: "claude-opus-4-8", thinking: { type: "adaptive" } });
    expect(blockTypes(sse)).toEqual(["thinking", "text"]);
    const thinking = sse.filter((e) => e.index === 0 && e.type === "content_block_delta");
    expect(thinking.map((e) => e.delta.type)).toEqual(["thinking_delta", "thinking_delta", "signature_delta"]);
    expect(thinking.at(-1)!.delta.signature).toBe(signature);
    expect(sse.findIndex((e) => e.type === "content_block_stop" && e.index === 0)).toBeGreaterThan(sse.indexOf(thinking.at(-1)!));
    expect(stopReason(sse)).toBe("end_turn");
  });

  test("11. GPT: text, a tool call, a redacted blob, tail → no empty thinking block, a literal <thinking> stays text", async () => {
    g = await start();
    g.sim.enqueue(
      events([
        ...textEvents("<thinking>is a tag</thinking> here"),
        ...toolUseEvents({ name: "lookup", input: { q: "x" } }),
        redactedReasoning(g.sim.redactedReasoningBlob()),
        ...tail(),
      ]),
    );
    const sse = await streamed({ model: "gpt-5.6-sol", output_config: { effort: "low" }, tools: [{ name: "lookup", input_schema: { type: "object" } }] });
    expect(blockTypes(sse)).toEqual(["text", "tool_use", "redacted_thinking"]);
    const said = sse.filter((e) => e.delta?.type === "text_delta").map((e) => e.delta.text).join("");
    expect(said).toBe("<thinking>is a tag</thinking> here");
  });

  test("12. history replay: the current turn's signed block goes back as reasoningText; unsigned and earlier turns carry none", async () => {
    g = await start();
    const thought = "I need the tool.";
    const signature = g.sim.signReasoning(thought);
    const res = await ask({
      model: "claude-opus-4-8",
      thinking: { type: "adaptive" },
      tools: [{ name: "lookup", input_schema: { type: "object" } }],
      messages: [
        { role: "user", content: "first question" },
        { role: "assistant", content: [{ type: "thinking", thinking: "old", signature: g.sim.signReasoning("old") }, { type: "text", text: "old answer" }] },
        { role: "user", content: "second question" },
        { role: "assistant", content: [{ type: "thinking", thinking: "unsigned thought", signature: "" }, { type: "text", text: "let me look" }] },
        { role: "user", content: "go on" },
        { role: "assistant", content: [{ type: "thinking", thinking: thought, signature }, { type: "tool_use", id: "tooluse_1", name: "lookup", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "tooluse_1", content: "found" }] },
      ],
    });
    expect(res.status).toBe(200);
    const replayed = (kiroBody().conversationState.history as Json[]).flatMap((h) => (h.assistantResponseMessage?.reasoningContent ? [h.assistantResponseMessage.reasoningContent] : []));
    expect(replayed).toEqual([{ reasoningText: { text: thought, signature } }]);
    expect(JSON.stringify(kiroBody())).not.toContain("unsigned thought");
    expect(chats()).toHaveLength(1);
  });

  test("13. THINKING_SIGNATURE_INVALID: once more without reasoning, same invocation id, attempt 2; twice → 400 after exactly 2 calls", async () => {
    g = await start();
    const history = {
      model: "claude-opus-4-8",
      tools: [{ name: "lookup", input_schema: { type: "object" } }],
      messages: [
        { role: "user", content: "look" },
        { role: "assistant", content: [{ type: "thinking", thinking: "t", signature: g.sim.signReasoning("t") }, { type: "tool_use", id: "tooluse_1", name: "lookup", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "tooluse_1", content: "found" }] },
      ],
    };
    g.sim.enqueue(thinkingSignatureInvalid());
    expect((await ask(history)).status).toBe(200);
    const [first, second] = chats();
    expect(JSON.stringify(first!.body)).toContain("reasoningContent");
    expect(JSON.stringify(second!.body)).not.toContain("reasoningContent");
    expect(second!.headers["amz-sdk-invocation-id"]).toBe(first!.headers["amz-sdk-invocation-id"]!);
    expect(second!.headers["x-kiro-attempt"]).toBe("2;max=3");

    g.sim.clearRequests();
    g.sim.enqueue(thinkingSignatureInvalid(), thinkingSignatureInvalid());
    const refused = await ask(history);
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toContain("THINKING_SIGNATURE_INVALID");
    expect(chats()).toHaveLength(2);
  });
});

describe("the tail and tools (§4.1, §5)", () => {
  test("14. text then a clean end without the closing events: stop_reason max_tokens, never end_turn", async () => {
    g = await start();
    g.sim.enqueue(withoutTail(text("a partial ans")));
    const sse = await streamed({ model: "claude-sonnet-4-6" });
    expect(stopReason(sse)).toBe("max_tokens");
    g.sim.setFaults({ rate: 1, kinds: ["truncated"] });
    const folded = await ask({ model: "claude-sonnet-4-6" });
    expect(folded.json.stop_reason).toBe("max_tokens");
  });

  test("14, OpenAI: the cut reply is finish_reason length on Chat Completions, incomplete with max_output_tokens on Responses", async () => {
    g = await start();
    const cut = () => g.sim.enqueue(withoutTail(text("a partial ans")));
    cut();
    expect((await chatStreamed({ model: "claude-sonnet-4-6" })).finish).toBe("length");
    cut();
    const completion = await openai().chat.completions.create({ model: "claude-sonnet-4-6", messages: hi });
    expect(completion.choices[0]!).toMatchObject({ finish_reason: "length", message: { content: "a partial ans" } });
    cut();
    const { types, response: streamedResponse } = await responsesStreamed({ model: "claude-sonnet-4-6" });
    expect(types.at(-1)).toBe("response.incomplete");
    expect(types).not.toContain("response.completed");
    expect(streamedResponse).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } });
    cut();
    const response = await openai().responses.create({ model: "claude-sonnet-4-6", input: "hi" });
    expect(response).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, output_text: "a partial ans" });
  });

  test("15. tool fragments without a stop frame, then the end: no tool_use reaches the client, max_tokens", async () => {
    g = await start();
    const fragments = toolUseEvents({ name: "lookup", input: { path: "/a/long/path" }, pieces: 3 }).slice(0, 2);
    g.sim.enqueue(events([textEvent("Looking."), ...fragments]));
    const sse = await streamed({ model: "claude-sonnet-4-6", tools: [{ name: "lookup", input_schema: { type: "object" } }] });
    expect(blockTypes(sse)).toEqual(["text"]);
    expect(stopReason(sse)).toBe("max_tokens");
  });

  test("16. a zero-argument tool (one frame, input \"\", stop) is tool_use with input {} streamed and folded", async () => {
    g = await start();
    const reply = () => events([...toolUseEvents({ name: "snapshot", input: "" }), ...tail()]);
    const tools = [{ name: "snapshot", input_schema: { type: "object" } }];
    g.sim.enqueue(reply());
    const sse = await streamed({ model: "claude-sonnet-4-6", tools });
    expect(blockTypes(sse)).toEqual(["tool_use"]);
    expect(sse.filter((e) => e.delta?.type === "input_json_delta")).toEqual([]);
    expect(stopReason(sse)).toBe("tool_use");
    g.sim.enqueue(reply());
    const folded = await ask({ model: "claude-sonnet-4-6", tools });
    expect(folded.json.content).toEqual([{ type: "tool_use", id: expect.any(String), name: "snapshot", input: {} }]);
  });
});

describe("usage and refusal (§4.1, §4.2)", () => {
  test("17. tokenUsage maps without double counting", async () => {
    g = await start();
    g.sim.enqueue(text("hi", { tokenUsage: { uncachedInputTokens: 101, outputTokens: 23, cacheReadInputTokens: 300, cacheWriteInputTokens: 40 } }));
    const res = await ask({ model: "claude-sonnet-4-6" });
    expect(res.json.usage).toEqual({ input_tokens: 101, output_tokens: 23, cache_read_input_tokens: 300, cache_creation_input_tokens: 40 });
  });

  test("17, OpenAI: tokenUsage → prompt 441 (cached 300), completion 23, total 464; the same on Responses", async () => {
    g = await start();
    const tokenUsage = { uncachedInputTokens: 101, outputTokens: 23, cacheReadInputTokens: 300, cacheWriteInputTokens: 40 };
    const chatUsage = { prompt_tokens: 441, prompt_tokens_details: { cached_tokens: 300 }, completion_tokens: 23, total_tokens: 464 };
    const responsesUsage = { input_tokens: 441, input_tokens_details: { cached_tokens: 300 }, output_tokens: 23, total_tokens: 464 };
    g.sim.enqueue(text("hi", { tokenUsage }));
    expect((await openai().chat.completions.create({ model: "claude-sonnet-4-6", messages: hi })).usage).toMatchObject(chatUsage);
    g.sim.enqueue(text("hi", { tokenUsage }));
    expect((await chatStreamed({ model: "claude-sonnet-4-6" })).usage).toMatchObject(chatUsage);
    g.sim.enqueue(text("hi", { tokenUsage }));
    expect((await openai().responses.create({ model: "claude-sonnet-4-6", input: "hi" })).usage).toMatchObject(responsesUsage);
    g.sim.enqueue(text("hi", { tokenUsage }));
    expect((await responsesStreamed({ model: "claude-sonnet-4-6" })).response.usage).toMatchObject(responsesUsage);
  });

  test("18. without tokenUsage, 10 % of a 1M window is 100 000 input tokens, cache fields 0", async () => {
    g = await start();
    g.sim.enqueue(text("hi", { contextUsage: 10 }));
    const res = await ask({ model: "claude-opus-4-8" });
    expect(res.json.usage).toMatchObject({ input_tokens: 100_000, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
  });

  test("19. a refusal in the metadata: stop_reason refusal", async () => {
    g = await start();
    g.sim.enqueue(text("I cannot help with that.", { refusal: { category: "REASONING_EXTRACTION", explanation: "no" } }));
    expect((await ask({ model: "claude-sonnet-4-6" })).json.stop_reason).toBe("refusal");
  });

  test("19, OpenAI: a refusal is finish_reason content_filter on Chat Completions, incomplete with content_filter on Responses", async () => {
    g = await start();
    const refuse = () => g.sim.enqueue(text("I cannot help with that.", { refusal: { category: "REASONING_EXTRACTION", explanation: "no" } }));
    refuse();
    expect((await openai().chat.completions.create({ model: "claude-sonnet-4-6", messages: hi })).choices[0]!.finish_reason).toBe("content_filter");
    refuse();
    expect((await chatStreamed({ model: "claude-sonnet-4-6" })).finish).toBe("content_filter");
    refuse();
    const response = await openai().responses.create({ model: "claude-sonnet-4-6", input: "hi" });
    expect(response).toMatchObject({ status: "incomplete", incomplete_details: { reason: "content_filter" } });
    refuse();
    const { types, response: streamedResponse } = await responsesStreamed({ model: "claude-sonnet-4-6" });
    expect(types.at(-1)).toBe("response.incomplete");
    expect(streamedResponse).toMatchObject({ status: "incomplete", incomplete_details: { reason: "content_filter" } });
  });
});

describe("the errors of today (§6)", () => {
  const pair: SimAccountInit[] = [
    { name: "a", authMethod: "social" },
    { name: "b", authMethod: "social" },
  ];

  test("20. capacity: a 500 MODEL_TEMPORARILY_UNAVAILABLE with Retry-After 5 → 503 overloaded_error, Retry-After kept, one call only", async () => {
    g = await start({ accounts: pair });
    g.sim.enqueue(modelUnavailable(5));
    const res = await ask({ model: "claude-sonnet-4-6" });
    expect(res.status).toBe(503);
    expect(res.json.error.type).toBe("overloaded_error");
    expect(res.headers.get("retry-after")).toBe("5");
    expect(chats()).toHaveLength(1);
  });

  test("21. suspension: the account is suspended for good (no self-heal) and the request fails over", async () => {
    g = await start({ accounts: pair });
    const first = g.services.pool.select()!.name;
    g.sim.enqueueFor(first, suspended());
    expect((await ask({ model: "claude-sonnet-4-6" })).status).toBe(200);
    const state = g.services.pool.get(first)!.state;
    expect(state).toMatchObject({ kind: "disabled", why: "suspended" });
    expect(state.kind === "disabled" && state.reason).toContain("suspended");
    expect(lastChat().account).not.toBe(first);
    // Alone in the pool, it is still not healed: a request finds no account.
    const other = pair.find((a) => a.name !== first)!.name;
    g.services.pool.get(other)!.disable("manual", "out of the way");
    expect((await ask({ model: "claude-sonnet-4-6" })).status).toBeGreaterThanOrEqual(500);
    expect(g.services.pool.get(first)!.state).toMatchObject({ kind: "disabled", why: "suspended" });
  });

  test("22. suspicious activity: only that account rests; the other keeps serving", async () => {
    g = await start({ accounts: pair });
    const first = g.services.pool.select()!.name;
    g.sim.enqueueFor(first, suspiciousActivity(undefined, 7));
    expect((await ask({ model: "claude-sonnet-4-6" })).status).toBe(200);
    expect(g.services.pool.get(first)!.state.kind).toBe("cooling");
    const other = pair.find((a) => a.name !== first)!.name;
    expect(g.services.pool.get(other)!.state.kind).toBe("healthy");
    expect((await ask({ model: "claude-sonnet-4-6" })).status).toBe(200);
    expect(lastChat().account).toBe(other);
  });

  test("23. host buckets: the runtime's 429 for X sends X's next attempt to q.* before any other account", async () => {
    g = await start({ accounts: pair });
    const first = g.services.pool.select()!.name;
    g.sim.blockForm("awsJson", { status: 429, account: first, times: 1 });
    expect((await ask({ model: "claude-sonnet-4-6" })).status).toBe(200);
    const [refused, served] = chats();
    expect(refused).toMatchObject({ form: "awsJson", status: 429 });
    expect(served).toMatchObject({ form: "rest", path: "/q.us-east-1.amazonaws.com/generateAssistantResponse", status: 200, account: first });
    // The same credential, on the other host.
    expect(refused!.headers.authorization).toBe(served!.headers.authorization!);
    expect(g.services.pool.get(first)!.state.kind).toBe("healthy");
  });
});

describe("content and models (§9, §7)", () => {
  test("24. an image in a tool result travels in the message's images[]; the tool result keeps only text", async () => {
    g = await start();
    const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
    const res = await ask({
      model: "claude-sonnet-4-6",
      tools: [{ name: "screenshot", input_schema: { type: "object" } }],
      messages: [
        { role: "user", content: "look" },
        { role: "assistant", content: [{ type: "tool_use", id: "tooluse_1", name: "screenshot", input: {} }] },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: "tooluse_1", content: [{ type: "text", text: "the screen" }, { type: "image", source: { type: "base64", media_type: "image/png", data: png } }] }],
        },
      ],
    });
    expect(res.status).toBe(200);
    const message = kiroBody().conversationState.currentMessage.userInputMessage;
    expect(message.images).toEqual([{ format: "png", source: { bytes: png } }]);
    expect(message.userInputMessageContext.toolResults[0].content).toEqual([{ text: "the screen" }]);
  });

  test("25. [1m] ids: listed as (1M context), routed to the plain model with no thinking field; HEAD probes answer 2xx", async () => {
    g = await start();
    const listed = await fetch(`${g.url}/v1/models`, { headers: { "x-api-key": g.apiKey } });
    const models = ((await listed.json()) as { data: Json[] }).data;
    expect(models.find((m) => m.id === "claude-opus-5[1m]")?.display_name).toEndWith("(1M context)");
    expect((await ask({ model: "claude-opus-5[1m]" }, { "anthropic-beta": "context-1m-2025-08-07" })).status).toBe(200);
    expect(kiroBody().conversationState.currentMessage.userInputMessage.modelId).toBe("claude-opus-5");
    expect(kiroBody()).not.toHaveProperty("additionalModelRequestFields");
    expect((await fetch(`${g.url}/claude/api/hello`, { method: "HEAD" })).status).toBeLessThan(300);
    expect((await fetch(`${g.url}/`, { method: "HEAD" })).status).toBeLessThan(300);
  });
});
