import { describe, expect, test } from "bun:test";
import { GatewayError } from "../errors";
import type { KiroCachePoint, KiroConversationState, KiroHistoryMessage, KiroToolSpecification } from "../kiro/types";
import {
  buildHistory,
  conversationJson,
  convertRequest,
  flattenToolResult,
  historyToolPlaceholders,
  mapAssistantContent,
  mapTools,
  mapUserContent,
  mergeTurns,
  normaliseSchema,
  pairToolUses,
  sessionIdOf,
  shortenToolName,
  systemPrompt,
  thinkingPrefix,
  type Turn,
  type UserTurn,
} from "./convert";
import type { MessageParam, MessagesRequest, ToolParam } from "./schemas";

/** The tool specifications of a tools list, without its cache points. */
const specsOf = (tools: Array<KiroToolSpecification | KiroCachePoint> = []) => tools.filter((t): t is KiroToolSpecification => "toolSpecification" in t);

/* ---- helpers ---- */

// Content blocks are open objects in the schema, whose type only knows `type`.
type Block = { type: string; [field: string]: unknown };
type Message = { role: "user" | "assistant"; content: string | Block[] };
type RequestFields = Omit<Partial<MessagesRequest>, "messages" | "system"> & {
  messages: Message[];
  system?: string | Block[];
  [field: string]: unknown;
};
/** Blocks written as literals, typed as the schema's loosely checked content. */
const blocks = (...content: Block[]) => content as MessageParam["content"];

const request = (fields: RequestFields): MessagesRequest =>
  ({ model: "claude-sonnet-4-5-20250929", max_tokens: 1024, ...fields }) as MessagesRequest;
const convert = (fields: RequestFields) => convertRequest(request(fields));

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const png = (data = PNG): Block => ({ type: "image", source: { type: "base64", media_type: "image/png", data } });
const noRename = { kiroName: (name: string) => name };
const user = (text: string): UserTurn => ({ role: "user", text, images: [], toolResults: [] });
const assistant = (content: string, ...ids: string[]): Turn => ({
  role: "assistant",
  content,
  toolUses: ids.map((id) => ({ toolUseId: id, name: "Read", input: {} })),
});
const results = (...ids: string[]): UserTurn => ({
  ...user(""),
  toolResults: ids.map((id) => ({ toolUseId: id, content: [{ text: "ok" }], status: "success" as const })),
});

function rejection(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error("expected a GatewayError");
}

const roleOf = (m: KiroHistoryMessage) => ("userInputMessage" in m ? "user" : "assistant");
const usesOf = (m: KiroHistoryMessage | undefined) =>
  m && "assistantResponseMessage" in m ? (m.assistantResponseMessage.toolUses ?? []).map((u) => u.toolUseId) : [];
const resultsOf = (m: KiroHistoryMessage | undefined) =>
  m && "userInputMessage" in m
    ? (m.userInputMessage.userInputMessageContext?.toolResults ?? []).map((r) => r.toolUseId)
    : [];

/** What Kiro insists on: user first, roles alternating, and each tool use answered by exactly the next user turn. */
function expectWellFormed(state: KiroConversationState) {
  const messages: KiroHistoryMessage[] = [...(state.history ?? []), state.currentMessage];
  messages.forEach((m, i) => {
    expect(roleOf(m)).toBe(i % 2 === 0 ? "user" : "assistant");
    if ("assistantResponseMessage" in m) {
      expect(m.assistantResponseMessage.content).not.toBe("");
      expect(resultsOf(messages[i + 1]).sort()).toEqual(usesOf(m).sort());
    } else {
      expect(resultsOf(m).sort()).toEqual(usesOf(messages[i - 1]).sort());
    }
  });
  const declared = new Set(
    specsOf(state.currentMessage.userInputMessage.userInputMessageContext?.tools).map((t) => t.toolSpecification.name),
  );
  for (const m of messages) for (const id of usesOf(m)) expect(id).toBeTruthy();
  for (const m of state.history ?? []) {
    if ("assistantResponseMessage" in m) {
      for (const u of m.assistantResponseMessage.toolUses ?? []) expect(declared.has(u.name)).toBe(true);
    }
  }
}

/* ---- whole requests ---- */

