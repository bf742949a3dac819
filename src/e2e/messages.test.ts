/**
 * The core path end to end: the official Anthropic SDK → kiro-ts → the Kiro simulator, on real sockets.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { text, thinkingText, toolUse } from "../simulator/replies";
import { PASSED_THROUGH } from "../anthropic/convert";
import { sendMessages } from "../anthropic/messages";
import { MessageFolder } from "../anthropic/output";
import { MessagesRequest } from "../anthropic/schemas";
import { BodyBudget, jsonBodyReader } from "../http/body";
import { restoreVerbatim, verbatimOf } from "../http/verbatim";
import { post, startGateway, type Gateway } from "./harness";

let g: Gateway;
beforeAll(async () => {
  g = await startGateway();
});
afterAll(() => g.stop());
beforeEach(() => g.sim.clearRequests());

const chats = () => g.sim.requests.filter((r) => r.path.endsWith("/generateAssistantResponse"));
const lastChat = () => chats().at(-1)!.body as Record<string, any>;
const PNG_1x1 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

describe("messages through the official SDK", () => {
  test("messages.create: Claude's answer as one JSON message, and Kiro got a well-formed request", async () => {
    g.sim.enqueue(text("Bonjour! How can I help?"));
    const msg = await g.client.messages.create({
      model: "claude-sonnet-4-5-20250929",
      max_tokens: 256,
      system: "You are terse.",
      messages: [{ role: "user", content: "Say hello in French" }],
    });
    expect(msg.type).toBe("message");
    expect(msg.role).toBe("assistant");
    expect(msg.model).toBe("claude-sonnet-4-5-20250929");
    expect(msg.content).toEqual([{ type: "text", text: "Bonjour! How can I help?" }] as never);
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.id).toMatch(/^msg_[0-9a-f]{32}$/);
    // contextUsageEvent 1.5 % of a 200k window
    expect(msg.usage.input_tokens).toBe(3000);
    expect(msg.usage.output_tokens).toBeGreaterThan(0);

    const sent = chats().at(-1)!;
    expect(sent.headers["x-amzn-codewhisperer-optout"]).toBe("true");
    expect(sent.headers["x-amzn-kiro-agent-mode"]).toBe("vibe");
    expect(sent.headers["x-amz-user-agent"]).toMatch(/^aws-sdk-js\/[\d.]+ KiroIDE-0\.8\.0-[0-9a-f]{64}$/);
    expect(sent.headers["user-agent"]).toMatch(/os\/(darwin#24\.6\.0|win32#10\.0\.22631) lang\/js md\/nodejs#22\.21\.1 /);
    const state = (sent.body as any).conversationState;
    expect(state.currentMessage.userInputMessage).toMatchObject({ content: "Say hello in French", modelId: "claude-sonnet-4.5", origin: "AI_EDITOR" });
    expect(state.history[0].userInputMessage.content).toBe("You are terse.");
    expect(state.history[1].assistantResponseMessage.content).toBe("I will follow these instructions.");
    // A social credential sends its own profile ARN.
    expect((sent.body as any).profileArn).toBe(g.sim.account("solo")!.profileArn);
  });

  test("messages.stream().finalMessage(): the same answer, streamed", async () => {
    // Paced: text frames read together go out as one delta (output.ts), and this test wants them one by one.
    g.sim.enqueue(text("Streaming works, piece by piece.", { pieces: 6, frameDelayMs: 15 }));
    const stream = g.client.messages.stream({
      model: "claude-sonnet-4-6",
      max_tokens: 256,
      messages: [{ role: "user", content: "stream please" }],
    });
    const deltas: string[] = [];
    stream.on("text", (t) => deltas.push(t));
    const msg = await stream.finalMessage();
    expect(msg.content).toEqual([{ type: "text", text: "Streaming works, piece by piece." }] as never);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe("Streaming works, piece by piece.");
    // sonnet 4.6 has a 1M window: 1.5 % of it
    expect(msg.usage.input_tokens).toBe(15000);
  });

  test("the raw SSE bytes: event names, message_start … message_stop", async () => {
    g.sim.enqueue(text("Hi"));
    const res = await post(g, "/v1/messages", { model: "claude-haiku-4-5", max_tokens: 10, stream: true, messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/event-stream");
    const names = [...res.text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(names).toEqual(["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]);
    expect(res.text).toContain('data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\n');
  });

  for (const streaming of [false, true]) {
    test(`a tool-use round trip (${streaming ? "streaming" : "non-streaming"})`, async () => {
      const tools: Anthropic.Tool[] = [
        { name: "get_weather", description: "Weather for a city", input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
      ];
      g.sim.enqueue(toolUse({ name: "get_weather", input: { city: "Paris" }, id: "tooluse_abc", pieces: 4 }, { text: "Let me check." }));
      const ask = { model: "claude-opus-4-6", max_tokens: 512, tools, messages: [{ role: "user" as const, content: "Weather in Paris?" }] };
      const first = streaming ? await g.client.messages.stream(ask).finalMessage() : await g.client.messages.create(ask);
      expect(first.stop_reason).toBe("tool_use");
      expect(first.content).toEqual([
        { type: "text", text: "Let me check." },
        { type: "tool_use", id: "tooluse_abc", name: "get_weather", input: { city: "Paris" } },
      ] as never);

      g.sim.enqueue(text("It is 18°C in Paris."));
      const second = await g.client.messages.create({
        ...ask,
        messages: [
          ...ask.messages,
          { role: "assistant", content: first.content },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "tooluse_abc", content: "18°C, sunny" }] },
        ],
      });
      expect(second.content).toEqual([{ type: "text", text: "It is 18°C in Paris." }] as never);
      const current = lastChat().conversationState.currentMessage.userInputMessage;
      expect(current.userInputMessageContext.toolResults).toEqual([{ toolUseId: "tooluse_abc", content: [{ text: "18°C, sunny" }], status: "success" }]);
      expect(current.userInputMessageContext.tools[0].toolSpecification.name).toBe("get_weather");
      const history = lastChat().conversationState.history;
      expect(history.at(-1).assistantResponseMessage.toolUses).toEqual([{ toolUseId: "tooluse_abc", name: "get_weather", input: { city: "Paris" } }]);
    });
  }

  test("thinking: the <thinking> prefix becomes a thinking block, in both modes", async () => {
    const ask = {
      model: "claude-sonnet-4-5",
      max_tokens: 2048,
      thinking: { type: "enabled" as const, budget_tokens: 4000 },
      messages: [{ role: "user" as const, content: "Think first" }],
    };
    g.sim.enqueue(thinkingText("The user wants me to think.", "Done thinking."));
    const streamed = await g.client.messages.stream(ask).finalMessage();
    g.sim.enqueue(thinkingText("The user wants me to think.", "Done thinking."));
    const whole = await g.client.messages.create(ask);
    for (const msg of [streamed, whole]) {
      expect(msg.content[0]).toMatchObject({ type: "thinking", thinking: "The user wants me to think." });
      expect(msg.content[1]).toEqual({ type: "text", text: "Done thinking." } as never);
    }
    expect(lastChat().conversationState.history[0].userInputMessage.content).toStartWith(
      "<thinking_mode>enabled</thinking_mode><max_thinking_length>4000</max_thinking_length>",
    );
  });

  test("images reach Kiro as images; an unsupported image type is a 400 naming the block", async () => {
    g.sim.enqueue(text("A single pixel."));
    const msg = await g.client.messages.create({
      model: "claude-sonnet-4-5",
      max_tokens: 100,
      messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: PNG_1x1 } }, { type: "text", text: "What is this?" }] }],
    });
    expect(msg.content).toEqual([{ type: "text", text: "A single pixel." }] as never);
    expect(lastChat().conversationState.currentMessage.userInputMessage.images).toEqual([{ format: "png", source: { bytes: PNG_1x1 } }]);

    const bad = await post(g, "/v1/messages", {
      model: "claude-sonnet-4-5",
      max_tokens: 100,
      messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/bmp", data: "Qk0=" } }] }],
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.type).toBe("invalid_request_error");
    expect(bad.json.error.message).toContain("messages.0.content.0");
    expect(bad.json.error.message).toContain("image/bmp");
  });

  test("countTokens and models.list", async () => {
    const count = await g.client.messages.countTokens({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "Hello, Claude!" }] });
    expect(count.input_tokens).toBeGreaterThanOrEqual(5);
    const models = [];
    for await (const m of g.client.models.list()) models.push(m);
    expect(models.length).toBeGreaterThan(3);
    expect(models[0]).toMatchObject({ type: "model", id: expect.any(String), display_name: expect.any(String) });
    expect(Date.parse(models[0]!.created_at)).not.toBeNaN();
    expect(models.map((m) => m.id)).toContain("claude-sonnet-4-5-20250929");
  });
});

describe("a request's long strings, kept as the client's bytes", () => {
  test("are freed once the request is answered: a read after that throws rather than send empty text", async () => {
    const read = jsonBodyReader<MessagesRequest>(MessagesRequest, { maxBytes: 1 << 20, budget: new BodyBudget(1 << 30) }, PASSED_THROUGH);
    const file = "export const answer = 42;\n".repeat(20);
    const wire = JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 64, messages: [{ role: "user", content: [{ type: "text", text: file }] }] });
    const body = await read(new Request("http://localhost/v1/messages", { method: "POST", body: wire }));
    expect(verbatimOf(body)?.size).toBe(1);
    g.sim.enqueue(text("It exports the answer."));
    const reply = await sendMessages(g.services, body, { signal: new AbortController().signal });
    expect((await reply.fold(new MessageFolder())).content).toEqual([{ type: "text", text: "It exports the answer." }]);
    // Kiro had the text as the client wrote it before the bytes went.
    expect(JSON.stringify(lastChat())).toContain(JSON.stringify(file).slice(1, -1));
    expect(() => restoreVerbatim(body)).toThrow("a kept string was read after its request ended");
  });
});
