/**
 * Anthropic's `thinking` and `output_config.effort` (and OpenAI's reasoning effort, which the OpenAI fronts carry
 * in the same two fields) → Kiro's `additionalModelRequestFields`, built from the model's own schema in the catalog
 * (kiro-protocol-2026.md §2): an allow-list, never the client's JSON; every value clamped to the schema's enum or
 * range; nothing at all for a model without a schema. Pure.
 */
import type { JsonSchema } from "../kiro/models";
import type { MessagesRequest } from "./schemas";

/** Efforts from least to most; a value a model lacks is lowered to the nearest it has. */
const EFFORT_ORDER = ["none", "low", "medium", "high", "xhigh", "max"];

export interface FieldOptions {
  /** Send the client's max_tokens, clamped to the schema's range (config kiroMaxTokens "clamp"); §2 prefers not to. */
  sendMaxTokens: boolean;
}

type Request = Pick<MessagesRequest, "model" | "thinking" | "output_config" | "max_tokens">;

export function modelRequestFields(schema: JsonSchema, req: Request, opts: FieldOptions): Record<string, unknown> | undefined {
  const props = schema.properties ?? {};
  const fields: Record<string, unknown> = {};
  const thinking = thinkingField(props.thinking, req);
  if (thinking) fields.thinking = thinking;
  const asked = effortAsked(req);
  const effortSchema = props.output_config?.properties?.effort;
  if (effortSchema && asked) {
    // §2 (Anthropic's Opus 5 notes, MARR §18): thinking may be off only at effort high or below.
    const wanted = thinking?.type === "disabled" && rankOf(asked) > rankOf("high") ? "high" : asked;
    const effort = clampEffort(wanted, effortSchema.enum);
    if (effort) fields.output_config = { effort };
  }
  const reasoningSchema = props.reasoning?.properties?.effort;
  const reasoningAsked = req.thinking?.type === "disabled" ? "none" : asked;
  if (reasoningSchema && reasoningAsked) {
    const effort = clampEffort(reasoningAsked, reasoningSchema.enum);
    if (effort) fields.reasoning = { effort };
  }
  const range = props.max_tokens;
  if (opts.sendMaxTokens && range && typeof req.max_tokens === "number") {
    fields.max_tokens = Math.min(range.maximum ?? req.max_tokens, Math.max(range.minimum ?? 1, req.max_tokens));
  }
  return Object.keys(fields).length > 0 ? fields : undefined;
}

/** `enabled` with a budget is the older switch of the same wish: Kiro's models take it as adaptive (§2). */
function thinkingField(schema: JsonSchema | undefined, req: Request): { type: string; display?: string } | undefined {
  if (!schema) return undefined;
  const types = schema.properties?.type?.enum as string[] | undefined;
  const asked = req.thinking?.type;
  let type = asked === "enabled" || asked === "adaptive" || (asked === undefined && /-thinking$/i.test(req.model)) ? "adaptive" : asked === "disabled" ? "disabled" : undefined;
  if (type === undefined) return undefined;
  if (types && !types.includes(type)) type = type === "adaptive" ? types.find((t) => t !== "disabled") : undefined;
  if (type === undefined) return undefined;
  const display = (req.thinking as { display?: unknown } | undefined)?.display;
  const displays = schema.properties?.display?.enum;
  return type !== "disabled" && typeof display === "string" && displays?.includes(display) ? { type, display } : { type };
}

function effortAsked(req: Request): string | undefined {
  const inThinking = (req.thinking as { effort?: unknown } | undefined)?.effort;
  const effort = req.output_config?.effort ?? (typeof inThinking === "string" ? inThinking : undefined);
  return effort === undefined ? undefined : effort.toLowerCase();
}

const rankOf = (effort: string) => EFFORT_ORDER.indexOf(effort);

/** The effort itself when the model has it, else the strongest it has below it, else its weakest (§2: xhigh → high). */
export function clampEffort(effort: string, allowed: readonly unknown[] | undefined): string | undefined {
  if (!allowed) return rankOf(effort) >= 0 ? effort : undefined;
  if (allowed.includes(effort)) return effort;
  const wanted = rankOf(effort);
  if (wanted < 0) return undefined;
  const known = allowed.filter((e): e is string => typeof e === "string" && rankOf(e) >= 0).sort((a, b) => rankOf(a) - rankOf(b));
  return known.filter((e) => rankOf(e) <= wanted).at(-1) ?? known[0];
}
