/**
 * OpenAI's reasoning effort (`reasoning_effort` in Chat Completions, `reasoning.effort` in Responses) as the
 * Anthropic fields of the internal request: `thinking` switches reasoning on or off and `output_config.effort`
 * says how hard. The converter decides what Kiro receives for each model (inline thinking tags for older Claude
 * models, `additionalModelRequestFields` for those that take effort natively), so this front stays unaware of it.
 */
import { invalidRequest } from "../errors";
import type { MessagesRequest } from "../anthropic/schemas";

/** OpenAI's efforts; "minimal" has no Anthropic or Kiro counterpart and is the lowest one there is. */
const EFFORTS = new Map([
  ["minimal", "low"],
  ["low", "low"],
  ["medium", "medium"],
  ["high", "high"],
  ["xhigh", "xhigh"],
  ["max", "max"],
]);

export type ReasoningFields = Pick<MessagesRequest, "thinking" | "output_config">;

/** The fields for a requested effort; `field` names it in errors. No effort: nothing, the model's default. */
export function reasoningFields(effort: string | null | undefined, field: string): ReasoningFields {
  if (effort === null || effort === undefined) return {};
  // "none" travels on as the effort too: GPT models take it as such, Claude models as thinking turned off.
  if (effort === "none") return { thinking: { type: "disabled" }, output_config: { effort } };
  const mapped = EFFORTS.get(effort);
  if (mapped === undefined) {
    throw invalidRequest(`${field}: ${JSON.stringify(effort.slice(0, 40))} is not an effort; use none, minimal, low, medium, high or xhigh`);
  }
  return { thinking: { type: "adaptive" }, output_config: { effort: mapped } };
}
