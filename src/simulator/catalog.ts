/**
 * Kiro's model catalog, as ListAvailableModels describes each model (kiro-protocol.md §1.4;
 * kiro-protocol-2026.md §2, §7): context window, output limit, credit rate, prompt caching, refusal fallbacks,
 * the JSON schema of the `additionalModelRequestFields` it accepts (none: the field is refused), and how its
 * family reasons natively (§3.1), which the replies follow.
 */

/** How a model's reasoning comes out on the wire (§3.1). */
export type ReasoningStyle =
  /** No schema and no native reasoning: Claude ≤ 4.5, Haiku, the open models. */
  | "none"
  /** The field is accepted (and billed) but no reasoning frames come (opus-4.6). */
  | "silent"
  /** Summary text, then a signature frame, when thinking is asked for. */
  | "summary"
  /** The same, and also when nothing is asked: only opus-5 thinks by default. */
  | "summary-by-default"
  /** The full reasoning in plain text, then a signature, when asked (sonnet-4.6). */
  | "plaintext"
  /** Signature frames only, the text empty (sonnet-5). */
  | "signature-only"
  /** An encrypted blob after the answer and its tool calls (gpt-5.6). */
  | "redacted";

/** The subset of JSON Schema Kiro's catalog uses. */
export interface JsonSchema {
  type?: "object" | "string" | "integer" | "number" | "boolean";
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean;
  required?: string[];
  enum?: readonly unknown[];
  minimum?: number;
  maximum?: number;
  default?: unknown;
}

export interface ModelFacts {
  modelId: string;
  contextWindow: number;
  maxOutputTokens: number;
  rateMultiplier: number;
  promptCaching: boolean;
  images: boolean;
  reasoning: ReasoningStyle;
  schema?: JsonSchema;
  refusalFallbacks?: string[];
  /** With thinking disabled, efforts above this one are refused (opus-5: "high", per Anthropic's opus-5 notes). */
  maxEffortWithoutThinking?: string;
}

/** The models of Kiro as of October 2026 (§7), for a simulator of that Kiro: `models: LATE_2026_MODEL_IDS`. */
export const LATE_2026_MODEL_IDS: readonly string[] = [
  "auto",
  "claude-opus-5.5",
  "claude-opus-5",
  "claude-opus-4.8",
  "claude-opus-4.7",
  "claude-opus-4.6",
  "claude-sonnet-5.5",
  "claude-sonnet-5",
  "claude-sonnet-4.6",
  "claude-sonnet-4.5",
  "claude-opus-4.5",
  "claude-haiku-4.5",
  "claude-fable-5",
  "claude-fable-5.1",
  "gpt-5.6-sol",
  "gpt-5.6-terra",
  "gpt-5.6-luna",
  "deepseek-3.2",
  "minimax-m2.1",
  "minimax-m2.5",
  "glm-5",
  "qwen3-coder-next",
];

const EFFORTS = ["low", "medium", "high", "xhigh", "max"];
const EFFORTS_WITHOUT_XHIGH = ["low", "medium", "high", "max"];
const GPT_EFFORTS = ["none", "low", "medium", "high", "xhigh", "max"];

/** The Claude schema of MARR's live ListAvailableModels capture (§2), varied by thinking types, efforts and output cap. */
function claudeSchema(thinkingTypes: string[], efforts: string[], maxTokens: number): JsonSchema {
  return {
    type: "object",
    additionalProperties: false,
    properties: {
      thinking: {
        type: "object",
        additionalProperties: false,
        required: ["type"],
        properties: {
          type: { type: "string", enum: thinkingTypes },
          display: { type: "string", enum: ["summarized", "omitted"] },
        },
      },
      output_config: { type: "object", properties: { effort: { type: "string", enum: efforts, default: "high" } } },
      max_tokens: { type: "integer", minimum: 1024, maximum: maxTokens },
    },
  };
}

const GPT_SCHEMA: JsonSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    reasoning: { type: "object", additionalProperties: false, properties: { effort: { type: "string", enum: GPT_EFFORTS } } },
  },
};

const M = 1_000_000;
const K = 1_000;

type Row = Omit<ModelFacts, "modelId" | "images" | "promptCaching"> & { images?: boolean; promptCaching?: boolean };

