/**
 * Model names: what clients ask for (Anthropic ids, Claude Code aliases, Kiro's own ids) → the Kiro model that
 * serves it, from a model table: the built-in one, or the models Kiro's ListAvailableModels names for an account
 * (kiro-protocol.md §1.4; kiro-protocol-2026.md §7: lists differ per account, tier and region, so each account is
 * routed by its own). A table also says what each model takes: its context window, output limit, the schema of
 * its `additionalModelRequestFields` (§2) and its prompt-caching limits (§4.3).
 */
import { GatewayError } from "../errors";

/** The subset of JSON Schema Kiro's catalog uses for `additionalModelRequestFieldsSchema` (§2). */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean;
  required?: string[];
  enum?: readonly unknown[];
  minimum?: number;
  maximum?: number;
  default?: unknown;
}

/** A model as ListAvailableModels describes it (§1.4, §2). */
export interface KiroModel {
  modelId: string;
  modelName?: string;
  maxInputTokens?: number;
  maxOutputTokens?: number;
  /** The model takes native effort and thinking through these fields; without a schema it takes none (§2). */
  fieldsSchema?: JsonSchema;
  /** Prompt caching, when the model has it (§4.3). */
  caching?: { maxCheckpoints: number; minTokens: number };
}

const M = 1_000_000;
const K = 1_000;

const EFFORTS = ["low", "medium", "high", "xhigh", "max"];
const EFFORTS_WITHOUT_XHIGH = ["low", "medium", "high", "max"];

/** The Claude schema of MARR's live catalog capture (§2), by thinking types, efforts and output range. */
function claudeSchema(thinkingTypes: string[], efforts: string[], maxTokens: number): JsonSchema {
  return {
    type: "object",
    additionalProperties: false,
    properties: {
      thinking: {
        type: "object",
        additionalProperties: false,
        required: ["type"],
        properties: { type: { type: "string", enum: thinkingTypes }, display: { type: "string", enum: ["summarized", "omitted"] } },
      },
      output_config: { type: "object", properties: { effort: { type: "string", enum: efforts, default: "high" } } },
      max_tokens: { type: "integer", minimum: 1024, maximum: maxTokens },
    },
  };
}

const GPT_SCHEMA: JsonSchema = {
  type: "object",
  additionalProperties: false,
  properties: { reasoning: { type: "object", additionalProperties: false, properties: { effort: { type: "string", enum: ["none", "low", "medium", "high", "xhigh", "max"] } } } },
};

const CACHING = { maxCheckpoints: 4, minTokens: 1024 };
const CACHING_4096 = { maxCheckpoints: 4, minTokens: 4096 };

type Facts = Omit<KiroModel, "modelId">;

/**
 * What is known of Kiro's models without asking (§7, §2, §4.3): the defaults for a model whose catalog entry does not
 * say. Claude ≤ 4.5, Haiku and the open models take no fields; opus-4.5 and haiku-4.5 cache from 4096 tokens.
 */
