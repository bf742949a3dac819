/**
 * What a request asks of the reply's form beyond its content: the tool choice, and a JSON answer. Kiro has no tool
 * choice and no structured output, so both become the tools offered plus a sentence of instruction in the system
 * prompt; a JSON schema answer is the input of a tool made from the schema, which the writers render as the
 * answer's text (never as a tool call).
 */
import type { ToolParam } from "../anthropic/schemas";
import { invalidRequest } from "../errors";
import type { DeclaredTool, ToolSet } from "./tools";

/** The tool whose input is a JSON schema answer; its calls are rendered as text. */
export const JSON_ANSWER_TOOL = "respond_with_json";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Applies a tool choice to the declared tools; returns the instruction it needs, if any. `field` names it in errors. */
export function applyToolChoice(choice: unknown, tools: ToolSet, field: string): string | undefined {
  if (choice === undefined || choice === null || choice === "auto") return undefined;
  if (choice === "none") {
    tools.keepOnly(() => false);
    return undefined;
  }
  if (choice === "required") return "In this reply, call one or more of the tools provided rather than answering in text.";
  if (!isObject(choice)) throw invalidRequest(`${field}: ${JSON.stringify(String(choice).slice(0, 40))} is not a tool choice (auto, none, required, or a named tool)`);
  if (choice.type === "allowed_tools") {
    const allowed = isObject(choice.allowed_tools) ? choice.allowed_tools : choice;
    if (!Array.isArray(allowed.tools)) throw invalidRequest(`${field}.tools: allowed_tools needs an array of tools`);
    const names = allowed.tools.map((t, k) => namedTool(t, `${field}.tools[${k}]`));
    tools.keepOnly((t) => names.some((n) => matches(t, n)));
    return allowed.mode === "required" ? applyToolChoice("required", tools, field) : undefined;
  }
  const name = namedTool(choice, field);
  tools.keepOnly((t) => matches(t, name));
  return `In this reply, call the tool ${name.namespace ? `${name.name} of ${name.namespace}` : name.name}.`;
}

interface ToolName {
  name: string;
  namespace?: string;
}

/** A named tool in either API's shape: `{type, function: {name}}` (Chat Completions) or `{type, name}` (Responses). */
function namedTool(choice: unknown, field: string): ToolName {
  if (!isObject(choice) || (choice.type !== "function" && choice.type !== "custom")) {
    throw invalidRequest(`${field}: a named tool choice needs type "function" or "custom" and the tool's name`);
  }
  const spec = isObject(choice[choice.type]) ? (choice[choice.type] as Json) : choice;
  if (typeof spec.name !== "string" || spec.name === "") throw invalidRequest(`${field}.name: the chosen tool needs a name`);
  return { name: spec.name, ...(typeof choice.namespace === "string" ? { namespace: choice.namespace } : {}) };
}

const matches = (tool: DeclaredTool, chosen: ToolName) => tool.name === chosen.name && (chosen.namespace === undefined || tool.namespace === chosen.namespace);

export interface JsonAnswer {
  tool?: ToolParam;
  instruction?: string;
}

/**
 * A JSON answer, as `response_format` (Chat Completions) or `text.format` (Responses) asks for it. `field` names the
 * format in errors; a format that is neither text nor JSON is refused, never ignored.
 */
export function jsonAnswer(format: unknown, field: string): JsonAnswer {
  if (format === undefined || format === null) return {};
  if (!isObject(format)) throw invalidRequest(`${field}: the format must be an object with a "type"`);
  switch (format.type) {
    case "text":
      return {};
    case "json_object":
      return { instruction: "Answer with one JSON object and nothing else: no prose before or after it, no code fences." };
    case "json_schema": {
      const spec = isObject(format.json_schema) ? format.json_schema : format;
      const at = spec === format ? field : `${field}.json_schema`;
      const schema = spec.schema;
      if (!isObject(schema) || (schema.type !== undefined && schema.type !== "object")) {
        throw invalidRequest(`${at}.schema: kiro-ts answers JSON schemas whose top level is an object ("type": "object")`);
      }
      const what = typeof spec.description === "string" ? ` ${spec.description}` : "";
      return {
        tool: { name: JSON_ANSWER_TOOL, description: `Gives your final answer as JSON.${what}`, input_schema: { type: "object", ...schema } },
        instruction: `Give your final answer by calling the tool ${JSON_ANSWER_TOOL} exactly once; its input is the whole answer. Write no text of your own.`,
      };
    }
    default:
      throw invalidRequest(`${field}.type: ${JSON.stringify(String(format.type).slice(0, 40))} is not a format (text, json_object, json_schema)`);
  }
}
