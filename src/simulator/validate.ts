/**
 * The request rules real Kiro enforces on generateAssistantResponse (kiro-protocol.md §3, user-demand.md §3a).
 * A request first has to have the wire shape of §3.1 (else "Improperly formed request." without a reason);
 * then each rule below is checked in order and the first one broken is reported with the reason Kiro gives.
 */

export interface Violation {
  /** Which rule was broken (for test diagnostics; Kiro itself only says `reason`). */
  rule: string;
  /** The `reason` of Kiro's 400 body; null where Kiro gives none. */
  reason: string | null;
  detail: string;
}

export const KNOWN_MODEL_IDS: readonly string[] = [
  "auto",
  "claude-sonnet-4",
  "claude-sonnet-4.5",
  "claude-sonnet-4.6",
  "claude-haiku-4.5",
  "claude-opus-4.5",
  "claude-opus-4.6",
  "claude-opus-4.7",
  "deepseek-3.2",
  "glm-5",
  "minimax-m2.1",
  "minimax-m2.5",
  "qwen3-coder-next",
];

/** The `origin` values of the official model (QCLI `Origin`). */
export const KNOWN_ORIGINS: readonly string[] = [
  "AI_EDITOR", "CHATBOT", "CLI", "CONSOLE", "DOCUMENTATION", "GITLAB", "IDE", "INLINE_CHAT", "KIRO_CLI",
  "KIRO_CONSOLE", "KIRO_WEB", "MARKETING", "MD", "MD_CE", "MD_IDE", "MOBILE", "OPENSEARCH_DASHBOARD",
  "Q_DEV_BEXT", "SAGE_MAKER", "SERVICE_INTERNAL", "SM_AI_STUDIO_IDE", "UNIFIED_SEARCH", "UNKNOWN",
];

const IMAGE_FORMATS = ["png", "jpeg", "gif", "webp"];
const CHAT_TRIGGER_TYPES = ["MANUAL", "DIAGNOSTIC", "INLINE_CHAT"];
const AGENT_TASK_TYPES = ["vibe", "spectask"];
const MAX_TOOL_NAME = 64;
const MAX_TOOL_DESCRIPTION = 10_240;

// ---- the request as read from the wire ----------------------------------------------------------

export interface ToolSpec {
  name: string;
  description: string;
  schema: unknown;
}
export interface ToolUse {
  toolUseId: string;
  name: string;
  input: unknown;
}
export interface ToolResult {
  toolUseId: string;
}
export interface Image {
  format: string;
  bytes: string;
}
export interface UserTurn {
  role: "user";
  where: string;
  content: string;
  modelId: unknown;
  origin: unknown;
  images: Image[];
  /** undefined when the message declares no `tools` member at all. */
  tools: ToolSpec[] | undefined;
  toolResults: ToolResult[];
}
export interface AssistantTurn {
  role: "assistant";
  where: string;
  content: string;
  toolUses: ToolUse[];
}
export type Turn = UserTurn | AssistantTurn;

export interface Conversation {
  conversationId: unknown;
  chatTriggerType: unknown;
  agentTaskType: unknown;
  history: Turn[];
  current: UserTurn;
}

// ---- the rules ----------------------------------------------------------------------------------

export interface RequestRule {
  name: string;
  reason: string | null;
  /** A description of the first breach, or null when the conversation keeps the rule; `models` are Kiro's ids. */
  check(c: Conversation, models: readonly string[]): string | null;
}