describe("convertRequest", () => {
  test("the worked example of kiro-protocol.md §10a", () => {
    const converted = convert({
      model: "claude-sonnet-4-5-20250929",
      stream: true,
      system: "You are terse.",
      thinking: { type: "enabled", budget_tokens: 4000 },
      metadata: { user_id: "user_abc_account__session_0b4445e1-f5be-49e1-87ce-62bbc28ad705" },
      tools: [
        {
          name: "get_weather",
          description: "Get weather",
          input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
        },
      ],
      messages: [
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "Need tool.", signature: "x" },
            { type: "tool_use", id: "tooluse_1", name: "get_weather", input: { city: "Paris" } },
          ],
        },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "tooluse_1", content: "18°C" }] },
      ],
    });

    expect(converted.conversationState).toEqual({
      agentContinuationId: expect.stringMatching(UUID_V4),
      agentTaskType: "vibe",
      chatTriggerType: "MANUAL",
      conversationId: "0b4445e1-f5be-49e1-87ce-62bbc28ad705",
      currentMessage: {
        userInputMessage: {
          content: "",
          modelId: "claude-sonnet-4.5",
          origin: "AI_EDITOR",
          userInputMessageContext: {
            toolResults: [{ toolUseId: "tooluse_1", content: [{ text: "18°C" }], status: "success" }],
            tools: [
              {
                toolSpecification: {
                  name: "get_weather",
                  description: "Get weather",
                  inputSchema: {
                    json: {
                      type: "object",
                      properties: { city: { type: "string" } },
                      required: ["city"],
                      additionalProperties: true,
                    },
                  },
                },
              },
            ],
          },
        },
      },
      history: [
        {
          userInputMessage: {
            content:
              "<thinking_mode>enabled</thinking_mode><max_thinking_length>4000</max_thinking_length>\nYou are terse.",
            modelId: "claude-sonnet-4.5",
            origin: "AI_EDITOR",
          },
        },
        { assistantResponseMessage: { content: "I will follow these instructions." } },
        { userInputMessage: { content: "Weather in Paris?", modelId: "claude-sonnet-4.5", origin: "AI_EDITOR" } },
        {
          assistantResponseMessage: {
            content: "<thinking>Need tool.</thinking>",
            toolUses: [{ toolUseId: "tooluse_1", name: "get_weather", input: { city: "Paris" } }],
          },
        },
      ],
    });
    expect(converted).toMatchObject({
      model: "claude-sonnet-4-5-20250929",
      kiroModelId: "claude-sonnet-4.5",
      contextWindow: 200_000,
      thinking: true,
    });
    expect(converted.toolNames.size).toBe(0);
  });

  test("a one-message request has no history, an empty context object and fresh random ids", () => {
    const a = convert({ messages: [{ role: "user", content: "Hello" }] });
    const b = convert({ messages: [{ role: "user", content: "Hello" }] });
    expect(a.conversationState.history).toBeUndefined();
    expect(a.conversationState.currentMessage).toEqual({
      userInputMessage: {
        content: "Hello",
        modelId: "claude-sonnet-4.5",
        origin: "AI_EDITOR",
        userInputMessageContext: {},
      },
    });
    expect(a.conversationState.conversationId).toMatch(UUID_V4);
    expect(a.conversationState.agentContinuationId).toMatch(UUID_V4);
    expect(b.conversationState.conversationId).not.toBe(a.conversationState.conversationId);
    expect(b.conversationState.agentContinuationId).not.toBe(a.conversationState.agentContinuationId);
    expect(a.thinking).toBe(false);
    expect(JSON.stringify(a.conversationState)).not.toContain("profileArn");
  });

  test("a conversation id given by the caller is used as is", () => {
    const converted = convertRequest(
      request({
        metadata: { user_id: "user_x_account__session_0b4445e1-f5be-49e1-87ce-62bbc28ad705" },
        messages: [{ role: "user", content: "Hi" }],
      }),
      { conversationId: "11111111-2222-4333-8444-555555555555" },
    );
    expect(converted.conversationState.conversationId).toBe("11111111-2222-4333-8444-555555555555");
  });

  test("a trailing assistant message (prefill) is dropped: Kiro cannot continue it", () => {
    const { conversationState } = convert({
      messages: [
        { role: "user", content: "Give me JSON" },
        { role: "assistant", content: "{" },
      ],
    });
    expect(conversationState.currentMessage.userInputMessage.content).toBe("Give me JSON");
    expect(conversationState.history).toBeUndefined();
  });

  test("a request without any user message is an invalid request", () => {
    for (const messages of [[], [{ role: "assistant" as const, content: "Hi" }]]) {
      const error = rejection(() => convert({ messages }));
      expect(error.kind).toBe("invalid_request");
      expect(error.message).toBe("messages: at least one user message is required");
    }
  });

  test("an unsupported model is an invalid request", () => {
    const error = rejection(() => convert({ model: "gpt-4o", messages: [{ role: "user", content: "Hi" }] }));
    expect(error.kind).toBe("invalid_request");
    expect(error.message).toContain('model "gpt-4o"');
  });

  test("unknown request fields and cache_control anywhere are passed over", () => {
    const { conversationState } = convert({
      temperature: 0.2,
      top_k: 5,
      stop_sequences: ["END"],
      some_future_field: { nested: true },
      system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral", ttl: "1h" } }],
      messages: [{ role: "user", content: [{ type: "text", text: "Hi", cache_control: { type: "ephemeral" } }] }],
    });
    const json = JSON.stringify(conversationState);
    for (const word of ["cache_control", "ephemeral", "temperature", "stop_sequences", "some_future_field"]) {
      expect(json).not.toContain(word);
    }
    expect(conversationState.currentMessage.userInputMessage.content).toBe("Hi");
  });

  test("a request as current Claude Code sends it", () => {
    const sessionId = "7f3c2a10-9b4e-4d2a-8c1f-0e5d6a7b8c9d";
    const bashDescription =
      "Executes a given bash command in a persistent shell session with optional timeout, ensuring proper handling and security measures.\n\n" +
      "Before executing the command, please follow these steps:\n".repeat(40) +
      "- Always quote file paths that contain spaces with double quotes.\n".repeat(120);
    expect(bashDescription.length).toBeGreaterThan(10_000);
    const longMcpName = "mcp__playwright_browser_automation_server__browser_take_screenshot_of_current_page";
    const schema = (props: Record<string, unknown>, required: string[] = []) => ({
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties: props,
      required,
      additionalProperties: false,
    });
    const str = { type: "string" };
    const tools: Array<Record<string, unknown>> = [
      {
        name: "Task",
        description: "Launch a new agent to handle complex, multi-step tasks autonomously.",
        input_schema: schema({ description: str, prompt: str, subagent_type: str }, [
          "description",
          "prompt",
          "subagent_type",
        ]),
      },
      {
        name: "Bash",
        description: bashDescription,
        input_schema: schema(
          { command: str, timeout: { type: "number" }, description: str, run_in_background: { type: "boolean" } },
          ["command"],
        ),
      },
      {
        name: "Glob",
        description: "Fast file pattern matching tool.",
        input_schema: schema({ pattern: str, path: str }, ["pattern"]),
      },
      {
        name: "Grep",
        description: "A powerful search tool built on ripgrep.",
        input_schema: schema(
          {
            pattern: str,
            path: str,
            glob: str,
            output_mode: { type: "string", enum: ["content", "files_with_matches", "count"] },
          },
          ["pattern"],
        ),
      },
      {
        name: "ExitPlanMode",
        description: "Prompts the user to exit plan mode.",
        input_schema: schema({ plan: str }, ["plan"]),
      },
      {
        name: "Read",
        description: "Reads a file from the local filesystem.",
        input_schema: schema({ file_path: str, offset: { type: "number" }, limit: { type: "number" } }, ["file_path"]),
      },
      {
        name: "Edit",
        description: "Performs exact string replacements in files.",
        input_schema: schema(
          { file_path: str, old_string: str, new_string: str, replace_all: { type: "boolean", default: false } },
          ["file_path", "old_string", "new_string"],
        ),
      },
      {
        name: "Write",
        description: "Writes a file to the local filesystem.",
        input_schema: schema({ file_path: str, content: str }, ["file_path", "content"]),
      },
      {
        name: "NotebookEdit",
        description: "Replaces the contents of a specific cell in a Jupyter notebook.",
        input_schema: schema({ notebook_path: str, new_source: str }, ["notebook_path", "new_source"]),
      },
      {
        name: "WebFetch",
        description: "Fetches content from a specified URL and processes it.",
        input_schema: schema({ url: { type: "string", format: "uri" }, prompt: str }, ["url", "prompt"]),
      },
      {
        name: "TodoWrite",
        description: "Use this tool to create and manage a structured task list. ".repeat(60),
        input_schema: schema({ todos: { type: "array", items: { type: "object" } } }, ["todos"]),
      },
      {
        name: "WebSearch",
        description: "Allows Claude to search the web.",
        input_schema: schema({ query: { type: "string", minLength: 2 } }, ["query"]),
      },
      {
        name: "BashOutput",
        description: "Retrieves output from a running background bash shell.",
        input_schema: schema({ bash_id: str }, ["bash_id"]),
      },
      {
        name: "KillShell",
        description: "Kills a running background bash shell by its ID.",
        input_schema: schema({ shell_id: str }, ["shell_id"]),
      },
      {
        name: "SlashCommand",
        description: "Execute a slash command within the main conversation.",
        input_schema: schema({ command: str }, ["command"]),
      },
      {
        name: "mcp__github__create_issue",
        description: "Create a GitHub issue.",
        input_schema: { type: "object", properties: { title: str }, required: null },
        defer_loading: true,
      },
      {
        name: longMcpName,
        description: "Take a screenshot of the current page.",
        input_schema: { type: "object", properties: {} },
        defer_loading: true,
        cache_control: { type: "ephemeral" },
      },
      { type: "web_search_20250305", name: "web_search", max_uses: 5 },
    ];
    const converted = convert({
      model: "claude-opus-4-6",
      max_tokens: 32_000,
      stream: true,
      thinking: { type: "adaptive" },
      output_config: { effort: "medium" },
      context_management: { edits: [{ type: "clear_thinking_20251015", keep: "all" }] },
      metadata: {
        user_id: JSON.stringify({ device_id: "d".repeat(64), account_uuid: "", session_id: sessionId }),
      },
      system: [
        {
          type: "text",
          text: "You are Claude Code, Anthropic's official CLI for Claude.",
          cache_control: { type: "ephemeral" },
        },
        {
          type: "text",
          text: "You are an interactive CLI tool that helps users with software engineering tasks.",
          cache_control: { type: "ephemeral" },
        },
      ],
      tools: tools as ToolParam[],
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "<system-reminder>\nAs you answer, use the TodoWrite tool.\n</system-reminder>" },
            { type: "text", text: "Fix the failing test in src/app.ts", cache_control: { type: "ephemeral" } },
          ],
        },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "Let me read the file first.", signature: "EqQBCkgIBxABGAIqQL" },
            { type: "text", text: "I'll read the file." },
            { type: "tool_use", id: "toolu_01A", name: "Read", input: { file_path: "/repo/src/app.ts" } },
          ],
        },
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              tool_use_id: "toolu_01A",
              content: [{ type: "text", text: "1\texport const x = 1;" }],
            },
          ],
        },
        {
          role: "assistant",
          content: [
            { type: "tool_use", id: "toolu_01B", name: longMcpName, input: {}, cache_control: { type: "ephemeral" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_01B", content: [{ type: "text", text: "saved" }, png()] },
            { type: "text", text: "Now fix it.", cache_control: { type: "ephemeral" } },
          ],
        },
      ],
    });

    const state = converted.conversationState;
    expect(converted).toMatchObject({ kiroModelId: "claude-opus-4.6", contextWindow: 1_000_000, thinking: true });
    expect(state.conversationId).toBe(sessionId);
    expect(state.history?.[0]).toEqual({
      userInputMessage: {
        content:
          "<thinking_mode>adaptive</thinking_mode><thinking_effort>medium</thinking_effort>\n" +
          "You are Claude Code, Anthropic's official CLI for Claude.\n" +
          "You are an interactive CLI tool that helps users with software engineering tasks.",
        modelId: "claude-opus-4.6",
        origin: "AI_EDITOR",
      },
    });

    const specs = specsOf(state.currentMessage.userInputMessage.userInputMessageContext?.tools);
    const shortName = shortenToolName(longMcpName);
    expect(specs.map((t) => t.toolSpecification.name)).toEqual([
      ...tools.slice(0, 16).map((t) => t.name as string),
      shortName,
    ]);
    const spec = (name: string) => specs.find((t) => t.toolSpecification.name === name)?.toolSpecification;
    expect(Array.from(spec("Bash")?.description ?? "").length).toBe(10_000);
    expect(spec("mcp__github__create_issue")?.inputSchema.json.required).toEqual([]);
    expect(spec("Read")?.inputSchema.json.additionalProperties).toBe(false);
    expect(converted.toolNames).toEqual(new Map([[shortName, longMcpName]]));

    expect(state.history?.[3]).toEqual({
      assistantResponseMessage: {
        content: "<thinking>Let me read the file first.</thinking>\n\nI'll read the file.",
        toolUses: [{ toolUseId: "toolu_01A", name: "Read", input: { file_path: "/repo/src/app.ts" } }],
      },
    });
    expect(state.history?.[5]).toEqual({
      assistantResponseMessage: { content: " ", toolUses: [{ toolUseId: "toolu_01B", name: shortName, input: {} }] },
    });
    expect(state.currentMessage.userInputMessage).toMatchObject({
      content: "Now fix it.",
      userInputMessageContext: {
        toolResults: [{ toolUseId: "toolu_01B", content: [{ text: "saved" }], status: "success" }],
      },
    });
    expectWellFormed(state);

    const json = JSON.stringify(state);
    for (const word of [
      "cache_control",
      "defer_loading",
      "context_management",
      "web_search_20250305",
      "EqQBCkgIBxABGAIqQL",
    ]) {
      expect(json).not.toContain(word);
    }
  });
});