const KNOWN_FACTS: Readonly<Record<string, Facts>> = {
  auto: { maxInputTokens: 200 * K, caching: CACHING },
  "claude-opus-5.5": { maxInputTokens: M, maxOutputTokens: 128 * K, caching: CACHING, fieldsSchema: claudeSchema(["adaptive"], EFFORTS, 128 * K) },
  "claude-opus-5": { maxInputTokens: M, maxOutputTokens: 128 * K, caching: CACHING, fieldsSchema: claudeSchema(["adaptive", "disabled"], EFFORTS, 128 * K) },
  "claude-opus-4.8": { maxInputTokens: M, maxOutputTokens: 128 * K, caching: CACHING, fieldsSchema: claudeSchema(["adaptive", "disabled"], EFFORTS, 128 * K) },
  "claude-opus-4.7": { maxInputTokens: M, maxOutputTokens: 64 * K, caching: CACHING, fieldsSchema: claudeSchema(["adaptive", "disabled"], EFFORTS, 64 * K) },
  "claude-opus-4.6": { maxInputTokens: M, maxOutputTokens: 64 * K, caching: CACHING, fieldsSchema: claudeSchema(["adaptive", "disabled"], EFFORTS_WITHOUT_XHIGH, 64 * K) },
  "claude-opus-4.5": { maxInputTokens: 200 * K, maxOutputTokens: 64 * K, caching: CACHING_4096 },
  "claude-sonnet-5.5": { maxInputTokens: M, maxOutputTokens: 128 * K, caching: CACHING, fieldsSchema: claudeSchema(["adaptive", "between_tools"], EFFORTS, 128 * K) },
  "claude-sonnet-5": { maxInputTokens: M, maxOutputTokens: 128 * K, caching: CACHING, fieldsSchema: claudeSchema(["adaptive", "disabled"], EFFORTS, 128 * K) },
  "claude-sonnet-4.6": { maxInputTokens: M, maxOutputTokens: 64 * K, caching: CACHING, fieldsSchema: claudeSchema(["adaptive", "disabled"], EFFORTS_WITHOUT_XHIGH, 64 * K) },
  "claude-sonnet-4.5": { maxInputTokens: 200 * K, maxOutputTokens: 64 * K, caching: CACHING },
  "claude-sonnet-4": { maxInputTokens: 200 * K, maxOutputTokens: 64 * K, caching: CACHING },
  "claude-haiku-4.5": { maxInputTokens: 200 * K, maxOutputTokens: 64 * K, caching: CACHING_4096 },
  "claude-fable-5": { maxInputTokens: M, maxOutputTokens: 128 * K, caching: CACHING, fieldsSchema: claudeSchema(["adaptive", "disabled"], EFFORTS, 128 * K) },
  "claude-fable-5.1": { maxInputTokens: M, maxOutputTokens: 128 * K, caching: CACHING, fieldsSchema: claudeSchema(["adaptive", "disabled"], EFFORTS, 128 * K) },
  "gpt-5.6-sol": { maxInputTokens: M, maxOutputTokens: 128 * K, fieldsSchema: GPT_SCHEMA },
  "gpt-5.6-terra": { maxInputTokens: M, maxOutputTokens: 128 * K, fieldsSchema: GPT_SCHEMA },
  "gpt-5.6-luna": { maxInputTokens: M, maxOutputTokens: 128 * K, fieldsSchema: GPT_SCHEMA },
  "deepseek-3.2": { maxInputTokens: 200 * K },
  "glm-5": { maxInputTokens: 200 * K },
  "minimax-m2.1": { maxInputTokens: 200 * K },
  "minimax-m2.5": { maxInputTokens: 200 * K },
  "qwen3-coder-next": { maxInputTokens: 200 * K },
};

/**
 * The models served before Kiro is asked: the ids kiro.rs knows (spring 2026). Newer ones are served once an
 * account's catalog lists them, so a request is never sent to a model Kiro may not have.
 */
const BUILT_IN_IDS = [
  "auto",
  "claude-sonnet-4",
  "claude-sonnet-4.5",
  "claude-sonnet-4.6",
  "claude-haiku-4.5",
  "claude-opus-4.5",
  "claude-opus-4.6",
  "claude-opus-4.7",
  "deepseek-3.2",
  "glm-5",
  "minimax-m2.1",
  "minimax-m2.5",
  "qwen3-coder-next",
];

/** Opus 4.6 accepts the fields and bills for them, but sends no reasoning (§3.1): it keeps the inline tags (§3.3). */
const FIELDS_WITHOUT_REASONING = new Set(["claude-opus-4.6"]);

const DEFAULT_WINDOW = 200 * K;
const ALIASES: Readonly<Record<string, string>> = { "auto-kiro": "auto" };

/** A model's facts: Kiro's catalog entry, what it leaves out filled in from what is known of that id. */
export function withKnownFacts(m: KiroModel): KiroModel {
  const known = KNOWN_FACTS[m.modelId];
  return known ? ({ ...known, ...definedOnly(m) } as KiroModel) : m;
}

/** Whether the model takes native effort and thinking (a schema, and reasoning that comes back as frames). */
export const isNative = (m: KiroModel) => m.fieldsSchema !== undefined && !FIELDS_WITHOUT_REASONING.has(m.modelId);