export const requestRules: readonly RequestRule[] = [
  {
    name: "known-model",
    reason: "INVALID_MODEL_ID",
    check: (c, models) =>
      first(userTurns(c), (t) =>
        t === c.current || t.modelId !== undefined
          ? models.includes(t.modelId as string) ? null : `${t.where}.modelId ${JSON.stringify(t.modelId)} is not a Kiro model`
          : null,
      ),
  },
  {
    name: "known-origin",
    reason: null,
    check: (c) =>
      first(userTurns(c), (t) =>
        t === c.current || t.origin !== undefined
          ? KNOWN_ORIGINS.includes(t.origin as string) ? null : `${t.where}.origin ${JSON.stringify(t.origin)} is not an origin`
          : null,
      ),
  },
  {
    name: "conversation-enums",
    reason: null,
    check: (c) =>
      c.chatTriggerType !== undefined && !CHAT_TRIGGER_TYPES.includes(c.chatTriggerType as string)
        ? `chatTriggerType ${JSON.stringify(c.chatTriggerType)} is not one of ${CHAT_TRIGGER_TYPES.join(", ")}`
        : c.agentTaskType !== undefined && !AGENT_TASK_TYPES.includes(c.agentTaskType as string)
          ? `agentTaskType ${JSON.stringify(c.agentTaskType)} is not one of ${AGENT_TASK_TYPES.join(", ")}`
          : null,
  },
  {
    name: "conversation-id",
    reason: "INVALID_CONVERSATION_ID",
    check: (c) =>
      c.conversationId === undefined || (typeof c.conversationId === "string" && c.conversationId.length > 0)
        ? null
        : "conversationId must be a non-empty string",
  },
  {
    name: "history-alternates",
    reason: null,
    check: (c) => {
      if (c.history.length % 2 !== 0) return "history must end with an assistant turn";
      return first(c.history, (t, i) =>
        t.role === (i % 2 === 0 ? "user" : "assistant") ? null : `${t.where} must be a ${i % 2 === 0 ? "user" : "assistant"} turn`,
      );
    },
  },
  {
    name: "assistant-content-not-empty",
    reason: null,
    check: (c) => first(assistantTurns(c), (t) => (t.content.length > 0 ? null : `${t.where}.content is empty`)),
  },
  {
    name: "tools-only-in-current-message",
    reason: null,
    check: (c) => first(c.history, (t) => (t.role === "user" && t.tools !== undefined ? `${t.where} declares tools` : null)),
  },
  {
    name: "tool-name-length",
    reason: null,
    check: (c) =>
      first(c.current.tools ?? [], (t) =>
        t.name.length >= 1 && t.name.length <= MAX_TOOL_NAME ? null : `tool name "${t.name}" is not 1..${MAX_TOOL_NAME} characters`,
      ),
  },
  {
    name: "tool-names-unique",
    reason: "TOOL_DUPLICATE",
    check: (c) => {
      const seen = new Set<string>();
      return first(c.current.tools ?? [], (t) => (seen.has(t.name) ? `tool "${t.name}" is declared twice` : (seen.add(t.name), null)));
    },
  },
  {
    name: "tool-description-length",
    reason: null,
    check: (c) =>
      first(c.current.tools ?? [], (t) =>
        [...t.description].length <= MAX_TOOL_DESCRIPTION
          ? null
          : `description of "${t.name}" is longer than ${MAX_TOOL_DESCRIPTION} characters`,
      ),
  },
  {
    name: "tool-schema",
    reason: "TOOL_SCHEMA_INVALID",
    check: (c) => first(c.current.tools ?? [], (t) => schemaProblem(t.schema, t.name)),
  },
  {
    name: "history-tools-need-config",
    reason: "TOOL_CONFIG_MISSING",
    check: (c) =>
      assistantTurns(c).some((t) => t.toolUses.length > 0) && (c.current.tools ?? []).length === 0
        ? "history has tool uses but the current message declares no tools"
        : null,
  },
  {
    name: "history-tools-declared",
    reason: "TOOL_CONFIG_MISSING",
    check: (c) => {
      const declared = new Set((c.current.tools ?? []).map((t) => t.name));
      return first(assistantTurns(c), (t) =>
        first(t.toolUses, (u) => (declared.has(u.name) ? null : `${t.where} uses tool "${u.name}" that is not declared`)),
      );
    },
  },
  {
    name: "tool-input-object",
    reason: null,
    check: (c) =>
      first(assistantTurns(c), (t) =>
        first(t.toolUses, (u) =>
          !isObject(u.input)
            ? `${t.where}: input of ${u.toolUseId} is not a JSON object`
            : Object.keys(u.input).includes("")
              ? `${t.where}: input of ${u.toolUseId} has an empty key`
              : null,
        ),
      ),
  },
  {
    name: "tool-uses-answered",
    reason: "TOOL_USE_RESULT_MISMATCH",
    check: (c) => {
      const seen = new Set<string>();
      return first(c.history, (t, i) => {
        if (t.role !== "assistant") return null;
        const next = c.history[i + 1] ?? c.current;
        const answered = new Set(next.role === "user" ? next.toolResults.map((r) => r.toolUseId) : []);
        return first(t.toolUses, (u) => {
          if (seen.has(u.toolUseId)) return `tool use ${u.toolUseId} appears twice`;
          seen.add(u.toolUseId);
          return answered.has(u.toolUseId) ? null : `tool use ${u.toolUseId} in ${t.where} has no result in ${next.where}`;
        });
      });
    },
  },
  {
    name: "tool-results-match-uses",
    reason: "TOOL_USE_RESULT_MISMATCH",
    check: (c) => {
      const turns = [...c.history, c.current];
      return first(turns, (t, i) => {
        if (t.role !== "user") return null;
        const previous = turns[i - 1];
        const uses = new Set(previous?.role === "assistant" ? previous.toolUses.map((u) => u.toolUseId) : []);
        const seen = new Set<string>();
        return first(t.toolResults, (r) => {
          if (seen.has(r.toolUseId)) return `${t.where} answers ${r.toolUseId} twice`;
          seen.add(r.toolUseId);
          return uses.has(r.toolUseId) ? null : `${t.where} has a result for ${r.toolUseId}, which the turn before did not use`;
        });
      });
    },
  },
  {
    name: "image-format",
    reason: "IMAGE_FORMAT_UNSUPPORTED",
    check: (c) =>
      first(userTurns(c), (t) =>
        first(t.images, (img) => (IMAGE_FORMATS.includes(img.format) ? null : `${t.where}: image format "${img.format}"`)),
      ),
  },
  {
    name: "image-bytes",
    reason: null,
    check: (c) =>
      first(userTurns(c), (t) =>
        first(t.images, (img) => (isBase64(img.bytes) ? null : `${t.where}: image bytes are not base64`)),
      ),
  },
];