/* ---- system prompt and thinking ---- */

describe("thinkingPrefix", () => {
  const prefix = (fields: Partial<MessagesRequest> & Record<string, unknown>) =>
    thinkingPrefix({ model: "claude-sonnet-4-5", ...fields } as MessagesRequest);
  const enabled = (n: number) =>
    `<thinking_mode>enabled</thinking_mode><max_thinking_length>${n}</max_thinking_length>`;
  const adaptive = (e: string) => `<thinking_mode>adaptive</thinking_mode><thinking_effort>${e}</thinking_effort>`;

  test("enabled: the budget as given, 20000 by default, kept within 1024..24576", () => {
    expect(prefix({ thinking: { type: "enabled", budget_tokens: 500 } })).toBe(enabled(1024));
    expect(prefix({ thinking: { type: "enabled", budget_tokens: 4000 } })).toBe(enabled(4000));
    expect(prefix({ thinking: { type: "enabled" } })).toBe(enabled(20000));
    expect(prefix({ thinking: { type: "enabled", budget_tokens: 100_000 } })).toBe(enabled(24576));
  });

  test("adaptive: effort from output_config, then thinking.effort, else high", () => {
    expect(prefix({ thinking: { type: "adaptive" } })).toBe(adaptive("high"));
    expect(prefix({ thinking: { type: "adaptive", effort: "low" } as never })).toBe(adaptive("low"));
    expect(prefix({ thinking: { type: "adaptive", effort: "low" } as never, output_config: { effort: "max" } })).toBe(
      adaptive("max"),
    );
  });

  test("off when absent or disabled", () => {
    expect(prefix({})).toBeUndefined();
    expect(prefix({ thinking: { type: "disabled" } })).toBeUndefined();
  });

  test("a -thinking model turns it on: adaptive for Opus 4.6 and later, a 20000 budget otherwise", () => {
    expect(prefix({ model: "claude-sonnet-4-5-20250929-thinking" })).toBe(enabled(20000));
    expect(prefix({ model: "claude-opus-4-5-20251101-thinking", thinking: { type: "disabled" } })).toBe(enabled(20000));
    expect(prefix({ model: "claude-opus-4-6-thinking" })).toBe(adaptive("high"));
    expect(prefix({ model: "claude-opus-4-7-thinking" })).toBe(adaptive("high"));
    expect(convert({ model: "claude-opus-4-6-thinking", messages: [{ role: "user", content: "Hi" }] }).thinking).toBe(
      true,
    );
  });

  test("with thinking and no system prompt, the prefix alone forms the opening exchange", () => {
    const { conversationState } = convert({
      thinking: { type: "enabled", budget_tokens: 2048 },
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(conversationState.history).toEqual([
      { userInputMessage: { content: enabled(2048), modelId: "claude-sonnet-4.5", origin: "AI_EDITOR" } },
      { assistantResponseMessage: { content: "I will follow these instructions." } },
    ]);
  });
});

describe("systemPrompt", () => {
  const P = "<thinking_mode>adaptive</thinking_mode><thinking_effort>high</thinking_effort>";

  test("a string, or text blocks joined by newlines (cache_control and all)", () => {
    expect(systemPrompt("Be brief.", undefined)).toBe("Be brief.");
    const system = [
      { type: "text", text: "One.", cache_control: { type: "ephemeral" } },
      { type: "text", text: "Two." },
    ] as MessagesRequest["system"];
    expect(systemPrompt(system, undefined)).toBe("One.\nTwo.");
  });

  test("no system prompt: an empty array or string is none", () => {
    expect(systemPrompt([], undefined)).toBeUndefined();
    expect(systemPrompt("", undefined)).toBeUndefined();
    expect(systemPrompt(undefined, undefined)).toBeUndefined();
  });

  test("the thinking prefix goes first, unless the prompt already carries thinking tags", () => {
    expect(systemPrompt("Be brief.", P)).toBe(`${P}\nBe brief.`);
    expect(systemPrompt([], P)).toBe(P);
    const own = "<thinking_mode>enabled</thinking_mode> Be brief.";
    expect(systemPrompt(own, P)).toBe(own);
  });

  test("it becomes exactly the user S / assistant acknowledgement pair, with nothing added", () => {
    const { conversationState } = convert({ system: "Be brief.", messages: [{ role: "user", content: "Hi" }] });
    expect(conversationState.history).toEqual([
      { userInputMessage: { content: "Be brief.", modelId: "claude-sonnet-4.5", origin: "AI_EDITOR" } },
      { assistantResponseMessage: { content: "I will follow these instructions." } },
    ]);
  });
});

/* ---- content blocks ---- */

describe("mapUserContent", () => {
  test("text blocks are joined by newlines, empty ones skipped", () => {
    const content = blocks({ type: "text", text: "one" }, { type: "text", text: "" }, { type: "text", text: "two" });
    expect(mapUserContent(content, "messages.0")).toEqual({ ...user("one\ntwo") });
    expect(mapUserContent("plain", "messages.0")).toEqual(user("plain"));
  });

  test("images of the four supported formats become Kiro images", () => {
    const images = (["png", "jpeg", "gif", "webp"] as const).map((f) => ({
      type: "image",
      source: { type: "base64", media_type: `image/${f}`, data: btoa(`bytes of ${f}`) },
    }));
    expect(mapUserContent(blocks(...images), "messages.0").images).toEqual([
      { format: "png", source: { bytes: btoa("bytes of png") } },
      { format: "jpeg", source: { bytes: btoa("bytes of jpeg") } },
      { format: "gif", source: { bytes: btoa("bytes of gif") } },
      { format: "webp", source: { bytes: btoa("bytes of webp") } },
    ]);
  });

  test("tool results: success, and error with status and isError", () => {
    const turn = mapUserContent(
      blocks(
        { type: "tool_result", tool_use_id: "t1", content: "fine" },
        { type: "tool_result", tool_use_id: "t2", content: "boom", is_error: true },
        { type: "tool_result", tool_use_id: "t3", content: "fine too", is_error: false },
      ),
      "messages.0",
    );
    expect(turn.toolResults).toEqual([
      { toolUseId: "t1", content: [{ text: "fine" }], status: "success" },
      { toolUseId: "t2", content: [{ text: "boom" }], status: "error", isError: true },
      { toolUseId: "t3", content: [{ text: "fine too" }], status: "success" },
    ]);
  });

  test("tool_use blocks in a user message and known unmapped blocks are passed over", () => {
    const turn = mapUserContent(
      blocks(
        { type: "text", text: "see attached" },
        { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" } },
        { type: "search_result", source: "https://example.com", title: "x", content: [] },
        { type: "tool_use", id: "t", name: "Read", input: {} },
        { type: "container_upload", file_id: "file_1" },
        { type: "redacted_thinking", data: "abc" },
        { type: "server_tool_use", id: "srvtoolu_1", name: "web_search", input: { query: "q" } },
        { type: "web_search_tool_result", tool_use_id: "srvtoolu_1", content: [] },
      ),
      "messages.0",
    );
    expect(turn).toEqual(user("see attached"));
  });
});

describe("block validation names the block", () => {
  const at = (content: Block[]) =>
    rejection(() =>
      convert({
        messages: [
          { role: "user", content: "a" },
          { role: "assistant", content: "b" },
          { role: "user", content },
        ],
      }),
    );

  test("an unsupported image media type", () => {
    const error = at([
      { type: "text", text: "look" },
      { type: "image", source: { type: "base64", media_type: "image/bmp", data: "Qk0=" } },
    ]);
    expect(error.kind).toBe("invalid_request");
    expect(error.message).toBe(
      'messages.2.content.1: image media_type "image/bmp" is not supported (png, jpeg, gif, webp)',
    );
  });

  test("a URL image source: only base64 is supported", () => {
    const error = at([{ type: "image", source: { type: "url", url: "https://example.com/cat.png" } }]);
    expect(error.message).toStartWith('messages.2.content.0: image source type "url" is not supported');
    expect(error.message).toContain("base64");
  });

  test("an unknown block type", () => {
    const error = rejection(() =>
      convert({
        messages: [
          {
            role: "user",
            content: [{ type: "text", text: "a" }, { type: "text", text: "b" }, png(), { type: "foo" }],
          },
        ],
      }),
    );
    expect(error.message).toBe('messages.0.content.3: unknown content block type "foo"');
  });

  test.each([
    [{ type: "text" }, 'messages.2.content.0: text block needs a string "text"'],
    [{ type: "image" }, 'messages.2.content.0: image block needs a "source" object'],
    [
      { type: "image", source: { type: "base64", media_type: "image/png" } },
      'messages.2.content.0: image source needs base64 "data"',
    ],
    [{ type: "tool_result", content: "x" }, 'messages.2.content.0: tool_result block needs a string "tool_use_id"'],
    [
      { type: "tool_result", tool_use_id: "t", is_error: "yes" },
      'messages.2.content.0: tool_result "is_error" must be a boolean',
    ],
  ])("a malformed block %j", (block, message) => {
    expect(at([block as Block]).message).toBe(message);
  });

  test.each([
    ["data:image/png;base64," + PNG, 'send the bare base64 text, without the "data:…;base64," prefix'],
    ["iVBORw0K GgoA", 'character " " at offset 8 is not in the base64 alphabet'],
    ["iVBORw0K-_oA", 'character "-" at offset 8 is not in the base64 alphabet'],
    ["iVBORw0KGgo", "its length 11 is not a multiple of 4 (cut short?)"],
    ["iVBO=w0KGgoA", '"=" padding may only end the data'],
  ])("image data that is not strict base64 is named before Kiro sees it: %s", (data, problem) => {
    expect(at([png(data)]).message).toBe(`messages.2.content.0: image data is not valid base64: ${problem}`);
  });

  test("malformed blocks in earlier assistant messages are named too", () => {
    const error = rejection(() =>
      convert({
        messages: [
          { role: "user", content: "a" },
          { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "Read", input: "not an object" }] },
          { role: "user", content: "b" },
        ],
      }),
    );
    expect(error.message).toBe('messages.1.content.0: tool_use "input" must be an object');
    const noId = rejection(() =>
      convert({
        messages: [
          { role: "user", content: "a" },
          { role: "assistant", content: [{ type: "tool_use", name: "Read", input: {} }] },
          { role: "user", content: "b" },
        ],
      }),
    );
    expect(noId.message).toBe('messages.1.content.0: tool_use block needs a string "id"');
  });
});

describe("flattenToolResult", () => {
  test("string, text parts (other parts left out), JSON, nothing", () => {
    expect(flattenToolResult("plain")).toBe("plain");
    expect(
      flattenToolResult([
        { type: "text", text: "line 1" },
        png(),
        { type: "text", text: "line 2" },
        { type: "document" },
      ]),
    ).toBe("line 1\nline 2");
    expect(flattenToolResult({ rows: [1, 2] })).toBe('{"rows":[1,2]}');
    expect(flattenToolResult(42)).toBe("42");
    expect(flattenToolResult(undefined)).toBe("");
    expect(flattenToolResult(null)).toBe("");
  });
});

describe("mapAssistantContent", () => {
  test("texts are concatenated, thinking becomes a <thinking> prefix, signatures are dropped", () => {
    const turn = mapAssistantContent(
      blocks(
        { type: "thinking", thinking: "Hmm. ", signature: "sig" },
        { type: "redacted_thinking", data: "opaque" },
        { type: "thinking", thinking: "Right.", signature: "sig" },
        { type: "text", text: "Hello, " },
        { type: "text", text: "world." },
      ),
      "messages.1",
      noRename,
    );
    expect(turn).toEqual({
      role: "assistant",
      content: "<thinking>Hmm. Right.</thinking>\n\nHello, world.",
      toolUses: [],
    });
  });

  test("only thinking: just the tag", () => {
    const turn = mapAssistantContent(blocks({ type: "thinking", thinking: "Hmm." }), "messages.1", noRename);
    expect(turn.content).toBe("<thinking>Hmm.</thinking>");
  });

  test("tool uses keep id and input (an absent input is {}, empty-string keys are removed) and get Kiro names", () => {
    const turn = mapAssistantContent(
      blocks(
        { type: "tool_use", id: "t1", name: "Read", input: { path: "/a", "": "junk" } },
        { type: "tool_use", id: "t2", name: "Ping" },
      ),
      "messages.1",
      { kiroName: (name) => `k_${name}` },
    );
    expect(turn.toolUses).toEqual([
      { toolUseId: "t1", name: "k_Read", input: { path: "/a" } },
      { toolUseId: "t2", name: "k_Ping", input: {} },
    ]);
    expect(turn.content).toBe("");
  });

  test('in Kiro\'s history an assistant turn that only calls tools has content " ", never empty', () => {
    const { conversationState } = convert({
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "Read", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "ok" }] },
        { role: "assistant", content: "" },
        { role: "user", content: "and?" },
      ],
    });
    const contents = (conversationState.history ?? []).flatMap((m) =>
      "assistantResponseMessage" in m ? [m.assistantResponseMessage.content] : [],
    );
    expect(contents).toEqual([" ", " "]);
  });
});