/** Claude rows carry images and caching; others say so when they do. Sources per row are in §7. */
const CLAUDE: Record<string, Row> = {
  "claude-opus-5.5": { contextWindow: M, maxOutputTokens: 128 * K, rateMultiplier: 2.2, reasoning: "summary", schema: claudeSchema(["adaptive"], EFFORTS, 128 * K) },
  "claude-opus-5": {
    contextWindow: M,
    maxOutputTokens: 128 * K,
    rateMultiplier: 2.2,
    reasoning: "summary-by-default",
    schema: claudeSchema(["adaptive", "disabled"], EFFORTS, 128 * K),
    refusalFallbacks: ["claude-opus-4.8"],
    maxEffortWithoutThinking: "high",
  },
  "claude-opus-4.8": { contextWindow: M, maxOutputTokens: 128 * K, rateMultiplier: 2.2, reasoning: "summary", schema: claudeSchema(["adaptive", "disabled"], EFFORTS, 128 * K) },
  "claude-opus-4.7": { contextWindow: M, maxOutputTokens: 64 * K, rateMultiplier: 2.2, reasoning: "summary", schema: claudeSchema(["adaptive", "disabled"], EFFORTS, 64 * K) },
  "claude-opus-4.6": { contextWindow: M, maxOutputTokens: 64 * K, rateMultiplier: 2.2, reasoning: "silent", schema: claudeSchema(["adaptive", "disabled"], EFFORTS_WITHOUT_XHIGH, 64 * K) },
  "claude-sonnet-5.5": {
    contextWindow: M,
    maxOutputTokens: 128 * K,
    rateMultiplier: 1.3,
    reasoning: "summary",
    schema: claudeSchema(["adaptive", "between_tools"], EFFORTS, 128 * K),
    refusalFallbacks: ["claude-sonnet-5"],
  },
  "claude-sonnet-5": { contextWindow: M, maxOutputTokens: 128 * K, rateMultiplier: 1.3, reasoning: "signature-only", schema: claudeSchema(["adaptive", "disabled"], EFFORTS, 128 * K) },
  "claude-sonnet-4.6": { contextWindow: M, maxOutputTokens: 64 * K, rateMultiplier: 1.3, reasoning: "plaintext", schema: claudeSchema(["adaptive", "disabled"], EFFORTS_WITHOUT_XHIGH, 64 * K) },
  "claude-sonnet-4.6-1m": { contextWindow: M, maxOutputTokens: 64 * K, rateMultiplier: 1.3, reasoning: "plaintext", schema: claudeSchema(["adaptive", "disabled"], EFFORTS_WITHOUT_XHIGH, 64 * K) },
  "claude-sonnet-4.5": { contextWindow: 200 * K, maxOutputTokens: 64 * K, rateMultiplier: 1.3, reasoning: "none" },
  "claude-sonnet-4.5-1m": { contextWindow: M, maxOutputTokens: 64 * K, rateMultiplier: 1.3, reasoning: "none" },
  "claude-sonnet-4": { contextWindow: 200 * K, maxOutputTokens: 64 * K, rateMultiplier: 1.3, reasoning: "none" },
  "claude-opus-4.5": { contextWindow: 200 * K, maxOutputTokens: 64 * K, rateMultiplier: 2.2, reasoning: "none" },
  "claude-haiku-4.5": { contextWindow: 200 * K, maxOutputTokens: 64 * K, rateMultiplier: 0.4, reasoning: "none" },
  "claude-fable-5": { contextWindow: M, maxOutputTokens: 128 * K, rateMultiplier: 2.2, reasoning: "summary", schema: claudeSchema(["adaptive", "disabled"], EFFORTS, 128 * K) },
  "claude-fable-5.1": { contextWindow: M, maxOutputTokens: 128 * K, rateMultiplier: 2.2, reasoning: "summary", schema: claudeSchema(["adaptive", "disabled"], EFFORTS, 128 * K) },
};

/** GPT-5.6 rates at the 1M window (§7; doubled since 2026-09-14), and at the 272K one before it. */
const GPT_RATES: Record<string, [at1m: number, at272k: number]> = {
  "gpt-5.6-sol": [4.4, 2.4],
  "gpt-5.6-terra": [2.2, 1.2],
  "gpt-5.6-luna": [1.1, 0.6],
};