/** The first rule the request breaks, or null when real Kiro would accept it (serving `models`). */
export function validateRequest(body: unknown, models: readonly string[] = KNOWN_MODEL_IDS): Violation | null {
  const read = readConversation(body);
  if ("rule" in read) return read;
  for (const rule of requestRules) {
    const detail = rule.check(read, models);
    if (detail !== null) return { rule: rule.name, reason: rule.reason, detail };
  }
  return null;
}

// ---- reading the wire shape (§3.1) --------------------------------------------------------------

class ShapeError extends Error {}

function shape(condition: boolean, detail: string): asserts condition {
  if (!condition) throw new ShapeError(detail);
}

export function readConversation(body: unknown): Conversation | Violation {
  try {
    shape(isObject(body), "the body is not a JSON object");
    shape(body.profileArn === undefined || typeof body.profileArn === "string", "profileArn is not a string");
    const state = body.conversationState;
    shape(isObject(state), "conversationState is missing");
    shape(isObject(state.currentMessage), "conversationState.currentMessage is missing");
    shape(isObject(state.currentMessage.userInputMessage), "currentMessage.userInputMessage is missing");
    const history = state.history ?? [];
    shape(Array.isArray(history), "history is not an array");
    return {
      conversationId: state.conversationId,
      chatTriggerType: state.chatTriggerType,
      agentTaskType: state.agentTaskType,
      history: history.map((entry, i) => readTurn(entry, `history[${i}]`)),
      current: readUser(state.currentMessage.userInputMessage, "currentMessage"),
    };
  } catch (e) {
    if (e instanceof ShapeError) return { rule: "wire-shape", reason: null, detail: e.message };
    throw e;
  }
}

function readTurn(entry: unknown, where: string): Turn {
  shape(isObject(entry), `${where} is not an object`);
  const user = entry.userInputMessage;
  const assistant = entry.assistantResponseMessage;
  shape((user === undefined) !== (assistant === undefined), `${where} must hold exactly one of userInputMessage, assistantResponseMessage`);
  return user !== undefined ? readUser(user, where) : readAssistant(assistant, where);
}

function readUser(m: unknown, where: string): UserTurn {
  shape(isObject(m), `${where}.userInputMessage is not an object`);
  shape(typeof m.content === "string", `${where}.content is not a string`);
  const images = m.images ?? [];
  shape(Array.isArray(images), `${where}.images is not an array`);
  const context = m.userInputMessageContext ?? {};
  shape(isObject(context), `${where}.userInputMessageContext is not an object`);
  const results = context.toolResults ?? [];
  shape(Array.isArray(results), `${where}.toolResults is not an array`);
  const tools = context.tools;
  shape(tools === undefined || Array.isArray(tools), `${where}.tools is not an array`);
  return {
    role: "user",
    where,
    content: m.content,
    modelId: m.modelId,
    origin: m.origin,
    images: images.map((img, i) => readImage(img, `${where}.images[${i}]`)),
    // A cachePoint entry marks a cache checkpoint among the tools (kiro-protocol-2026.md §4.3); it declares no tool.
    tools: tools?.flatMap((t, i) => (isCachePoint(t) ? [] : [readTool(t, `${where}.tools[${i}]`)])),
    toolResults: results.map((r, i) => readToolResult(r, `${where}.toolResults[${i}]`)),
  };
}