/* ---- history ---- */

describe("mergeTurns", () => {
  test("consecutive user turns merge: texts by newline, images and tool results concatenated", () => {
    const a: UserTurn = { ...results("t1"), text: "first", images: [{ format: "png", source: { bytes: "A" } }] };
    const b: UserTurn = { ...results("t2"), text: "second" };
    expect(mergeTurns([a, user(""), b])).toEqual([
      {
        role: "user",
        text: "first\nsecond",
        images: [{ format: "png", source: { bytes: "A" } }],
        toolResults: [...a.toolResults, ...b.toolResults],
      },
    ]);
  });

  test("consecutive assistant turns merge: non-blank contents by a blank line, tool uses concatenated", () => {
    expect(mergeTurns([assistant("Part one."), assistant(" ", "t1"), assistant("Part two.", "t2")])).toEqual([
      {
        role: "assistant",
        content: "Part one.\n\nPart two.",
        toolUses: [
          { toolUseId: "t1", name: "Read", input: {} },
          { toolUseId: "t2", name: "Read", input: {} },
        ],
      },
    ]);
  });

  test("two assistant messages left by an interrupted stream reach Kiro as one (kiro.rs #79)", () => {
    const { conversationState } = convert({
      messages: [
        { role: "user", content: "Write a poem" },
        { role: "assistant", content: "Roses are" },
        { role: "assistant", content: "Roses are red, violets are blue." },
        { role: "user", content: "Another" },
      ],
    });
    expect(conversationState.history).toEqual([
      { userInputMessage: { content: "Write a poem", modelId: "claude-sonnet-4.5", origin: "AI_EDITOR" } },
      { assistantResponseMessage: { content: "Roses are\n\nRoses are red, violets are blue." } },
    ]);
  });
});