const OPEN_RATES: Record<string, number> = {
  "deepseek-3.2": 0.25,
  "minimax-m2.1": 0.15,
  "minimax-m2.5": 0.15,
  "glm-5": 0.5,
  "qwen3-coder-next": 0.05,
};

export interface CatalogOptions {
  /** GPT-5.6's window: 1M since 2026-09-14, rolled out per account (§7); 272K before. Default 1M. */
  gptContextWindow?: number;
}

/** What the catalog says of a model; an id it does not know gets the plain facts of an older Claude. */
export function modelFacts(modelId: string, opts: CatalogOptions = {}): ModelFacts {
  const claude = CLAUDE[modelId];
  if (claude) return { modelId, images: true, promptCaching: true, ...claude };
  const gpt = GPT_RATES[modelId];
  if (gpt) {
    const window = opts.gptContextWindow ?? M;
    return {
      modelId,
      contextWindow: window,
      maxOutputTokens: 128 * K,
      rateMultiplier: window > 272 * K ? gpt[0] : gpt[1],
      promptCaching: false,
      images: true,
      reasoning: "redacted",
      schema: GPT_SCHEMA,
    };
  }
  if (modelId === "auto") return { modelId, contextWindow: M, maxOutputTokens: 64 * K, rateMultiplier: 1, promptCaching: true, images: true, reasoning: "none" };
  const open = OPEN_RATES[modelId];
  if (open !== undefined) {
    return { modelId, contextWindow: modelId.startsWith("deepseek") ? 164 * K : 256 * K, maxOutputTokens: 64 * K, rateMultiplier: open, promptCaching: false, images: false, reasoning: "none" };
  }
  return { modelId, contextWindow: 200 * K, maxOutputTokens: 64 * K, rateMultiplier: 1, promptCaching: modelId.startsWith("claude"), images: modelId.startsWith("claude"), reasoning: "none" };
}

export function contextWindowOf(modelId: string, opts: CatalogOptions = {}): number {
  return modelFacts(modelId, opts).contextWindow;
}

/** One ListAvailableModels entry, in the shape of MARR's live capture (§2) plus the fields QCLI models (§1.4). */
export function catalogEntry(modelId: string, opts: CatalogOptions = {}): Record<string, unknown> {
  const f = modelFacts(modelId, opts);
  const name = displayName(modelId);
  return {
    modelId,
    modelName: name,
    description: f.contextWindow >= M ? `${name} with 1M context window (simulated)` : `${name} (simulated)`,
    rateMultiplier: f.rateMultiplier,
    rateUnit: "Credit",
    ...(f.refusalFallbacks ? { refusalFallbackModels: f.refusalFallbacks.map((id) => ({ modelId: id })) } : {}),
    supportedInputTypes: f.images ? ["TEXT", "IMAGE"] : ["TEXT"],
    promptCaching: f.promptCaching
      ? {
          supportsPromptCaching: true,
          maximumCacheCheckpointsPerRequest: 4,
          minimumTokensPerCacheCheckpoint: modelId === "claude-opus-4.5" || modelId === "claude-haiku-4.5" ? 4096 : 1024,
        }
      : { supportsPromptCaching: false },
    supportsPromptCache: f.promptCaching,
    tokenLimits: { maxInputTokens: f.contextWindow, maxOutputTokens: f.maxOutputTokens },
    ...(f.schema ? { additionalModelRequestFieldsSchema: f.schema } : {}),
  };
}

export function modelsBody(ids: readonly string[], opts: CatalogOptions = {}): Record<string, unknown> {
  const models = ids.map((id) => catalogEntry(id, opts));
  return { models, defaultModel: models[0] };
}

function displayName(modelId: string): string {
  if (modelId === "auto") return "Auto";
  if (modelId.startsWith("gpt-")) return modelId.replace(/^gpt-([\d.]+)-(\w+)$/, (_, v: string, tier: string) => `GPT-${v} ${tier[0]!.toUpperCase()}${tier.slice(1)}`);
  return modelId
    .split("-")
    .map((part) => (part[0] ?? "").toUpperCase() + part.slice(1))
    .join(" ");
}
