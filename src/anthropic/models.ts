/**
 * GET /v1/models (kiro-protocol.md §6.1): the models listed to clients, under the names they use — the kiro.rs
 * list, each model with its `-thinking` twin, Anthropic's undated aliases, and the models Kiro added (GPT ones
 * too). One body serves both SDKs: each model carries Anthropic's fields and OpenAI's, the list both paging styles.
 */
import { type ModelTable, resolveModel } from "../kiro/models";

export interface ModelInfo {
  id: string;
  display_name: string;
  /** RFC 3339 */
  created_at: string;
}

const BASE_MODELS: ModelInfo[] = [
  { id: "claude-opus-4-7", display_name: "Claude Opus 4.7", created_at: "2026-04-16T00:00:00Z" },
  { id: "claude-sonnet-4-6", display_name: "Claude Sonnet 4.6", created_at: "2026-02-17T00:00:00Z" },
  { id: "claude-opus-4-6", display_name: "Claude Opus 4.6", created_at: "2026-02-04T00:00:00Z" },
  { id: "claude-opus-4-5-20251101", display_name: "Claude Opus 4.5", created_at: "2025-11-24T00:00:00Z" },
  { id: "claude-haiku-4-5-20251001", display_name: "Claude Haiku 4.5", created_at: "2025-10-15T00:00:00Z" },
  { id: "claude-sonnet-4-5-20250929", display_name: "Claude Sonnet 4.5", created_at: "2025-09-29T00:00:00Z" },
];

// Anthropic's undated aliases, listed because clients copy them from Anthropic's docs.
const ALIAS_MODELS: ModelInfo[] = [
  { id: "claude-opus-4-5", display_name: "Claude Opus 4.5", created_at: "2025-11-24T00:00:00Z" },
  { id: "claude-haiku-4-5", display_name: "Claude Haiku 4.5", created_at: "2025-10-15T00:00:00Z" },
  { id: "claude-sonnet-4-5", display_name: "Claude Sonnet 4.5", created_at: "2025-09-29T00:00:00Z" },
];

const thinkingTwin = (m: ModelInfo): ModelInfo => ({ id: `${m.id}-thinking`, display_name: `${m.display_name} (Thinking)`, created_at: m.created_at });

/** The built-in list, newest first. */
export const MODELS: ModelInfo[] = [...BASE_MODELS.flatMap((m) => [m, thinkingTwin(m)]), ...ALIAS_MODELS];

/**
 * The list for a model table: the models Kiro added first (newest first), each under the name clients use — dots
 * become dashes in a Claude id, with a `-thinking` twin like the others — then the built-in list. A Claude model
 * with a 1M window also comes as `…[1m]` ("… (1M context)"): Claude Code picks its window by that tag alone
 * (kiro-protocol-2026.md §7), and its gateway model discovery keeps every id that starts with "claude".
 */
export function listedModels(table: ModelTable): ModelInfo[] {
  const listedIds = new Set(MODELS.map((m) => m.id));
  const added: ModelInfo[] = [];
  for (const m of table.added) {
    const claude = m.modelId.startsWith("claude-");
    const id = claude ? m.modelId.replaceAll(".", "-") : m.modelId;
    if (listedIds.has(id)) continue;
    listedIds.add(id);
    const info = { id, display_name: m.modelName || m.modelId, created_at: m.firstSeen.toISOString() };
    added.push(info);
    if (claude) added.push(thinkingTwin(info));
  }
  return [...added, ...MODELS].flatMap((m) => (hasMillionWindow(m.id, table) ? [m, millionTwin(m)] : [m]));
}

const millionTwin = (m: ModelInfo): ModelInfo => ({ id: `${m.id}[1m]`, display_name: `${m.display_name} (1M context)`, created_at: m.created_at });

function hasMillionWindow(id: string, table: ModelTable): boolean {
  if (!id.startsWith("claude-") || id.endsWith("-thinking")) return false;
  try {
    return resolveModel(`${id}[1m]`, table).contextWindow >= 1_000_000;
  } catch {
    return false;
  }
}

/** One model as both SDKs read it: Anthropic's `type`, `display_name`, `created_at`; OpenAI's `object`, `created`, `owned_by`. */
export interface ListedModel extends ModelInfo {
  type: "model";
  object: "model";
  /** Unix seconds. */
  created: number;
  owned_by: string;
}

/** Who makes a model, as OpenAI's `owned_by` says it. */
function ownerOf(id: string): string {
  if (id.startsWith("claude-")) return "anthropic";
  if (id.startsWith("gpt-")) return "openai";
  return "kiro";
}

/** The body of GET /v1/models: OpenAI's `object: "list"` and Anthropic's paging fields around the same models. */
export function modelListBody(table: ModelTable) {
  const data: ListedModel[] = listedModels(table).map((m) => ({
    ...m,
    type: "model",
    object: "model",
    created: Math.floor(Date.parse(m.created_at) / 1000),
    owned_by: ownerOf(m.id),
  }));
  return { object: "list" as const, data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}