describe("buildHistory", () => {
  test("the system pair opens the history", () => {
    expect(buildHistory("S", [user("hi"), assistant("hello")])).toEqual([
      user("S"),
      assistant("I will follow these instructions."),
      user("hi"),
      assistant("hello"),
    ]);
  });

  test("a history ending with a user turn gets a synthetic OK", () => {
    expect(buildHistory(undefined, [user("a"), assistant("b"), user("c")])).toEqual([
      user("a"),
      assistant("b"),
      user("c"),
      assistant("OK"),
    ]);
  });

  test("a history starting with an assistant turn gets a synthetic (continue) before it", () => {
    expect(buildHistory(undefined, [assistant("I said this")])).toEqual([user("(continue)"), assistant("I said this")]);
    expect(buildHistory("S", [assistant("I said this")])).toEqual([
      user("S"),
      assistant("I will follow these instructions."),
      user("(continue)"),
      assistant("I said this"),
    ]);
  });

  test("no system and no earlier turns: no history", () => {
    expect(buildHistory(undefined, [])).toEqual([]);
  });

  test("whole requests come out alternating, user first, however the client ordered them", () => {
    const { conversationState } = convert({
      system: "S",
      messages: [
        { role: "assistant", content: "Welcome back." },
        { role: "user", content: "one" },
        { role: "user", content: "two" },
        { role: "user", content: "three" },
      ],
    });
    expect(
      conversationState.history?.map((m) =>
        "userInputMessage" in m ? m.userInputMessage.content : m.assistantResponseMessage.content,
      ),
    ).toEqual(["S", "I will follow these instructions.", "(continue)", "Welcome back."]);
    // A user turn sent in pieces stays one turn: no fake "OK" between its halves.
    expect(conversationState.currentMessage.userInputMessage.content).toBe("one\ntwo\nthree");
    expectWellFormed(conversationState);
  });

  test("system-role messages (current Claude Code) travel as user text in their place", () => {
    const { conversationState } = convert({
      messages: [
        { role: "user", content: "first question" },
        { role: "assistant", content: "first answer" },
        { role: "user", content: [{ type: "text", text: "<system-reminder>context</system-reminder>" }, { type: "text", text: "Say hello" }] },
        { role: "system", content: "Available agent types: …" },
      ] as never,
    });
    expect(conversationState.currentMessage.userInputMessage.content).toBe(
      "<system-reminder>context</system-reminder>\nSay hello\nAvailable agent types: …",
    );
    expect(conversationState.history?.map((m) => ("userInputMessage" in m ? m.userInputMessage.content : m.assistantResponseMessage.content))).toEqual([
      "first question",
      "first answer",
    ]);
    expectWellFormed(conversationState);
  });
});

