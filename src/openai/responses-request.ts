/**
 * A Responses request as the Anthropic Messages request the shared path takes. `instructions` and leading system or
 * developer messages become the system prompt; input items become turns — consecutive items of one side (a
 * reasoning item, the assistant's text and its tool calls; tool outputs and the user's next words) share one
 * message, as the Anthropic API has them. Nothing is stored (store: false semantics): a `previous_response_id` or
 * an `item_reference` is refused, since the conversation must come whole.
 */
import type { MessageParam, MessagesRequest } from "../anthropic/schemas";
import { invalidRequest } from "../errors";
import { keepFromFtl } from "../jit";
import { applyToolChoice, jsonAnswer } from "./choice";
import { COMPACTION_REQUEST, openSummary, summaryText } from "./compaction";
import { type Block, contentBlocks, contentText } from "./content";
import { reasoningFields } from "./effort";
import { Origins } from "./origins";
import { openRedacted } from "./reasoning-blob";
import { conversationMetadata, DEFAULT_MAX_TOKENS, joinSystem } from "./request-common";
import type { ResponsesRequest } from "./schemas";
import { freeformInput, parseArguments, ToolSet } from "./tools";

export interface ResponsesConversion {
  request: MessagesRequest;
  tools: ToolSet;
  /** Codex asked for a compaction: the reply is one compaction item. */
  compaction: boolean;
  /** The field the client gives the output budget in, for errors about it. */
  budgetField: "max_output_tokens";
  /** Each block's field in the client's request. */
  origins: Origins;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export function responsesToMessages(req: ResponsesRequest): ResponsesConversion {
  if (req.previous_response_id) {
    throw invalidRequest(`previous_response_id: kiro-ts keeps no responses (store: false); send the whole conversation in input`);
  }
  const tools = new ToolSet();
  const declared = req.tools ?? [];
  for (let i = 0; i < declared.length; i++) tools.declare(declared[i]!, `tools[${i}]`);
  const conversation = new Conversation();
  if (typeof req.instructions === "string") conversation.system.push(req.instructions);
  let compaction = false;

  const items = typeof req.input === "string" ? [{ role: "user", content: req.input }] : (req.input ?? []);
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as Json;
    const at = `input[${i}]`;
    const type = item.type ?? (item.role !== undefined ? "message" : undefined);
    switch (type) {
      case "message":
        conversation.message(item, at);
        break;
      case "function_call":
        conversation.add("assistant", [toolUse(item, at, parseArguments(item.arguments, `${at}.arguments`), conversation.origins)]);
        break;
      case "custom_tool_call":
        conversation.add("assistant", [toolUse(item, at, freeformInput(item.input), conversation.origins)]);
        break;
      case "function_call_output":
      case "custom_tool_call_output":
        if (typeof item.call_id !== "string" || item.call_id === "") throw invalidRequest(`${at}.call_id: a tool output needs the call_id of its call`);
        conversation.add("user", [conversation.origins.mark({ type: "tool_result", tool_use_id: item.call_id, content: contentText(item.output, `${at}.output`) }, at)]);
        break;
      case "reasoning":
        conversation.add("assistant", [conversation.origins.mark(reasoningBlock(item), at)]);
        break;
      case "compaction":
        conversation.add("user", [conversation.origins.mark({ type: "text", text: summaryText(openSummary(item.encrypted_content, at)) }, at)]);
        break;
      case "compaction_trigger":
        compaction = true;
        break;
      case "additional_tools":
        if (!Array.isArray(item.tools)) throw invalidRequest(`${at}.tools: additional_tools needs an array of tools`);
        item.tools.forEach((tool, k) => {
          if (!isObject(tool)) throw invalidRequest(`${at}.tools[${k}]: a tool must be an object`);
          tools.declare(tool, `${at}.tools[${k}]`);
        });
        break;
      case "item_reference":
        throw invalidRequest(`${at}: kiro-ts keeps no items (store: false); send the item itself instead of a reference`);
      default:
        // Calls of OpenAI's hosted tools and their results, Codex's own bookkeeping, item types added since: nothing
        // Kiro can take, left out as the Anthropic front leaves out server-tool blocks.
        break;
    }
  }