function readAssistant(m: unknown, where: string): AssistantTurn {
  shape(isObject(m), `${where}.assistantResponseMessage is not an object`);
  shape(typeof m.content === "string", `${where}.content is not a string`);
  const uses = m.toolUses ?? [];
  shape(Array.isArray(uses), `${where}.toolUses is not an array`);
  return {
    role: "assistant",
    where,
    content: m.content,
    toolUses: uses.map((u, i) => {
      shape(isObject(u), `${where}.toolUses[${i}] is not an object`);
      shape(typeof u.toolUseId === "string" && typeof u.name === "string", `${where}.toolUses[${i}] needs toolUseId and name`);
      shape(u.input !== undefined, `${where}.toolUses[${i}].input is missing`);
      return { toolUseId: u.toolUseId, name: u.name, input: u.input };
    }),
  };
}

function isCachePoint(t: unknown): boolean {
  return isObject(t) && isObject(t.cachePoint) && Object.keys(t).length === 1;
}

function readTool(t: unknown, where: string): ToolSpec {
  shape(isObject(t) && isObject(t.toolSpecification), `${where}.toolSpecification is missing`);
  const spec = t.toolSpecification;
  shape(typeof spec.name === "string", `${where}.name is not a string`);
  shape(typeof spec.description === "string", `${where}.description is not a string`);
  shape(isObject(spec.inputSchema) && "json" in spec.inputSchema, `${where}.inputSchema.json is missing`);
  return { name: spec.name, description: spec.description, schema: spec.inputSchema.json };
}

function readToolResult(r: unknown, where: string): ToolResult {
  shape(isObject(r), `${where} is not an object`);
  shape(typeof r.toolUseId === "string", `${where}.toolUseId is not a string`);
  shape(Array.isArray(r.content), `${where}.content is not an array`);
  // An image in a tool result is accepted and silently dropped (kiro-protocol-2026.md §9): only message images count.
  r.content.forEach((block, i) =>
    shape(isObject(block) && (typeof block.text === "string" || "json" in block || isObject(block.image)), `${where}.content[${i}] needs text, json or image`),
  );
  shape(r.status === undefined || r.status === "success" || r.status === "error", `${where}.status is not success|error`);
  return { toolUseId: r.toolUseId };
}

function readImage(img: unknown, where: string): Image {
  shape(isObject(img) && typeof img.format === "string", `${where}.format is not a string`);
  shape(isObject(img.source) && typeof img.source.bytes === "string", `${where}.source.bytes is not a string`);
  return { format: img.format, bytes: img.source.bytes };
}

// ---- helpers ------------------------------------------------------------------------------------

function schemaProblem(schema: unknown, tool: string): string | null {
  if (!isObject(schema)) return `inputSchema.json of "${tool}" is not an object`;
  if (typeof schema.type !== "string" || schema.type === "") return `inputSchema.json of "${tool}" has no type`;
  if (schema.properties !== undefined && !isObject(schema.properties)) return `properties of "${tool}" is not an object`;
  if (schema.required !== undefined && !(Array.isArray(schema.required) && schema.required.every((r) => typeof r === "string"))) {
    return `required of "${tool}" is not a list of strings`;
  }
  return null;
}

function userTurns(c: Conversation): UserTurn[] {
  return [...c.history.filter((t): t is UserTurn => t.role === "user"), c.current];
}

function assistantTurns(c: Conversation): AssistantTurn[] {
  return c.history.filter((t): t is AssistantTurn => t.role === "assistant");
}

function first<T>(items: readonly T[], problem: (item: T, index: number) => string | null): string | null {
  for (let i = 0; i < items.length; i++) {
    const p = problem(items[i] as T, i);
    if (p !== null) return p;
  }
  return null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isBase64(s: string): boolean {
  return s.length > 0 && s.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(s);
}