/** Kiro model ids with their facts, and the models Kiro listed beyond the built-in ones. */
export interface ModelTable {
  models: ReadonlyMap<string, KiroModel>;
  /** Context windows by id: what the catalog says, else what is known. */
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

function tableOf(models: readonly KiroModel[], added: AddedModel[] = []): ModelTable {
  const byId = new Map<string, KiroModel>();
  for (const m of models) byId.set(m.modelId, withKnownFacts(m));
  const windows = new Map([...byId].map(([id, m]) => [id, m.maxInputTokens && m.maxInputTokens > 0 ? m.maxInputTokens : DEFAULT_WINDOW]));
  return { models: byId, windows, added };
}

export const BUILT_IN_MODELS: ModelTable = tableOf(BUILT_IN_IDS.map((modelId) => ({ modelId })));

/** One account's table: exactly the models its catalog lists (§7), each with its facts. */
export const accountTable = (models: readonly KiroModel[]): ModelTable => tableOf(models);

/**
 * The built-in table grown by the models Kiro lists, for the client's model list: what Kiro says wins (context
 * windows come from the catalog), each new model is served by its id, dated by `firstSeen`.
 */
export function withKiroModels(models: readonly KiroModel[], firstSeen: (modelId: string) => Date): ModelTable {
  const listed = new Map(models.map((m) => [m.modelId, m]));
  const all = [...BUILT_IN_IDS.filter((id) => !listed.has(id)).map((modelId) => ({ modelId })), ...listed.values()];
  const added = models
    .filter((m) => !BUILT_IN_IDS.includes(m.modelId))
    .map((m) => ({ modelId: m.modelId, ...(m.modelName ? { modelName: m.modelName } : {}), firstSeen: firstSeen(m.modelId) }))
    .sort((a, b) => b.firstSeen.getTime() - a.firstSeen.getTime());
  return tableOf(all, added);
}

export interface ResolvedModel {
  kiroId: string;
  contextWindow: number;
  model: KiroModel;
  /** What the client asked for in Kiro's spelling (`claude-opus-4-8[1m]` → `claude-opus-4.8`): differs when another model serves. */
  asked: string;
}

export interface RouteOptions {
  /** The client asked for the 1M window (`[1m]`, or the context-1m beta): a `-1m` SKU is used when the table lists one (§7). */
  oneM?: boolean;
}

const FAMILIES = "(sonnet|opus|haiku|fable)";
// Suffixes that name a variant of the same model: a context tag like "[1m]", a date, "-latest", "-thinking".
const VARIANT_SUFFIX = /(\[[^\]]*\]|-\d{8}|-latest|-thinking)$/;
const FAMILY_FIRST = new RegExp(`${FAMILIES}-(\\d{1,2})(?:[-.](\\d{1,2}))?(?![\\d])`);
const VERSION_FIRST = new RegExp(`(?<![\\d])(\\d{1,2})(?:[-.](\\d{1,2}))?-${FAMILIES}`);

interface Version {
  family: string;
  major: number;
  minor: number;
}

/**
 * Routes a requested model name within a table (§7): an id the table lists passes through; a Claude name asks for
 * the newest listed version of its family not above the one named (`claude-opus-4-8` → `claude-opus-4.8` when
 * listed, else the newest Opus below it, never an older one when a closer one is listed), or the oldest above it
 * when none is at or below; a bare family name for its newest.
 */
export function resolveModel(requested: string, table: ModelTable = BUILT_IN_MODELS, opts: RouteOptions = {}): ResolvedModel {
  // Asked four times a request (max_tokens, the plan, the conversion, each attempt's catalog), ~2 µs each.
  let known = resolved.get(table);
  if (!known) resolved.set(table, (known = { plain: new Map(), oneM: new Map() }));
  const routes = opts.oneM ? known.oneM : known.plain;
  let route = routes.get(requested);
  if (!route) {
    route = resolveAnew(requested, table, opts);
    // Model names are the clients' to choose: a flood of made-up ones forgets the routes instead of growing.
    if (routes.size >= MAX_ROUTES) routes.clear();
    routes.set(requested, route);
  }
  return route;
}

