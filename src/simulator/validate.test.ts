import { describe, expect, test } from "bun:test";
import { requestRules, validateRequest } from "./validate";

type Json = Record<string, any>;

const user = (content: string, extra: Json = {}): Json => ({
  userInputMessage: { content, modelId: "claude-sonnet-4.5", origin: "AI_EDITOR", ...extra },
});
const assistant = (content: string, toolUses?: Json[]): Json => ({
  assistantResponseMessage: { content, ...(toolUses ? { toolUses } : {}) },
});
const tool = (name: string, extra: Json = {}): Json => ({
  toolSpecification: { name, description: `the ${name} tool`, inputSchema: { json: { type: "object", properties: {} } }, ...extra },
});
const use = (id: string, name = "read", input: unknown = { path: "a.txt" }) => ({ toolUseId: id, name, input });
const result = (id: string) => ({ toolUseId: id, content: [{ text: "ok" }], status: "success" });

/** A request the way the gateway builds one; `history` and the current message may be replaced. */
function request(opts: { history?: Json[]; current?: Json; state?: Json } = {}): Json {
  return {
    conversationState: {
      agentContinuationId: "5f0c1d3e-0000-4000-8000-000000000001",
      agentTaskType: "vibe",
      chatTriggerType: "MANUAL",
      conversationId: "5f0c1d3e-0000-4000-8000-000000000002",
      currentMessage: opts.current ?? user("hello", { userInputMessageContext: {} }),
      ...(opts.history ? { history: opts.history } : {}),
      ...opts.state,
    },
  };
}

const toolRound = (current: Json = {}) =>
  request({
    history: [user("read a.txt"), assistant(" ", [use("t1")])],
    current: user("", { userInputMessageContext: { tools: [tool("read")], toolResults: [result("t1")] }, ...current }),
  });

const violation = (body: unknown) => validateRequest(body);

test("a well-formed request passes every rule", () => {
  expect(violation(request())).toBeNull();
  expect(violation(toolRound())).toBeNull();
});

test("an image inside a tool result is accepted (and dropped by Kiro, 2026 §9); a block of nothing is not", () => {
  const withImage = (block: Json) =>
    request({
      history: [user("read a.png"), assistant(" ", [use("t1")])],
      current: user("", {
        userInputMessageContext: { tools: [tool("read")], toolResults: [{ toolUseId: "t1", content: [{ text: "see" }, block], status: "success" }] },
      }),
    });
  expect(violation(withImage({ image: { format: "png", source: { bytes: "iVBORw0KGgo=" } } }))).toBeNull();
  expect(violation(withImage({}))).toMatchObject({ rule: "wire-shape", detail: "currentMessage.toolResults[0].content[1] needs text, json or image" });
});

test("a newer Kiro's models are accepted where it serves them, and only there", () => {
  const newer = request({ current: user("hi", { modelId: "claude-opus-4.8" }) });
  expect(validateRequest(newer)?.reason).toBe("INVALID_MODEL_ID");
  expect(validateRequest(newer, ["auto", "claude-opus-4.8"])).toBeNull();
});

test("every rule in the list has a test below", () => {
  const tested = new Set(Object.keys(cases).concat("wire-shape"));
  expect(requestRules.map((r) => r.name).filter((n) => !tested.has(n))).toEqual([]);
});

