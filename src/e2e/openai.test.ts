/**
 * The OpenAI fronts end to end: the official `openai` SDK → kiro-ts → the Kiro simulator, on real sockets. Chat
 * Completions and Responses, streamed and not, tools both ways, images, reasoning, errors in OpenAI's shape.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { LATE_2026_MODEL_IDS } from "../simulator/catalog";
import { contextUsage, events, exception, metadata, redactedReasoning, tail, text, textEvents, thinkingText, toolUse, toolUseEvents } from "../simulator/replies";
import { startGateway, type Gateway } from "./harness";

let g: Gateway;
let openai: OpenAI;
beforeAll(async () => {
  g = await startGateway({ simulator: { models: LATE_2026_MODEL_IDS } });
  // The GPT models are served once Kiro has listed them.
  await g.services.models.refresh().catch(() => {});
  openai = new OpenAI({ baseURL: `${g.url}/v1`, apiKey: g.apiKey, maxRetries: 0 });
});
afterAll(() => g.stop());
beforeEach(() => g.sim.clearRequests());

const chats = () => g.sim.requests.filter((r) => r.path.endsWith("/generateAssistantResponse"));
const lastKiro = () => chats().at(-1)!.body as Record<string, any>;
const PNG_1x1 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const weather = {
  type: "function" as const,
  function: { name: "get_weather", description: "Weather of a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
};

describe("chat completions through the official SDK", () => {
  test("chat.completions.create: the answer, its usage with cached tokens, and the request Kiro got", async () => {
    g.sim.enqueue(text("Bonjour!", { tokenUsage: { uncachedInputTokens: 101, outputTokens: 23, cacheReadInputTokens: 300, cacheWriteInputTokens: 40 } }));
    const completion = await openai.chat.completions.create({
      model: "claude-sonnet-4-5",
      messages: [
        { role: "system", content: "You are terse." },
        { role: "developer", content: "Answer in French." },
        { role: "user", content: "Say hello" },
      ],
    });
    expect(completion.object).toBe("chat.completion");
    expect(completion.model).toBe("claude-sonnet-4-5");
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.choices[0]!.message).toMatchObject({ role: "assistant", content: "Bonjour!" });
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    expect(completion.usage).toMatchObject({ prompt_tokens: 441, completion_tokens: 23, total_tokens: 464, prompt_tokens_details: { cached_tokens: 300 } });
    const history = lastKiro().conversationState.history;
    expect(history[0].userInputMessage.content).toBe("You are terse.\n\nAnswer in French.");
    expect(lastKiro().conversationState.currentMessage.userInputMessage.content).toBe("Say hello");
  });

  test("streamed: chunks with the text, [DONE] at the end, and a usage chunk when asked", async () => {
    g.sim.enqueue(events([...textEvents("The sky is blue because of Rayleigh scattering."), metadata({ stopReason: "END_TURN" }), contextUsage(1)]));
    const stream = await openai.chat.completions.create({
      model: "claude-sonnet-4-5",
      messages: [{ role: "user", content: "Why is the sky blue?" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = "";
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe("chat.completion.chunk");
      content += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(content).toBe("The sky is blue because of Rayleigh scattering.");
    expect(finish).toBe("stop");
    expect(usage!.prompt_tokens).toBe(2000);

    g.sim.enqueue(text("short"));
    const res = await fetch(`${g.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${g.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "hi" }], stream: true }),
    });
    const body = await res.text();
    expect(res.headers.get("content-type")).toStartWith("text/event-stream");
    expect(body.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(body).not.toContain('"usage"');
  });

  test("tools both ways: parallel calls streamed by index, then the results answered", async () => {
    g.sim.enqueue(toolUse([{ name: "get_weather", input: { city: "Paris" } }, { name: "get_weather", input: { city: "Oslo" } }]));
    const runner = openai.chat.completions.stream({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "Weather in Paris and Oslo?" }], tools: [weather] });
    const completion = await runner.finalChatCompletion();
    const calls = completion.choices[0]!.message.tool_calls!;
    expect(completion.choices[0]!.finish_reason).toBe("tool_calls");
    expect(calls.map((c) => c.type === "function" && [c.function.name, JSON.parse(c.function.arguments)])).toEqual([
      ["get_weather", { city: "Paris" }],
      ["get_weather", { city: "Oslo" }],
    ]);
    expect(lastKiro().conversationState.currentMessage.userInputMessage.userInputMessageContext.tools[0].toolSpecification.name).toBe("get_weather");

    g.sim.enqueue(text("Paris 18°C, Oslo 9°C."));
    const answer = await openai.chat.completions.create({
      model: "claude-sonnet-4-5",
      tools: [weather],
      messages: [
        { role: "user", content: "Weather in Paris and Oslo?" },
        { role: "assistant", content: null, tool_calls: calls },
        { role: "tool", tool_call_id: calls[0]!.id, content: "18°C" },
        { role: "tool", tool_call_id: calls[1]!.id, content: [{ type: "text", text: "9°C" }] },
      ],
    });
    expect(answer.choices[0]!.message.content).toBe("Paris 18°C, Oslo 9°C.");
    const results = lastKiro().conversationState.currentMessage.userInputMessage.userInputMessageContext.toolResults;
    expect(results.map((r: any) => [r.toolUseId, r.content[0].text])).toEqual([
      [calls[0]!.id, "18°C"],
      [calls[1]!.id, "9°C"],
    ]);
  });

  test("an image as a data: URL reaches Kiro; a remote URL is a 400 naming the field", async () => {
    g.sim.enqueue(text("A red pixel."));
    await openai.chat.completions.create({
      model: "claude-sonnet-4-5",
      messages: [{ role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: `data:image/png;base64,${PNG_1x1}` } }] }],
    });
    expect(lastKiro().conversationState.currentMessage.userInputMessage.images).toEqual([{ format: "png", source: { bytes: PNG_1x1 } }]);

    const refused = await openai.chat.completions
      .create({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/cat.png" } }] }] })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect(refused.status).toBe(400);
    expect(refused.error).toMatchObject({ type: "invalid_request_error", param: "messages[0].content[0].image_url" });
    expect(refused.message).toContain("does not fetch remote images");
    expect(chats()).toHaveLength(1);
  });

  test("reasoning: the effort turns thinking on, and the thinking comes back as reasoning_content", async () => {
    g.sim.enqueue(thinkingText("Two plus two.", "4"));
    const completion = await openai.chat.completions.create({ model: "claude-sonnet-4-5", reasoning_effort: "high", messages: [{ role: "user", content: "2+2?" }] });
    const message = completion.choices[0]!.message as OpenAI.ChatCompletionMessage & { reasoning_content?: string };
    expect(message.content).toBe("4");
    expect(message.reasoning_content).toBe("Two plus two.");
    expect(lastKiro().conversationState.history[0].userInputMessage.content).toContain("<thinking_effort>high</thinking_effort>");
  });

  test("stop sequences cut the answer, streamed and not; max_tokens cut is finish_reason length", async () => {
    g.sim.enqueue(events([...textEvents("one, two, STOP three, four", 13), metadata({ stopReason: "END_TURN" })]));
    const completion = await openai.chat.completions.create({ model: "claude-sonnet-4-5", stop: ["STOP"], messages: [{ role: "user", content: "count" }] });
    expect(completion.choices[0]!.message.content).toBe("one, two, ");
    expect(completion.choices[0]!.finish_reason).toBe("stop");

    g.sim.enqueue(events([...textEvents("cut off mid", 3), metadata({ stopReason: "MAX_TOKENS" })]));
    const cut = await openai.chat.completions.create({ model: "claude-sonnet-4-5", max_completion_tokens: 5, messages: [{ role: "user", content: "write" }] });
    expect(cut.choices[0]!.finish_reason).toBe("length");
  });

  test("a JSON schema answer is the content, never a tool call; n > 1 is refused", async () => {
    g.sim.enqueue(toolUse({ name: "respond_with_json", input: { city: "Paris", temp: 18 } }));
    const completion = await openai.chat.completions.create({
      model: "claude-sonnet-4-5",
      messages: [{ role: "user", content: "Weather in Paris as JSON" }],
      response_format: { type: "json_schema", json_schema: { name: "weather", schema: { type: "object", properties: { city: { type: "string" }, temp: { type: "number" } } } } },
    });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ city: "Paris", temp: 18 });
    expect(completion.choices[0]!.message.tool_calls).toBeUndefined();
    expect(completion.choices[0]!.finish_reason).toBe("stop");

    const refused = await openai.chat.completions.create({ model: "claude-sonnet-4-5", n: 2, messages: [{ role: "user", content: "hi" }] }).catch((e) => e);
    expect(refused.status).toBe(400);
    expect(refused.error.param).toBe("n");
  });

  test("errors are OpenAI-shaped: a wrong key is 401, an unknown model 400, Kiro's throttling 429 with Retry-After", async () => {
    const stranger = new OpenAI({ baseURL: `${g.url}/v1`, apiKey: "sk-wrong", maxRetries: 0 });
    const denied = await stranger.chat.completions.create({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "hi" }] }).catch((e) => e);
    expect(denied).toBeInstanceOf(OpenAI.AuthenticationError);
    // The refusal names the header the OpenAI SDK sends, not Anthropic's x-api-key.
    expect(denied.error).toMatchObject({ type: "invalid_request_error", code: "invalid_api_key", message: expect.stringContaining("Authorization: Bearer") });

    const unknown = await openai.chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "hi" }] }).catch((e) => e);
    expect(unknown).toBeInstanceOf(OpenAI.BadRequestError);
    expect(unknown.message).toContain("no-such-model");

    const res = await fetch(`${g.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${g.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "claude-sonnet-4-5", messages: "not a list" }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  });
});

describe("models", () => {
  test("GET /v1/models answers both SDKs from one body, GPT models Kiro lists included", async () => {
    const models: OpenAI.Model[] = [];
    for await (const m of openai.models.list()) models.push(m);
    expect(models.find((m) => m.id === "gpt-5.6-sol")).toMatchObject({ object: "model", owned_by: "openai" });
    expect(models.every((m) => m.object === "model" && Number.isInteger(m.created) && typeof m.owned_by === "string")).toBe(true);
    const anthropic: string[] = [];
    for await (const m of g.client.models.list()) anthropic.push(`${m.id}:${m.display_name}`);
    expect(anthropic).toEqual(models.map((m) => `${m.id}:${(m as unknown as { display_name: string }).display_name}`));
  });
});

describe("responses through the official SDK", () => {
  const readFile = { type: "function" as const, name: "read_file", description: "Reads a file", parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] }, strict: false };

  test("responses.create: output_text, usage, store false; a previous_response_id is a clear 400", async () => {
    g.sim.enqueue(text("Hello there.", { tokenUsage: { uncachedInputTokens: 10, outputTokens: 3, cacheReadInputTokens: 5, cacheWriteInputTokens: 0 } }));
    const response = await openai.responses.create({ model: "gpt-5.6-sol", instructions: "Be brief.", input: "Hi" });
    expect(response.object).toBe("response");
    expect(response.status).toBe("completed");
    expect(response.output_text).toBe("Hello there.");
    expect((response as { store?: boolean }).store).toBe(false);
    expect(response.usage).toMatchObject({ input_tokens: 15, input_tokens_details: { cached_tokens: 5 }, output_tokens: 3, total_tokens: 18 });
    expect(lastKiro().conversationState.currentMessage.userInputMessage.modelId).toBe("gpt-5.6-sol");

    const refused = await openai.responses.create({ model: "gpt-5.6-sol", input: "again", previous_response_id: response.id }).catch((e) => e);
    expect(refused.status).toBe(400);
    expect(refused.error.param).toBe("previous_response_id");
    expect(refused.message).toContain("store: false");
  });

  test("streamed: the events the SDK reads, in order, and the final response", async () => {
    g.sim.enqueue(thinkingText("Light scatters.", "Rayleigh scattering."));
    const stream = openai.responses.stream({ model: "claude-sonnet-4-5", input: "Why is the sky blue?", reasoning: { effort: "medium" } });
    const types: string[] = [];
    let summary = "";
    stream.on("event", (e) => types.push(e.type));
    stream.on("response.reasoning_summary_text.delta", (e) => (summary += e.delta));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe("Rayleigh scattering.");
    expect(summary).toBe("Light scatters.");
    expect(final.output.map((i) => i.type)).toEqual(["reasoning", "message"]);
    expect((final.output[0] as OpenAI.Responses.ResponseReasoningItem).encrypted_content).toBeTruthy();
    const order = types.filter((t, i) => types.indexOf(t) === i);
    expect(order).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.reasoning_summary_part.added",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary_text.done",
      "response.reasoning_summary_part.done",
      "response.output_item.done",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.completed",
    ]);
  });

  test("tools both ways: a function call, then its output answered", async () => {
    g.sim.enqueue(toolUse({ name: "read_file", input: { path: "notes.txt" } }));
    const first = await openai.responses.create({ model: "claude-sonnet-4-5", input: "Read notes.txt", tools: [readFile] });
    const call = first.output.find((i) => i.type === "function_call") as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call).toMatchObject({ name: "read_file", status: "completed" });
    expect(JSON.parse(call.arguments)).toEqual({ path: "notes.txt" });

    g.sim.enqueue(text("It says hello."));
    const second = await openai.responses.create({
      model: "claude-sonnet-4-5",
      tools: [readFile],
      input: [{ role: "user", content: "Read notes.txt" }, call, { type: "function_call_output", call_id: call.call_id, output: "hello" }],
    });
    expect(second.output_text).toBe("It says hello.");
    const kiro = lastKiro().conversationState;
    expect(kiro.history.at(-1).assistantResponseMessage.toolUses[0]).toMatchObject({ toolUseId: call.call_id, name: "read_file", input: { path: "notes.txt" } });
    expect(kiro.currentMessage.userInputMessage.userInputMessageContext.toolResults[0]).toMatchObject({ toolUseId: call.call_id, content: [{ text: "hello" }] });
  });

  test("the response repeats the request's instructions and tools, in the answer and in each streamed response", async () => {
    const tools = [readFile, { type: "custom" as const, name: "apply_patch", description: "Edits \"files\"\n\tand more — é" }];
    const instructions = "Be brief — \"really\".\n\tThanks.";
    g.sim.enqueue(text("Hi."));
    const answered = await openai.responses.create({ model: "claude-sonnet-4-5", instructions, tools, input: "Hi" });
    expect(answered.instructions).toBe(instructions);
    expect(answered.tools).toEqual(tools);

    g.sim.enqueue(text("Hi."));
    const stream = openai.responses.stream({ model: "claude-sonnet-4-5", instructions, tools, input: "Hi" });
    const repeated: unknown[] = [];
    stream.on("event", (e) => {
      if ("response" in e) repeated.push({ instructions: e.response.instructions, tools: e.response.tools });
    });
    await stream.finalResponse();
    expect(repeated).toEqual([{ instructions, tools }, { instructions, tools }, { instructions, tools }]);

    // Sent pretty-printed, as a hand-written request may be: the same echo, on one line of the event stream.
    for (const streamed of [false, true]) {
      g.sim.enqueue(text("Hi."));
      const res = await fetch(`${g.url}/v1/responses`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${g.apiKey}` },
        body: JSON.stringify({ model: "claude-sonnet-4-5", instructions, tools, input: "Hi", stream: streamed }, null, 2),
      });
      const body = await res.text();
      const responses = streamed ? body.split("\n").filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6))).filter((e) => e.response).map((e) => e.response) : [JSON.parse(body)];
      expect(responses.map((r) => ({ instructions: r.instructions, tools: r.tools }))).toEqual(Array(streamed ? 3 : 1).fill({ instructions, tools }));
    }
  });

  test("an answer larger than the server's cork buffer arrives whole, through the SDK and by fetch", async () => {
    // 40,000 characters of tools: the answer is written as a stream (http/json-answer.ts), not in one corked piece.
    const tools = Array.from({ length: 4 }, (_, i) => ({ ...readFile, name: `read_${i}`, description: `Reads — é ${"a file ".repeat(1_400)}` }));
    g.sim.enqueue(text("Hi."));
    const answered = await openai.responses.create({ model: "claude-sonnet-4-5", tools, input: "Hi" });
    expect(answered.output_text).toBe("Hi.");
    expect(answered.tools).toEqual(tools);

    g.sim.enqueue(text("Hi."));
    const res = await fetch(`${g.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${g.apiKey}` },
      body: JSON.stringify({ model: "claude-sonnet-4-5", tools, input: "Hi" }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json;charset=utf-8");
    const body = await res.text();
    expect(body.length).toBeGreaterThan(40_000);
    expect(JSON.parse(body).tools).toEqual(tools);
  });

  test("a custom (freeform) tool: declared with one string property, called as custom_tool_call with the raw text", async () => {
    const patch = "*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch\n";
    g.sim.enqueue(toolUse({ name: "apply_patch", input: { input: patch } }));
    const stream = openai.responses.stream({
      model: "claude-sonnet-4-5",
      input: "Create a.txt",
      tools: [{ type: "custom", name: "apply_patch", description: "Edits files", format: { type: "grammar", syntax: "lark", definition: "start: /.+/" } }],
    });
    let streamed = "";
    stream.on("response.custom_tool_call_input.delta", (e) => (streamed += e.delta));
    const final = await stream.finalResponse();
    const call = final.output[0] as OpenAI.Responses.ResponseCustomToolCall;
    expect(call.type).toBe("custom_tool_call");
    expect(call.input).toBe(patch);
    expect(streamed).toBe(patch);
    const declared = lastKiro().conversationState.currentMessage.userInputMessage.userInputMessageContext.tools[0].toolSpecification;
    expect(declared.inputSchema.json).toMatchObject({ type: "object", properties: { input: { type: "string" } }, required: ["input"] });
    expect(declared.inputSchema.json.properties.input.description).toContain("lark grammar");

    g.sim.enqueue(text("Done."));
    await openai.responses.create({
      model: "claude-sonnet-4-5",
      input: [{ role: "user", content: "Create a.txt" }, call, { type: "custom_tool_call_output", call_id: call.call_id, output: "Success" }],
      tools: [{ type: "custom", name: "apply_patch" }],
    });
    const kiro = lastKiro().conversationState;
    expect(kiro.history.at(-1).assistantResponseMessage.toolUses[0].input).toEqual({ input: patch });
  });

  test("a custom tool's input streams fragment by fragment, split inside escapes and surrogate pairs; cut, it is never done", async () => {
    const script = 'printf "%s\\n" "\u00e9t\u00e9 🚀"';
    // Kiro's JSON for it, escaped as a model writes it (🚀 as a \u pair), cut inside \", \\, \u00e9 and between the pair.
    const json = JSON.stringify({ input: script }).replace("🚀", "\\ud83d\\ude80").replaceAll("é", "\\u00e9");
    const cuts = [json.indexOf('\\"') + 1, json.indexOf("\\\\") + 1, json.indexOf("\\u00e9") + 4, json.indexOf("\\ude80"), json.indexOf("\\ude80") + 3];
    const fragments = [0, ...cuts, json.length].slice(1).map((end, i, ends) => json.slice(i === 0 ? 0 : ends[i - 1], end));
    const calls = (stop: boolean) => fragments.map((input, i) => ({ type: "toolUse" as const, toolUseId: "tooluse_exec1", name: "exec", input, stop: stop && i === fragments.length - 1 }));
    const exec = [{ type: "custom" as const, name: "exec", description: "Runs a shell script" }];

    g.sim.enqueue(events([...calls(true), ...tail({ stopReason: "TOOL_USE" })]));
    const stream = openai.responses.stream({ model: "claude-sonnet-4-5", input: "Run it", tools: exec });
    const deltas: string[] = [];
    stream.on("response.custom_tool_call_input.delta", (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    expect(final.output[0]).toMatchObject({ type: "custom_tool_call", name: "exec", input: script, status: "completed" });
    expect(deltas.join("")).toBe(script);
    expect(deltas.length).toBeGreaterThanOrEqual(fragments.length - 1);
    for (const d of deltas) expect(d).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);

    g.sim.enqueue(events(calls(false).slice(0, 3)));
    const cut = openai.responses.stream({ model: "claude-sonnet-4-5", input: "Run it", tools: exec });
    const seen: string[] = [];
    cut.on("event", (e) => seen.push(e.type));
    const incomplete = await cut.finalResponse();
    expect(incomplete).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, output: [] });
    expect(seen).toContain("response.custom_tool_call_input.delta");
    expect(seen).not.toContain("response.custom_tool_call_input.done");
    expect(seen).not.toContain("response.output_item.done");
  });

  test("an image as input_image reaches Kiro", async () => {
    g.sim.enqueue(text("A pixel."));
    await openai.responses.create({
      model: "claude-sonnet-4-5",
      input: [{ role: "user", content: [{ type: "input_text", text: "What is it?" }, { type: "input_image", image_url: `data:image/png;base64,${PNG_1x1}`, detail: "auto" }] }],
    });
    expect(lastKiro().conversationState.currentMessage.userInputMessage.images).toHaveLength(1);
  });

  test("a reply cut by Kiro's output limit is incomplete with max_output_tokens", async () => {
    g.sim.enqueue(events([...textEvents("half an ans", 2), metadata({ stopReason: "MAX_TOKENS" })]));
    const response = await openai.responses.create({ model: "claude-sonnet-4-5", input: "write", max_output_tokens: 16 });
    expect(response.status).toBe("incomplete");
    expect(response.incomplete_details).toEqual({ reason: "max_output_tokens" });
  });

  test("namespaced tools, at the top level or in an additional_tools item, are called under their namespace", async () => {
    g.sim.enqueue(toolUse({ name: "collaboration__spawn_agent", input: { task: "review" } }));
    const response = await openai.responses.create({
      model: "gpt-5.6-sol",
      input: [
        { type: "additional_tools", role: "developer", tools: [{ type: "namespace", name: "functions", tools: [{ type: "custom", name: "exec", description: "Runs JavaScript" }] }] },
        { role: "user", content: "Get a review" },
      ] as never,
      tools: [{ type: "namespace", name: "collaboration", description: "Agents", tools: [{ type: "function", name: "spawn_agent", parameters: { type: "object", properties: { task: { type: "string" } } } }] }] as never,
    });
    expect(response.output[0]).toMatchObject({ type: "function_call", name: "spawn_agent", namespace: "collaboration", arguments: '{"task":"review"}' });
    const names = lastKiro().conversationState.currentMessage.userInputMessage.userInputMessageContext.tools.map((t: any) => t.toolSpecification.name);
    expect(names.sort()).toEqual(["collaboration__spawn_agent", "functions__exec"]);
  });

  test("Codex's remote compaction: one compaction item back, and its content stands in for the history later", async () => {
    g.sim.enqueue(text("Summary: the user wants a haiku about rain; none written yet."));
    const res = await fetch(`${g.url}/v1/responses`, {
      method: "POST",
      headers: { authorization: `Bearer ${g.apiKey}`, "content-type": "application/json", "x-codex-beta-features": "remote_compaction_v2" },
      body: JSON.stringify({
        model: "gpt-5.6-sol",
        stream: true,
        store: false,
        input: [
          { type: "message", role: "user", content: [{ type: "input_text", text: "Write a haiku about rain" }] },
          { type: "message", role: "assistant", content: [{ type: "output_text", text: "Let me think." }] },
          { type: "compaction_trigger" },
        ],
      }),
    });
    const events = (await res.text())
      .split("\n\n")
      .filter((e) => e.startsWith("event: "))
      .map((e) => JSON.parse(e.slice(e.indexOf("data: ") + 6)));
    const items = events.filter((e) => e.type === "response.output_item.done").map((e) => e.item);
    expect(items).toHaveLength(1);
    expect(items[0].type).toBe("compaction");
    expect(typeof items[0].encrypted_content).toBe("string");
    expect(events.at(-1)).toMatchObject({ type: "response.completed", response: { output: [items[0]] } });
    expect(lastKiro().conversationState.currentMessage.userInputMessage.content).toContain("summary");

    g.sim.enqueue(text("Rain on the roof..."));
    await openai.responses.create({ model: "gpt-5.6-sol", input: [items[0], { role: "user", content: "Go on" }] as never });
    expect(lastKiro().conversationState.currentMessage.userInputMessage.content).toContain("the user wants a haiku about rain");

    const foreign = await openai.responses.create({ model: "gpt-5.6-sol", input: [{ type: "compaction", encrypted_content: "gAAAA-openai-sealed" }] as never }).catch((e) => e);
    expect(foreign.status).toBe(400);
    expect(foreign.error.param).toBe("input[0].encrypted_content");
  });

  test("a stream that fails after it began ends with response.failed, never a silent cut", async () => {
    g.sim.enqueue(events([...textEvents("partial", 1), exception("InternalServerException", "boom")]));
    const res = await fetch(`${g.url}/v1/responses`, {
      method: "POST",
      headers: { authorization: `Bearer ${g.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "claude-sonnet-4-5", stream: true, input: "hi" }),
    });
    const body = await res.text();
    expect(body).toContain("event: response.output_text.delta");
    expect(body.trimEnd().split("\n\n").at(-1)).toStartWith("event: response.failed\ndata: ");
    expect(body).toContain('"status":"failed"');
  });
});

describe("errors name the field the client sent", () => {
  const BAD_PNG = "data:image/png;base64,!!not-base64";

  test("the output budget: max_completion_tokens, max_tokens, max_output_tokens", async () => {
    const cases = [
      [() => openai.chat.completions.create({ model: "claude-sonnet-4-6", max_completion_tokens: 100_000, messages: [{ role: "user", content: "hi" }] }), "max_completion_tokens"],
      [() => openai.chat.completions.create({ model: "claude-sonnet-4-6", max_tokens: 100_000, messages: [{ role: "user", content: "hi" }] }), "max_tokens"],
      [() => openai.responses.create({ model: "claude-sonnet-4-6", max_output_tokens: 100_000, input: "hi" }), "max_output_tokens"],
    ] as const;
    for (const [call, field] of cases) {
      const refused = await (call as () => Promise<unknown>)().catch((e) => e);
      expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
      const { error } = refused as InstanceType<typeof OpenAI.BadRequestError> & { error: { param: string; message: string } };
      expect(error.param).toBe(field);
      expect(error.message).toStartWith(`${field}: 100000 > 64000`);
    }
    expect(chats()).toHaveLength(0);
  });

  test("a block the shared converter refuses is named by its OpenAI field", async () => {
    const chat = await openai.chat.completions
      .create({
        model: "claude-sonnet-4-6",
        messages: [
          { role: "system", content: "be brief" },
          { role: "user", content: "first" },
          { role: "assistant", content: "ok" },
          { role: "user", content: [{ type: "text", text: "what is this?" }, { type: "image_url", image_url: { url: BAD_PNG } }] },
        ],
      })
      .catch((e) => e);
    expect(chat.error.param).toBe("messages[3].content[1].image_url");
    expect(chat.error.message).toStartWith('messages[3].content[1].image_url: image data is not valid base64: character "!" at offset 0');

    // Items of one side share one internal message: the field is still the item's own.
    const responses = await openai.responses
      .create({
        model: "claude-sonnet-4-6",
        instructions: "be brief",
        input: [
          { role: "user", content: "look" },
          { role: "user", content: [{ type: "input_text", text: "and this" }, { type: "input_image", image_url: BAD_PNG, detail: "auto" }] },
        ],
      })
      .catch((e) => e);
    expect(responses.error.param).toBe("input[1].content[1].image_url");

    const empty = await openai.responses.create({ model: "claude-sonnet-4-6", input: [{ role: "developer", content: "only instructions" }] }).catch((e) => e);
    expect(empty.error.param).toBe("input");
    expect(empty.error.message).toBe("input: at least one user message is required");
    expect(chats()).toHaveLength(0);
  });
});

describe("GPT's redacted reasoning, round trip", () => {
  test("a reasoning item carrying only the blob goes back to Kiro as redactedContent, which Kiro accepts", async () => {
    const blob = g.sim.redactedReasoningBlob();
    g.sim.enqueue(events([...toolUseEvents({ name: "read_file", input: { path: "a.txt" } }), redactedReasoning(blob), ...tail({ stopReason: "TOOL_USE" })]));
    const tools = [{ type: "function" as const, name: "read_file", parameters: { type: "object", properties: { path: { type: "string" } } }, strict: false }];
    const first = await openai.responses.create({ model: "gpt-5.6-sol", input: "Read a.txt", tools, reasoning: { effort: "medium" } });
    const reasoningItem = first.output.find((i) => i.type === "reasoning") as OpenAI.Responses.ResponseReasoningItem;
    expect(reasoningItem.encrypted_content).toBeTruthy();
    expect(reasoningItem.summary.map((s) => s.text).join("")).toBe("");
    const call = first.output.find((i) => i.type === "function_call") as OpenAI.Responses.ResponseFunctionToolCall;

    g.sim.clearRequests();
    g.sim.enqueue(text("It says hi."));
    const second = await openai.responses.create({
      model: "gpt-5.6-sol",
      input: [{ role: "user", content: "Read a.txt" }, ...first.output, { type: "function_call_output", call_id: call.call_id, output: "hi" }] as never,
      tools,
      reasoning: { effort: "medium" },
    });
    expect(second.output_text).toBe("It says hi.");
    // One call: Kiro took the replayed blob (a thinking block signed with it would be THINKING_SIGNATURE_INVALID).
    expect(chats()).toHaveLength(1);
    const replayed = lastKiro().conversationState.history.at(-1).assistantResponseMessage;
    expect(replayed.reasoningContent).toEqual({ redactedContent: blob });
    expect(replayed.toolUses).toEqual([expect.objectContaining({ name: "read_file", input: { path: "a.txt" } })]);
  });
});