describe("pairToolUses", () => {
  const ids = (turns: Turn[]) =>
    turns.map((t) =>
      t.role === "assistant" ? t.toolUses.map((u) => u.toolUseId) : t.toolResults.map((r) => r.toolUseId),
    );

  test("a tool use without a result is removed from history (kiro.rs PR #56)", () => {
    const paired = pairToolUses(
      [user("go"), assistant("", "t1", "t2"), results("t1"), assistant("done", "t3")],
      user("next"),
    );
    expect(ids(paired.history)).toEqual([[], ["t1"], ["t1"], []]);
  });

  test("a result whose tool use is unknown, or not in the turn just before, is dropped", () => {
    const paired = pairToolUses([user("go"), assistant("", "t1"), user("wait"), assistant("ok")], results("t1", "zz"));
    expect(ids(paired.history)).toEqual([[], [], [], []]);
    expect(paired.current.toolResults).toEqual([]);
  });

  test("a duplicated result is kept once and its tool use stays (ZyphrZero/kiro.rs #22)", () => {
    const paired = pairToolUses([user("go"), assistant("", "t1", "t2")], results("t1", "t2", "t1"));
    expect(ids(paired.history)).toEqual([[], ["t1", "t2"]]);
    expect(ids([paired.current])).toEqual([["t1", "t2"]]);
  });

  test("a result already given in history is not given again", () => {
    const paired = pairToolUses(
      [user("go"), assistant("", "t1"), results("t1"), assistant("", "t2")],
      results("t1", "t2"),
    );
    expect(ids(paired.history)).toEqual([[], ["t1"], ["t1"], ["t2"]]);
    expect(ids([paired.current])).toEqual([["t2"]]);
  });

  test("a tool-use id repeated in a later turn is dropped together with its second result", () => {
    const paired = pairToolUses(
      [user("go"), assistant("", "t1"), results("t1"), assistant("", "t1", "t2")],
      results("t1", "t2"),
    );
    expect(ids(paired.history)).toEqual([[], ["t1"], ["t1"], ["t2"]]);
    expect(ids([paired.current])).toEqual([["t2"]]);
  });

  test("the input turns are left untouched", () => {
    const history = [user("go"), assistant("", "t1")];
    pairToolUses(history, user("no results"));
    expect(ids(history)).toEqual([[], ["t1"]]);
  });

  test("a long multi-tool session with orphans and duplicates both ways comes out well formed", () => {
    const toolUse = (id: string, name = "Bash") => ({ type: "tool_use", id, name, input: { command: `echo ${id}` } });
    const toolResult = (id: string) => ({ type: "tool_result", tool_use_id: id, content: `out ${id}` });
    const { conversationState } = convert({
      tools: [{ name: "Bash", description: "Run a command", input_schema: { type: "object" } }],
      messages: [
        { role: "user", content: "start" },
        { role: "assistant", content: [toolUse("a"), toolUse("b")] },
        { role: "user", content: [toolResult("a"), toolResult("b"), toolResult("a")] },
        { role: "assistant", content: [toolUse("c")] },
        { role: "user", content: [{ type: "text", text: "[Request interrupted by user]" }] },
        { role: "assistant", content: [toolUse("d"), toolUse("b")] },
        { role: "user", content: [toolResult("d"), toolResult("b"), toolResult("ghost")] },
        { role: "assistant", content: [{ type: "text", text: "Next." }, toolUse("e")] },
        { role: "user", content: [toolResult("e"), toolResult("c")] },
      ],
    });
    expectWellFormed(conversationState);
    expect(resultsOf(conversationState.currentMessage)).toEqual(["e"]);
  });
});