  let choice: string | undefined;
  let answer: ReturnType<typeof jsonAnswer> = {};
  if (compaction) {
    // The summary is written in words: no tool is offered (the history's own calls are declared by the converter).
    tools.keepOnly(() => false);
    conversation.add("user", [{ type: "text", text: COMPACTION_REQUEST }]);
  } else {
    choice = applyToolChoice(req.tool_choice, tools, "tool_choice");
    answer = jsonAnswer(req.text?.format, "text.format");
    if (answer.tool) tools.tools.push(answer.tool);
  }

  const request: MessagesRequest = {
    model: req.model,
    max_tokens: req.max_output_tokens ?? DEFAULT_MAX_TOKENS,
    messages: conversation.messages as MessageParam[],
    stream: req.stream === true,
    ...reasoningFields(req.reasoning?.effort, "reasoning.effort"),
    ...conversationMetadata(req.prompt_cache_key),
  };
  const system = joinSystem(conversation.system, [choice, answer.instruction]);
  if (system !== undefined) request.system = system;
  if (tools.tools.length > 0) request.tools = tools.tools;
  return { request, tools, compaction, budgetField: "max_output_tokens", origins: conversation.origins };
}

/** The turns being built: blocks of one side gather in one message until the other side speaks. */
class Conversation {
  readonly system: string[] = [];
  readonly messages: { role: MessageParam["role"]; content: string | Block[] }[] = [];
  readonly origins = new Origins();

  /** `blocks` join the last message when it is `side`'s; else they become the next message (the array itself). */
  add(side: "user" | "assistant", blocks: Block[]): void {
    const last = this.messages.at(-1);
    if (last?.role === side && typeof last.content !== "string") for (const block of blocks) last.content.push(block);
    else this.messages.push({ role: side, content: blocks });
  }

  message(item: Json, at: string): void {
    switch (item.role) {
      case "system":
      case "developer": {
        const text = contentText(item.content, `${at}.content`);
        if (this.messages.length === 0) this.system.push(text);
        else this.messages.push({ role: "system", content: text });
        return;
      }
      case "user":
        this.add("user", contentBlocks(item.content, `${at}.content`, this.origins));
        return;
      case "assistant":
        this.add("assistant", contentBlocks(item.content, `${at}.content`, this.origins).filter((b) => b.type === "text"));
        return;
      default:
        throw invalidRequest(`${at}.role: ${JSON.stringify(String(item.role).slice(0, 40))} is not a role (user, assistant, system, developer)`);
    }
  }
}

function toolUse(item: Json, at: string, input: Record<string, unknown>, origins: Origins): Block {
  if (typeof item.call_id !== "string" || item.call_id === "") throw invalidRequest(`${at}.call_id: a tool call needs a call_id`);
  if (typeof item.name !== "string" || item.name === "") throw invalidRequest(`${at}.name: a tool call needs the tool's name`);
  const namespace = typeof item.namespace === "string" && item.namespace !== "" ? item.namespace : undefined;
  return origins.mark({ type: "tool_use", id: item.call_id, name: ToolSet.wireName(item.name, namespace), input }, at);
}

/**
 * A reasoning item as the block it was made from: GPT's redacted reasoning as the redacted block Kiro replays as
 * `redactedContent`; Claude's as thinking, its summary text signed by the encrypted content.
 */
function reasoningBlock(item: Json): Block {
  const redacted = openRedacted(item.encrypted_content);
  if (redacted !== undefined) return { type: "redacted_thinking", data: redacted };
  // The summary is what was shown; the full text, when a client has it, is the same thought at length.
  const summary = Array.isArray(item.summary) ? item.summary : [];
  const parts = summary.length > 0 ? summary : Array.isArray(item.content) ? item.content : [];
  const thinking = parts
    .map((p) => (isObject(p) && typeof p.text === "string" ? p.text : ""))
    .filter((t) => t !== "")
    .join("\n\n");
  return { type: "thinking", thinking, signature: typeof item.encrypted_content === "string" ? item.encrypted_content : "" };
}

// The conversion walks the whole request: kept at the DFG tier as the Chat Completions front's is (src/jit.ts).
for (const walker of [responsesToMessages, toolUse, Conversation.prototype.add, Conversation.prototype.message]) keepFromFtl(walker);
