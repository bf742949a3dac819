/**
 * max_tokens as the Anthropic API checks it. Kiro has no such knob (the value is never forwarded), but a client
 * asking for more than the model can write is refused here in Anthropic's words, as it would be there.
 */
import { invalidRequest } from "../errors";
import { type ModelTable, resolveModel } from "../kiro/models";

/** Anthropic's published output limits, by the Kiro model a requested name resolves to. */
const OUTPUT_LIMITS: Readonly<Record<string, number>> = {
  "claude-sonnet-4": 64_000,
  "claude-sonnet-4.5": 64_000,
  "claude-sonnet-4.6": 64_000,
  "claude-haiku-4.5": 64_000,
  "claude-opus-4.5": 64_000,
  "claude-opus-4.6": 128_000,
  "claude-opus-4.7": 128_000,
};

/**
 * Throws a 400 when `maxTokens` is above the output limit of the model asked for (when that limit is known). `field`
 * is the name the client gave the budget (the OpenAI fronts check `max_completion_tokens`, `max_output_tokens`).
 */
export function checkMaxTokens(maxTokens: number, model: string, table: ModelTable, field = "max_tokens"): void {
  const limit = OUTPUT_LIMITS[resolveModel(model, table).kiroId];
  if (limit !== undefined && maxTokens > limit) {
    throw invalidRequest(`${field}: ${maxTokens} > ${limit}, which is the maximum allowed number of output tokens for ${model}`);
  }
}
