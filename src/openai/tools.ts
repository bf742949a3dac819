/**
 * The tools an OpenAI request declares, as Anthropic tools, and the way back: which declared tool a reply's call
 * is for. Function tools keep their JSON schema. A custom (freeform) tool takes raw text — a patch, a script — so
 * it is declared with one string property carrying that text, and its calls come back as `custom_tool_call`
 * items whose input is that string. Tools inside a namespace (Codex's `functions`, `collaboration`) travel under
 * `namespace__name`, which Kiro's tool-name alphabet allows, and return as the namespace and the name.
 */
import type { ToolParam } from "../anthropic/schemas";
import { invalidRequest } from "../errors";

/** The one property of a freeform tool's input. */
export const FREEFORM_INPUT = "input";

export interface DeclaredTool {
  kind: "function" | "custom";
  name: string;
  namespace?: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const NAMESPACE_SEPARATOR = "__";

/**
 * Tool types that run on OpenAI's side (web search, file search, code interpreter, image generation, hosted MCP,
 * computer use, tool search): Kiro cannot run them, so they are left out, as the Anthropic front leaves out
 * Anthropic's server tools.
 */
const SERVER_SIDE = new Set([
  "web_search",
  "web_search_preview",
  "file_search",
  "code_interpreter",
  "image_generation",
  "mcp",
  "computer_use_preview",
  "computer",
  "local_shell",
  "tool_search",
]);

export class ToolSet {
  readonly tools: ToolParam[] = [];
  private readonly byWireName = new Map<string, DeclaredTool>();

  /** The name a tool travels under. */
  static wireName(name: string, namespace?: string): string {
    return namespace ? `${namespace}${NAMESPACE_SEPARATOR}${name}` : name;
  }

  /** The declared tool a reply's call names, if any. */
  lookup(wireName: string): DeclaredTool | undefined {
    return this.byWireName.get(wireName);
  }

  /**
   * Declares one tool in either API's shape: Chat Completions nests a function under `function` (a custom tool
   * under `custom`), Responses puts its fields on the tool itself. `at` names the tool in errors.
   */
  declare(tool: Json, at: string, namespace?: string): void {
    const type = tool.type;
    if (type === "function" || type === "custom") {
      const spec = isObject(tool[type]) ? (tool[type] as Json) : tool;
      const field = spec === tool ? at : `${at}.${type}`;
      if (typeof spec.name !== "string" || spec.name === "") throw invalidRequest(`${field}.name: a ${type} tool needs a name`);
      const description = typeof spec.description === "string" ? spec.description : "";
      this.add({ kind: type, name: spec.name, ...(namespace ? { namespace } : {}) }, type === "function" ? { description, input_schema: functionSchema(spec.parameters) } : freeform(description, spec.format));
      return;
    }
    if (type === "namespace") {
      if (namespace) throw invalidRequest(`${at}: a namespace cannot hold another namespace`);
      if (typeof tool.name !== "string" || tool.name === "") throw invalidRequest(`${at}.name: a namespace needs a name`);
      if (!Array.isArray(tool.tools)) throw invalidRequest(`${at}.tools: a namespace needs an array of tools`);
      tool.tools.forEach((inner, k) => {
        if (!isObject(inner)) throw invalidRequest(`${at}.tools[${k}]: a tool must be an object`);
        this.declare(inner, `${at}.tools[${k}]`, tool.name as string);
      });
      return;
    }
    if (typeof type === "string" && SERVER_SIDE.has(type)) return;
    throw invalidRequest(`${at}.type: tool type ${JSON.stringify(String(type).slice(0, 40))} is not supported (function, custom, namespace)`);
  }

  /** The names custom (freeform) tools travel under. */
  customNames(): Set<string> {
    return new Set([...this.byWireName].filter(([, tool]) => tool.kind === "custom").map(([name]) => name));
  }

  /** Keeps only the tools a tool choice allows. */
  keepOnly(allowed: (tool: DeclaredTool) => boolean): void {
    const kept = this.tools.filter((t) => allowed(this.byWireName.get(t.name)!));
    this.tools.splice(0, this.tools.length, ...kept);
  }

  private add(tool: DeclaredTool, spec: Pick<ToolParam, "description" | "input_schema">): void {
    const name = ToolSet.wireName(tool.name, tool.namespace);
    // A repeated name keeps its first definition, as the converter does.
    if (this.byWireName.has(name)) return;
    this.byWireName.set(name, tool);
    this.tools.push({ name, ...spec });
  }
}

/** A function tool's parameters: an object schema, or none (a function without parameters). */
function functionSchema(parameters: unknown): Json {
  return isObject(parameters) ? parameters : { type: "object", properties: {} };
}

/** A freeform tool: its text in one string property; the grammar, when there is one, told in the description. */
function freeform(description: string, format: unknown): Pick<ToolParam, "description" | "input_schema"> {
  const grammar = isObject(format) && format.type === "grammar" && typeof format.definition === "string" ? format : undefined;
  const syntax = grammar ? ` It must follow this ${typeof grammar.syntax === "string" ? grammar.syntax : ""} grammar:\n${grammar.definition}` : "";
  return {
    description,
    input_schema: {
      type: "object",
      properties: { [FREEFORM_INPUT]: { type: "string", description: `The tool's whole input as raw text, not JSON.${syntax}` } },
      required: [FREEFORM_INPUT],
      additionalProperties: false,
    },
  };
}

/** A call's arguments (JSON text) as the tool input the converter takes; `at` names the field in errors. */
export function parseArguments(args: unknown, at: string): Record<string, unknown> {
  if (args === undefined || args === null || args === "") return {};
  if (isObject(args)) return args;
  if (typeof args !== "string") throw invalidRequest(`${at}: arguments must be a JSON string`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw invalidRequest(`${at}: arguments are not valid JSON`);
  }
  if (!isObject(parsed)) throw invalidRequest(`${at}: arguments must be a JSON object`);
  return parsed;
}

/** A freeform call's input (a string) as the tool input the converter takes. */
export const freeformInput = (input: unknown): Record<string, unknown> => ({ [FREEFORM_INPUT]: typeof input === "string" ? input : "" });

/** The text of a freeform call from its JSON input (`{"input": "…"}`); anything else is passed on as the JSON. */
export function freeformText(inputJson: string): string {
  if (inputJson.trim() === "") return "";
  try {
    const parsed: unknown = JSON.parse(inputJson);
    if (isObject(parsed) && typeof parsed[FREEFORM_INPUT] === "string") return parsed[FREEFORM_INPUT] as string;
  } catch {
    // A cut-off input: the client gets what came, which its own parser will refuse.
  }
  return inputJson;
}