/** rule name → [accepted body, rejected body, expected reason]. */
const cases: Record<string, [Json, Json, string | null]> = {
  "known-model": [
    request({ current: user("hi", { modelId: "claude-opus-4.7" }) }),
    request({ current: user("hi", { modelId: "claude-sonnet-4-5-20250929" }) }),
    "INVALID_MODEL_ID",
  ],
  "known-origin": [
    request({ current: user("hi", { origin: "CLI" }) }),
    request({ current: user("hi", { origin: "BROWSER" }) }),
    null,
  ],
  "conversation-enums": [
    request({ state: { chatTriggerType: "INLINE_CHAT", agentTaskType: "spectask" } }),
    request({ state: { chatTriggerType: "AUTO" } }),
    null,
  ],
  "conversation-id": [
    request({ state: { conversationId: "c-1" } }),
    request({ state: { conversationId: 42 } }),
    "INVALID_CONVERSATION_ID",
  ],
  "history-alternates": [
    request({ history: [user("a"), assistant("b")] }),
    request({ history: [assistant("b"), user("a")] }),
    null,
  ],
  "assistant-content-not-empty": [
    request({ history: [user("a"), assistant(" ")] }),
    request({ history: [user("a"), assistant("")] }),
    null,
  ],
  "tools-only-in-current-message": [
    request({ current: user("hi", { userInputMessageContext: { tools: [tool("read")] } }) }),
    request({
      history: [user("a", { userInputMessageContext: { tools: [tool("read")] } }), assistant("b")],
      current: user("hi", { userInputMessageContext: { tools: [tool("read")] } }),
    }),
    null,
  ],
  "tool-name-length": [
    request({ current: user("hi", { userInputMessageContext: { tools: [tool("x".repeat(64))] } }) }),
    request({ current: user("hi", { userInputMessageContext: { tools: [tool("x".repeat(65))] } }) }),
    null,
  ],
  "tool-names-unique": [
    request({ current: user("hi", { userInputMessageContext: { tools: [tool("read"), tool("write")] } }) }),
    request({ current: user("hi", { userInputMessageContext: { tools: [tool("read"), tool("read")] } }) }),
    "TOOL_DUPLICATE",
  ],
  "tool-description-length": [
    request({ current: user("hi", { userInputMessageContext: { tools: [tool("read", { description: "d".repeat(10_240) })] } }) }),
    request({ current: user("hi", { userInputMessageContext: { tools: [tool("read", { description: "d".repeat(10_241) })] } }) }),
    null,
  ],
  "tool-schema": [
    request({
      current: user("hi", {
        userInputMessageContext: { tools: [tool("read", { inputSchema: { json: { type: "object", required: ["path"] } } })] },
      }),
    }),
    request({
      current: user("hi", {
        userInputMessageContext: { tools: [tool("read", { inputSchema: { json: { type: "object", required: null } } })] },
      }),
    }),
    "TOOL_SCHEMA_INVALID",
  ],
  "history-tools-need-config": [
    toolRound(),
    request({
      history: [user("read a.txt"), assistant(" ", [use("t1")])],
      current: user("", { userInputMessageContext: { toolResults: [result("t1")] } }),
    }),
    "TOOL_CONFIG_MISSING",
  ],
  "history-tools-declared": [
    toolRound(),
    request({
      history: [user("read a.txt"), assistant(" ", [use("t1", "grep")])],
      current: user("", { userInputMessageContext: { tools: [tool("read")], toolResults: [result("t1")] } }),
    }),
    "TOOL_CONFIG_MISSING",
  ],
  "tool-input-object": [
    toolRound(),
    request({
      history: [user("read a.txt"), assistant(" ", [use("t1", "read", { "": 1 })])],
      current: user("", { userInputMessageContext: { tools: [tool("read")], toolResults: [result("t1")] } }),
    }),
    null,
  ],
  "tool-uses-answered": [
    request({
      history: [user("read"), assistant(" ", [use("t1"), use("t2")]), user("", { userInputMessageContext: { toolResults: [result("t1"), result("t2")] } }), assistant("done")],
      current: user("thanks", { userInputMessageContext: { tools: [tool("read")] } }),
    }),
    request({
      history: [user("read"), assistant(" ", [use("t1"), use("t2")]), user("", { userInputMessageContext: { toolResults: [result("t1")] } }), assistant("done")],
      current: user("thanks", { userInputMessageContext: { tools: [tool("read")] } }),
    }),
    "TOOL_USE_RESULT_MISMATCH",
  ],
  "tool-results-match-uses": [
    toolRound(),
    request({
      history: [user("read a.txt"), assistant(" ", [use("t1")])],
      current: user("", { userInputMessageContext: { tools: [tool("read")], toolResults: [result("t1"), result("t9")] } }),
    }),
    "TOOL_USE_RESULT_MISMATCH",
  ],
  "image-format": [
    request({ current: user("look", { images: [{ format: "webp", source: { bytes: "UklGRg==" } }] }) }),
    request({ current: user("look", { images: [{ format: "bmp", source: { bytes: "Qk0=" } }] }) }),
    "IMAGE_FORMAT_UNSUPPORTED",
  ],
  "image-bytes": [
    request({ current: user("look", { images: [{ format: "png", source: { bytes: "iVBORw0KGgo=" } }] }) }),
    request({ current: user("look", { images: [{ format: "png", source: { bytes: "data:image/png;base64,iVBO" } }] }) }),
    null,
  ],
};

describe("each rule: one body accepted, one refused with Kiro's reason", () => {
  for (const [rule, [accepted, rejected, reason]] of Object.entries(cases)) {
    test(rule, () => {
      expect(violation(accepted)).toBeNull();
      expect(violation(rejected)).toMatchObject({ rule, reason });
    });
  }
});

describe("wire shape (§3.1)", () => {
  test("a request without conversationState or currentMessage is improperly formed, without a reason", () => {
    expect(violation({})).toMatchObject({ rule: "wire-shape", reason: null });
    expect(violation({ conversationState: {} })).toMatchObject({ rule: "wire-shape" });
    expect(violation("text")).toMatchObject({ rule: "wire-shape" });
  });

  test("content must be a string; modelId and origin are required on the current message", () => {
    expect(violation(request({ current: user(42 as unknown as string) }))).toMatchObject({ rule: "wire-shape" });
    expect(violation(request({ current: { userInputMessage: { content: "hi", origin: "AI_EDITOR" } } }))).toMatchObject({
      rule: "known-model",
    });
    expect(violation(request({ current: { userInputMessage: { content: "hi", modelId: "auto" } } }))).toMatchObject({
      rule: "known-origin",
    });
  });

  test("a history entry holds exactly one message; tool results need text or json blocks", () => {
    expect(violation(request({ history: [{ ...user("a"), ...assistant("b") }, assistant("c")] }))).toMatchObject({ rule: "wire-shape" });
    const badResult = toolRound();
    badResult.conversationState.currentMessage.userInputMessage.userInputMessageContext.toolResults = [
      { toolUseId: "t1", content: [{ image: "x" }] },
    ];
    expect(violation(badResult)).toMatchObject({ rule: "wire-shape" });
  });

  test("a history ending with a user turn is refused", () => {
    expect(violation(request({ history: [user("a")] }))).toMatchObject({ rule: "history-alternates" });
  });

  test("a tool result in the very first user turn answers nothing", () => {
    const body = request({
      history: [user("", { userInputMessageContext: { toolResults: [result("t0")] } }), assistant("ok")],
      current: user("hi", { userInputMessageContext: { tools: [tool("read")] } }),
    });
    expect(violation(body)).toMatchObject({ rule: "tool-results-match-uses", reason: "TOOL_USE_RESULT_MISMATCH" });
  });
});
