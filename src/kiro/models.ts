/**
 * Model names: what clients ask for (Anthropic ids, Claude Code aliases, Kiro's own ids) → the Kiro model id and
 * its context window (kiro-protocol.md §3.3), from a model table: the built-in one, grown by what Kiro's
 * ListAvailableModels names (§1.4) so that a model Kiro adds works without a new release.
 */
import { GatewayError } from "../errors";

/** Kiro model ids this gateway sends upstream, with the context window used for token accounting. */
const CONTEXT_WINDOWS: Readonly<Record<string, number>> = {
  auto: 200_000,
  "claude-sonnet-4": 200_000,
  "claude-sonnet-4.5": 200_000,
  "claude-sonnet-4.6": 1_000_000,
  "claude-haiku-4.5": 200_000,
  "claude-opus-4.5": 200_000,
  "claude-opus-4.6": 1_000_000,
  "claude-opus-4.7": 1_000_000,
  "deepseek-3.2": 200_000,
  "glm-5": 200_000,
  "minimax-m2.1": 200_000,
  "minimax-m2.5": 200_000,
  "qwen3-coder-next": 200_000,
};

const ALIASES: Readonly<Record<string, string>> = { "auto-kiro": "auto" };

const FAMILY = "(sonnet|opus|haiku)";
// Suffixes that name a variant of the same model: a context tag like "[1m]", a date, "-latest", "-thinking".
const VARIANT_SUFFIX = /(\[[^\]]*\]|-\d{8}|-latest|-thinking)$/;
const FAMILY_FIRST = new RegExp(`^claude-${FAMILY}-(\\d+)(?:[-.](\\d+))?$`);
const VERSION_FIRST = new RegExp(`^claude-(\\d+)(?:[-.](\\d+))?-${FAMILY}(?:-[a-z]+)?$`);

export interface ResolvedModel {
  kiroId: string;
  contextWindow: number;
}

/**
 * Resolves a requested model name. Exact spellings are tried first (so a Kiro id passes through untouched), then
 * the kiro.rs family fallback, so that any Sonnet/Opus/Haiku name a client invents still lands on a real model.
 */
export function resolveModel(requested: string, table: ModelTable = BUILT_IN_MODELS): ResolvedModel {
  const kiroId = normalise(requested, table.windows) ?? familyFallback(requested.toLowerCase());
  if (kiroId === undefined) {
    throw new GatewayError(
      "invalid_request",
      `model "${requested}" is not supported; use a Claude model such as claude-sonnet-4-6, claude-opus-4-7, ` +
        `claude-haiku-4-5, or a Kiro model id such as auto or claude-sonnet-4.5`,
    );
  }
  return { kiroId, contextWindow: table.windows.get(kiroId) ?? 200_000 };
}

function normalise(requested: string, windows: ReadonlyMap<string, number>): string | undefined {
  let name = requested.trim().toLowerCase();
  let before: string;
  do {
    before = name;
    name = name.replace(VARIANT_SUFFIX, "");
  } while (name !== before);
  name = ALIASES[name] ?? name;
  const candidates = [name];
  const familyFirst = FAMILY_FIRST.exec(name);
  if (familyFirst) candidates.push(kiroName(familyFirst[1], familyFirst[2], familyFirst[3]));
  const versionFirst = VERSION_FIRST.exec(name);
  if (versionFirst) candidates.push(kiroName(versionFirst[3], versionFirst[1], versionFirst[2]));
  return candidates.find((c) => windows.has(c));
}

const kiroName = (family = "", major = "", minor?: string) =>
  minor === undefined ? `claude-${family}-${major}` : `claude-${family}-${major}.${minor}`;

/** kiro.rs `map_model`: a family name anywhere in the string picks that family's default version. */
function familyFallback(name: string): string | undefined {
  if (name.includes("sonnet")) {
    return name.includes("4-6") || name.includes("4.6") ? "claude-sonnet-4.6" : "claude-sonnet-4.5";
  }
  if (name.includes("opus")) {
    return name.includes("4-5") || name.includes("4.5") ? "claude-opus-4.5" : "claude-opus-4.6";
  }
  if (name.includes("haiku")) return "claude-haiku-4.5";
  return undefined;
}

/** Kiro model ids with their context windows, and the models Kiro listed beyond the built-in ones. */
export interface ModelTable {
  windows: ReadonlyMap<string, number>;
  /** Newest first. */
  added: readonly AddedModel[];
}

/** A model Kiro serves that the built-in table did not know, and when this process first saw Kiro list it. */
export interface AddedModel {
  modelId: string;
  modelName?: string;
  firstSeen: Date;
}

export const BUILT_IN_MODELS: ModelTable = { windows: new Map(Object.entries(CONTEXT_WINDOWS)), added: [] };

/** A model as ListAvailableModels names it (§1.4). */
export interface KiroModel {
  modelId: string;
  modelName?: string;
  maxInputTokens?: number;
}

/**
 * The built-in table grown by the models Kiro lists. What the built-in table knows stays as it is (its windows are
 * the ones kiro.rs counts with); each new model is served by its id, dated by `firstSeen`.
 */
export function withKiroModels(models: readonly KiroModel[], firstSeen: (modelId: string) => Date): ModelTable {
  const windows = new Map(BUILT_IN_MODELS.windows);
  const added: AddedModel[] = [];
  for (const m of models) {
    if (windows.has(m.modelId)) continue;
    windows.set(m.modelId, m.maxInputTokens && m.maxInputTokens > 0 ? m.maxInputTokens : 200_000);
    added.push({ modelId: m.modelId, ...(m.modelName ? { modelName: m.modelName } : {}), firstSeen: firstSeen(m.modelId) });
  }
  added.sort((a, b) => b.firstSeen.getTime() - a.firstSeen.getTime());
  return { windows, added };
}