/** Each table's routes by the name asked, without and with the 1M option; read only, as a table is. */
const resolved = new WeakMap<ModelTable, { plain: Map<string, ResolvedModel>; oneM: Map<string, ResolvedModel> }>();
const MAX_ROUTES = 1024;

function resolveAnew(requested: string, table: ModelTable, opts: RouteOptions): ResolvedModel {
  const name = bareName(requested);
  const version = versionOf(name);
  const asked = version ? kiroIdOf(version) : name;
  let kiroId = table.models.has(name) ? name : version ? closest(table, version) : newestOfFamily(table, name);
  if (kiroId === undefined) {
    throw new GatewayError(
      "invalid_request",
      `model "${requested}" is not supported; use a Claude model such as claude-sonnet-4-6, claude-opus-4-7, ` +
        `claude-haiku-4-5, or a Kiro model id such as auto or claude-sonnet-4.5`,
    );
  }
  const oneM = `${kiroId}-1m`;
  if ((opts.oneM || /\[1m\]/i.test(requested)) && (table.windows.get(kiroId) ?? 0) < M && table.models.has(oneM)) kiroId = oneM;
  const model = table.models.get(kiroId) ?? withKnownFacts({ modelId: kiroId });
  return { kiroId, contextWindow: table.windows.get(kiroId) ?? DEFAULT_WINDOW, model, asked };
}

/** The name without variant suffixes, lower case, aliases applied. */
function bareName(requested: string): string {
  let name = requested.trim().toLowerCase();
  let before: string;
  do {
    before = name;
    name = name.replace(VARIANT_SUFFIX, "");
  } while (name !== before);
  return ALIASES[name] ?? name;
}

function versionOf(name: string): Version | undefined {
  const familyFirst = FAMILY_FIRST.exec(name);
  if (familyFirst) return { family: familyFirst[1]!, major: Number(familyFirst[2]), minor: Number(familyFirst[3] ?? 0) };
  const versionFirst = VERSION_FIRST.exec(name);
  if (versionFirst) return { family: versionFirst[3]!, major: Number(versionFirst[1]), minor: Number(versionFirst[2] ?? 0) };
  return undefined;
}

/** Kiro writes a .0 version without it (`claude-opus-5`) and others dotted (`claude-sonnet-5.5`) (§7). */
const kiroIdOf = (v: Version) => `claude-${v.family}-${v.major}${v.minor ? `.${v.minor}` : ""}`;

const rank = (v: { major: number; minor: number }) => v.major * 100 + v.minor;

type Member = { readonly id: string; readonly rank: number };

/** Each table's families, found once: a table never changes, and the search took ~30 µs of every request. */
const families = new WeakMap<ModelTable, Map<string, readonly Member[]>>();

/** The table's plain models of a family (no `-1m` SKUs), with their versions. */
function familyMembers(table: ModelTable, family: string): readonly Member[] {
  let known = families.get(table);
  if (!known) families.set(table, (known = new Map()));
  let members = known.get(family);
  if (!members) {
    const pattern = new RegExp(`^claude-${family}-(\\d+)(?:\\.(\\d+))?$`);
    members = [...table.models.keys()].flatMap((id) => {
      const m = pattern.exec(id);
      return m ? [{ id, rank: rank({ major: Number(m[1]), minor: Number(m[2] ?? 0) }) }] : [];
    });
    known.set(family, members);
  }
  return members;
}

function closest(table: ModelTable, v: Version): string | undefined {
  const members = familyMembers(table, v.family);
  const wanted = rank(v);
  const atOrBelow = members.filter((m) => m.rank <= wanted).sort((a, b) => b.rank - a.rank)[0];
  return (atOrBelow ?? [...members].sort((a, b) => a.rank - b.rank)[0])?.id;
}

/** A name that only mentions a family ("sonnet", "my-opus"): that family's newest. */
function newestOfFamily(table: ModelTable, name: string): string | undefined {
  const family = new RegExp(FAMILIES).exec(name)?.[1];
  if (!family) return undefined;
  return [...familyMembers(table, family)].sort((a, b) => b.rank - a.rank)[0]?.id;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