/* ---- tools ---- */

describe("tools", () => {
  const tool = (name: string, extra: Record<string, unknown> = {}) =>
    ({ name, description: `${name} tool`, input_schema: { type: "object", properties: {} }, ...extra }) as ToolParam;
  const names = (specs: KiroToolSpecification[]) => specs.map((s) => s.toolSpecification.name);

  test("names over 63 characters: name[0:54] + '_' + sha256(name)[0:8] (the §4.7 vector)", () => {
    const long = `mcp__very_long_server_name__${"x".repeat(60)}`;
    expect(shortenToolName(long)).toBe("mcp__very_long_server_name__xxxxxxxxxxxxxxxxxxxxxxxxxx_f41f2a01");
    expect(shortenToolName(long).length).toBe(63);
    expect(shortenToolName("x".repeat(63))).toBe("x".repeat(63));
  });

  test("a long name is shortened the same way in tools and history, and mapped back", () => {
    const long = `mcp__very_long_server_name__${"x".repeat(60)}`;
    const short = "mcp__very_long_server_name__xxxxxxxxxxxxxxxxxxxxxxxxxx_f41f2a01";
    const converted = convert({
      tools: [tool(long)],
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: [{ type: "tool_use", id: "t1", name: long, input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "done" }] },
      ],
    });
    const state = converted.conversationState;
    expect(names(specsOf(state.currentMessage.userInputMessage.userInputMessageContext?.tools))).toEqual([short]);
    expect(usesOf(state.history?.[1])).toEqual(["t1"]);
    expect(
      (state.history?.[1] as { assistantResponseMessage: { toolUses: Array<{ name: string }> } })
        .assistantResponseMessage.toolUses[0]?.name,
    ).toBe(short);
    expect(converted.toolNames.get(short)).toBe(long);
  });

  test("descriptions are cut at 10,000 characters, not bytes (AIClient2API #118)", () => {
    const [spec] = mapTools([tool("Bash", { description: "é🙂".repeat(6_000) })], noRename);
    const description = spec?.toolSpecification.description ?? "";
    expect(Array.from(description).length).toBe(10_000);
    expect(description).toBe("é🙂".repeat(5_000));
    const [short] = mapTools([tool("Read", { description: "Reads a file." })], noRename);
    expect(short?.toolSpecification.description).toBe("Reads a file.");
  });

  test("server tools like web_search_20250305 are dropped, never a 400 (CLIProxyAPIPlus #72)", () => {
    const specs = mapTools(
      [
        { type: "web_search_20250305", name: "web_search", max_uses: 5 } as ToolParam,
        { type: "web_fetch_20250910", name: "web_fetch" } as ToolParam,
        tool("Read"),
        tool("Write", { type: "custom" }),
      ],
      noRename,
    );
    expect(names(specs)).toEqual(["Read", "Write"]);
    const { conversationState } = convert({
      tools: [{ type: "web_search_20250305", name: "web_search" } as ToolParam],
      messages: [{ role: "user", content: "search" }],
    });
    expect(conversationState.currentMessage.userInputMessage.userInputMessageContext).toEqual({});
  });

  test("a repeated tool name keeps its first definition", () => {
    const specs = mapTools([tool("Read", { description: "first" }), tool("Read", { description: "second" })], noRename);
    expect(specs.map((s) => s.toolSpecification.description)).toEqual(["first"]);
  });

  test("only name, description and schema are sent (no cache_control, defer_loading)", () => {
    const [spec] = mapTools([tool("Read", { cache_control: { type: "ephemeral" }, defer_loading: true })], noRename);
    expect(spec).toEqual({
      toolSpecification: {
        name: "Read",
        description: "Read tool",
        inputSchema: { json: { type: "object", properties: {}, required: [], additionalProperties: true } },
      },
    });
  });

  test("schemas are normalised so Kiro's validator accepts them", () => {
    const object = { type: "object", properties: {}, required: [], additionalProperties: true };
    expect(normaliseSchema(undefined)).toEqual(object);
    expect(normaliseSchema("nonsense")).toEqual(object);
    expect(normaliseSchema([1])).toEqual(object);
    expect(normaliseSchema({ properties: null, required: null, additionalProperties: "yes" })).toEqual(object);
    expect(normaliseSchema({ type: "", required: ["a", 7, null, "b"] })).toEqual({ ...object, required: ["a", "b"] });
    const rich = {
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties: { a: { type: "string" } },
      required: ["a"],
      additionalProperties: { type: "number" },
      $defs: { x: {} },
      description: "kept",
    };
    expect(normaliseSchema(rich)).toEqual(rich);
  });

  test("tools used in history but not declared are declared as placeholders (case-insensitive match)", () => {
    const history: Turn[] = [
      user("go"),
      {
        role: "assistant",
        content: " ",
        toolUses: [
          { toolUseId: "1", name: "Grep", input: {} },
          { toolUseId: "2", name: "read", input: {} },
        ],
      },
      results("1", "2"),
      { role: "assistant", content: " ", toolUses: [{ toolUseId: "3", name: "Grep", input: {} }] },
    ];
    const declared = mapTools([tool("Read")], noRename);
    expect(historyToolPlaceholders(history, declared)).toEqual([
      {
        toolSpecification: {
          name: "Grep",
          description: "Tool used in conversation history",
          inputSchema: {
            json: {
              $schema: "http://json-schema.org/draft-07/schema#",
              type: "object",
              properties: {},
              required: [],
              additionalProperties: true,
            },
          },
        },
      },
    ]);
  });

  test("history with tool use and no tools declared at all still declares them (TOOL_CONFIG_MISSING, CLIProxyAPI #3383)", () => {
    const { conversationState } = convert({
      tool_choice: { type: "none" },
      messages: [
        { role: "user", content: "list files" },
        { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "Bash", input: { command: "ls" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "a.txt" }] },
        { role: "assistant", content: "There is a.txt." },
        { role: "user", content: "Summarise our conversation." },
      ],
    });
    const tools = specsOf(conversationState.currentMessage.userInputMessage.userInputMessageContext?.tools);
    expect(names(tools)).toEqual(["Bash"]);
    expect(tools[0]?.toolSpecification.description).toBe("Tool used in conversation history");
    expectWellFormed(conversationState);
  });

  test("no placeholder for a tool use that was stripped as an orphan", () => {
    const { conversationState } = convert({
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "Bash", input: {} }] },
        { role: "user", content: "never mind" },
      ],
    });
    expect(conversationState.currentMessage.userInputMessage.userInputMessageContext).toEqual({});
    expect(conversationState.history?.[1]).toEqual({ assistantResponseMessage: { content: " " } });
  });
});

