/**
 * A Chat Completions request as the Anthropic Messages request the shared path takes: leading `system` and
 * `developer` messages become the system prompt (later ones stay in the flow, as the converter treats them),
 * assistant `tool_calls` become tool uses, `tool` messages tool results, images data-URL blocks; the tool choice
 * and a JSON answer become tools and instructions (choice.ts); the effort becomes thinking (effort.ts).
 */
import type { MessageParam, MessagesRequest } from "../anthropic/schemas";
import { invalidRequest } from "../errors";
import { keepFromFtl } from "../jit";
import { applyToolChoice, jsonAnswer } from "./choice";
import { type Block, contentBlocks, contentText } from "./content";
import { reasoningFields } from "./effort";
import { Origins } from "./origins";
import { conversationMetadata, DEFAULT_MAX_TOKENS, joinSystem } from "./request-common";
import type { ChatCompletionsRequest } from "./schemas";
import { parseArguments, ToolSet } from "./tools";

export interface ChatConversion {
  request: MessagesRequest;
  tools: ToolSet;
  /** Text at which the answer is cut (the request's `stop`). */
  stop: string[];
  /** The field the client gave the output budget in, for errors about it. */
  budgetField: "max_completion_tokens" | "max_tokens";
  /** Each block's field in the client's request. */
  origins: Origins;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export function chatToMessages(req: ChatCompletionsRequest): ChatConversion {
  if (req.n !== undefined && req.n !== null && req.n !== 1) throw invalidRequest(`n: only one choice is answered; send n: 1 or leave it out`);
  const tools = new ToolSet();
  const declared = req.tools ?? [];
  for (let i = 0; i < declared.length; i++) {
    const tool = declared[i]!;
    // Freeform tools and namespaces are Responses features; Chat Completions clients declare functions.
    if (tool.type !== "function") throw invalidRequest(`tools[${i}].type: Chat Completions takes function tools here; custom tools are served on /v1/responses`);
    tools.declare(tool, `tools[${i}]`);
  }
  const choice = applyToolChoice(req.tool_choice, tools, "tool_choice");
  const answer = jsonAnswer(req.response_format, "response_format");
  const origins = new Origins();

  const system: string[] = [];
  const messages: { role: MessageParam["role"]; content: string | Block[] }[] = [];
  for (let i = 0; i < req.messages.length; i++) {
    const m = req.messages[i] as Json;
    const at = `messages[${i}]`;
    switch (m.role) {
      case "system":
      case "developer": {
        const text = contentText(m.content, `${at}.content`);
        if (messages.length === 0) system.push(text);
        else messages.push({ role: "system", content: text });
        break;
      }
      case "user":
        messages.push({ role: "user", content: contentBlocks(m.content, `${at}.content`, origins) });
        break;
      case "assistant":
        messages.push({ role: "assistant", content: assistantBlocks(m, at, origins) });
        break;
      case "tool":
        if (typeof m.tool_call_id !== "string" || m.tool_call_id === "") throw invalidRequest(`${at}.tool_call_id: a tool message needs the id of the call it answers`);
        messages.push({ role: "user", content: [origins.mark({ type: "tool_result", tool_use_id: m.tool_call_id, content: contentText(m.content, `${at}.content`) }, at)] });
        break;
      case "function":
        throw invalidRequest(`${at}.role: "function" messages are deprecated; send role "tool" with the tool_call_id`);
      default:
        throw invalidRequest(`${at}.role: ${JSON.stringify(String(m.role).slice(0, 40))} is not a role (system, developer, user, assistant, tool)`);
    }
  }

  if (answer.tool) tools.tools.push(answer.tool);
  const stop = typeof req.stop === "string" ? [req.stop] : (req.stop ?? []);
  if (stop.some((s) => s === "")) throw invalidRequest("stop: a stop sequence cannot be empty");
  const request: MessagesRequest = {
    model: req.model,
    max_tokens: req.max_completion_tokens ?? req.max_tokens ?? DEFAULT_MAX_TOKENS,
    messages: messages as MessageParam[],
    stream: req.stream === true,
    ...reasoningFields(req.reasoning_effort, "reasoning_effort"),
    ...conversationMetadata(req.prompt_cache_key),
  };
  const systemText = joinSystem(system, [choice, answer.instruction]);
  if (systemText !== undefined) request.system = systemText;
  if (tools.tools.length > 0) request.tools = tools.tools;
  return { request, tools, stop, budgetField: req.max_completion_tokens != null ? "max_completion_tokens" : "max_tokens", origins };
}

/** An assistant message: its reasoning (sent back by some clients), text, and tool calls. */
function assistantBlocks(m: Json, at: string, origins: Origins): Block[] {
  const blocks: Block[] = [];
  // Only the text comes back: Chat Completions has no field for a signature or GPT's encrypted reasoning.
  if (typeof m.reasoning_content === "string" && m.reasoning_content !== "") blocks.push(origins.mark({ type: "thinking", thinking: m.reasoning_content }, `${at}.reasoning_content`));
  for (const block of contentBlocks(m.content, `${at}.content`, origins)) if (block.type === "text") blocks.push(block);
  const calls = m.tool_calls;
  if (calls === undefined || calls === null) return blocks;
  if (!Array.isArray(calls)) throw invalidRequest(`${at}.tool_calls: must be an array`);
  for (let k = 0; k < calls.length; k++) {
    const call: unknown = calls[k];
    const field = `${at}.tool_calls[${k}]`;
    if (!isObject(call) || typeof call.id !== "string" || call.id === "") throw invalidRequest(`${field}.id: a tool call needs an id`);
    const spec = isObject(call.function) ? call.function : undefined;
    if (spec === undefined || typeof spec.name !== "string" || spec.name === "") throw invalidRequest(`${field}.function.name: a tool call needs the tool's name`);
    blocks.push(origins.mark({ type: "tool_use", id: call.id, name: spec.name, input: parseArguments(spec.arguments, `${field}.function.arguments`) }, field));
  }
  return blocks;
}

// The conversion walks the whole request: kept at the DFG tier with the shared converter's walkers (src/jit.ts).
for (const walker of [chatToMessages, assistantBlocks]) keepFromFtl(walker);