/* ---- conversation id ---- */

describe("sessionIdOf", () => {
  const id = "0b4445e1-f5be-49e1-87ce-62bbc28ad705";

  test("the older user_…_session_<uuid> format", () => {
    expect(sessionIdOf(`user_${"a".repeat(64)}_account__session_${id}`)).toBe(id);
  });

  test("the JSON format of current Claude Code", () => {
    expect(sessionIdOf(JSON.stringify({ device_id: "d".repeat(64), account_uuid: "", session_id: id }))).toBe(id);
  });

  test("anything else gives no session id", () => {
    expect(sessionIdOf(undefined)).toBeUndefined();
    expect(sessionIdOf(null)).toBeUndefined();
    expect(sessionIdOf("")).toBeUndefined();
    expect(sessionIdOf("alice@example.com")).toBeUndefined();
    expect(sessionIdOf("user_x_session_not-a-uuid-at-all-but-long-enough-to-cut")).toBeUndefined();
    expect(sessionIdOf(JSON.stringify({ session_id: "short" }))).toBeUndefined();
    expect(sessionIdOf("{not json")).toBeUndefined();
  });

  test("without a session id the conversation id is a random UUID", () => {
    const { conversationState } = convert({
      metadata: { user_id: "alice@example.com" },
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(conversationState.conversationId).toMatch(UUID_V4);
  });
});

describe("conversationJson", () => {
  const textOf = (content: string) => {
    const state = convert({ messages: [{ role: "user", content }] }).conversationState;
    return (JSON.parse(conversationJson(state).join("")) as KiroConversationState).currentMessage.userInputMessage.content;
  };

  test("the same JSON as JSON.stringify when every string is well formed", () => {
    const state = convert({ messages: [{ role: "user", content: 'emoji 😀, CJK 你好, a quote " and a backslash \\' }] }).conversationState;
    expect(conversationJson(state).join("")).toBe(JSON.stringify(state));
  });

  test("a lone surrogate, high or low, becomes U+FFFD; whole pairs stay", () => {
    expect(textOf("cut \ud83d here, and \ude00 there, 😀 kept")).toBe("cut \ufffd here, and \ufffd there, 😀 kept");
  });

  test("text that only looks like an escape (a literal backslash, then u d800) is left alone", () => {
    expect(textOf("C:\\ud800\\file and \\\\ud83d")).toBe("C:\\ud800\\file and \\\\ud83d");
    expect(textOf("\\\ud800")).toBe("\\\ufffd");
  });
});

describe("cache points (§4.3)", () => {
  // claude-sonnet-4.5: at most 4 cache points, each closing a prefix of at least 1,024 tokens (4,096 characters).
  const longText = (chars: number) => "x".repeat(chars);
  const cachedTool = (name: string, chars: number, cached = true): ToolParam =>
    ({ name, description: longText(chars), input_schema: { type: "object" }, ...(cached ? { cache_control: { type: "ephemeral" } } : {}) }) as ToolParam;
  const withCachePoints = (fields: RequestFields) => convertRequest(request(fields), { cachePoints: true });
  /** The tools list as names, a cache point written as "|". */
  const toolLine = (c: ReturnType<typeof convertRequest>) =>
    (c.conversationState.currentMessage.userInputMessage.userInputMessageContext?.tools ?? []).map((t) => ("cachePoint" in t ? "|" : t.toolSpecification.name)).join(" ");
  const cachedTurns = (c: ReturnType<typeof convertRequest>) =>
    (c.conversationState.history ?? []).map((m) => ("userInputMessage" in m ? m.userInputMessage.cachePoint : m.assistantResponseMessage.cachePoint) !== undefined);
  const hi: Message[] = [{ role: "user", content: "Hi" }];

  test("a marked tool gets its point only once the tools up to it are long enough", () => {
    const c = withCachePoints({ tools: [cachedTool("a", 2_000), cachedTool("b", 2_000), cachedTool("c", 100)], messages: hi });
    expect(toolLine(c)).toBe("a b | c |");
  });

  test("past the minimum every marked tool and message is worth a point, up to the catalog's four", () => {
    const tools = ["a", "b", "c", "d", "e", "f"].map((n) => cachedTool(n, 5_000));
    const c = withCachePoints({ tools, messages: hi });
    expect(toolLine(c)).toBe("a | b | c | d | e f");
    const some = withCachePoints({ tools: [cachedTool("a", 5_000), cachedTool("b", 10, false)], system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }], messages: [
      { role: "user", content: [{ type: "text", text: "One", cache_control: { type: "ephemeral" } }] },
      { role: "assistant", content: "Two" },
      { role: "user", content: "Three" },
    ] });
    expect(toolLine(some)).toBe("a | b");
    // The opening turn carrying the system prompt, then the marked user turn; the acknowledgement and the answer not.
    expect(cachedTurns(some)).toEqual([true, false, true, false]);
  });

  test("the history's prefix counts too: a short start earns no point, a long one does", () => {
    const marked = (text: string) => [{ type: "text", text, cache_control: { type: "ephemeral" } }];
    const short = withCachePoints({ system: marked("Be brief."), messages: [{ role: "user", content: marked("One") }, { role: "assistant", content: "Two" }, { role: "user", content: "Three" }] });
    expect(cachedTurns(short)).toEqual([false, false, false, false]);
    const long = withCachePoints({ system: marked(longText(3_000)), messages: [{ role: "user", content: marked(longText(2_000)) }, { role: "assistant", content: "Two" }, { role: "user", content: "Three" }] });
    expect(cachedTurns(long)).toEqual([false, false, true, false]);
  });
});
