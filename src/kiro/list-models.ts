/**
 * ListAvailableModels (kiro-protocol.md §1.4; kiro-protocol-2026.md §1.6, §2): the models Kiro serves an account,
 * page by page, with what each takes — on the management host (awsJson, with the account's profile), or as the
 * legacy REST GET on q.*; `auto` falls back to the legacy call when the management host refuses.
 */
import { endpointOf, managementCall, profileArnOf, usesManagement } from "./control-plane";
import type { ChatAccount } from "./credential";
import { runtimeGet, type UpstreamSettings } from "./http";
import type { JsonSchema, KiroModel } from "./models";

interface Entry {
  modelId?: unknown;
  modelName?: unknown;
  tokenLimits?: { maxInputTokens?: unknown; maxOutputTokens?: unknown };
  additionalModelRequestFieldsSchema?: unknown;
  promptCaching?: { supportsPromptCaching?: unknown; maximumCacheCheckpointsPerRequest?: unknown; minimumTokensPerCacheCheckpoint?: unknown };
}

interface ModelsAnswer {
  models?: Entry[];
  nextToken?: unknown;
}

/** More pages than Kiro has ever sent; a nextToken that never ends must not loop forever. */
const MAX_PAGES = 10;

export async function listAvailableModels(s: UpstreamSettings, account: ChatAccount, signal?: AbortSignal): Promise<KiroModel[]> {
  if (!usesManagement(s, account.credential)) return listPages((params) => runtimeGet<ModelsAnswer>(s, account, "ListAvailableModels", params, signal));
  try {
    const profileArn = await profileArnOf(s, account, signal);
    return await listPages((params) =>
      managementCall<ModelsAnswer>(s, account, "AmazonCodeWhispererService.ListAvailableModels", { ...Object.fromEntries(params), ...(profileArn ? { profileArn } : {}) }, signal),
    );
  } catch (e) {
    if (endpointOf(s, account.credential) !== "auto" || signal?.aborted) throw e;
    return listPages((params) => runtimeGet<ModelsAnswer>(s, account, "ListAvailableModels", params, signal));
  }
}

async function listPages(page: (params: URLSearchParams) => Promise<ModelsAnswer>): Promise<KiroModel[]> {
  const models: KiroModel[] = [];
  let nextToken: string | undefined;
  for (let n = 0; n < MAX_PAGES; n++) {
    const params = new URLSearchParams({ origin: "AI_EDITOR" });
    if (nextToken) params.set("nextToken", nextToken);
    const answer = await page(params);
    for (const entry of answer.models ?? []) {
      const model = modelOf(entry);
      if (model) models.push(model);
    }
    if (typeof answer.nextToken !== "string" || answer.nextToken === "") break;
    nextToken = answer.nextToken;
  }
  return models;
}

const count = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v > 0 ? v : undefined);

function modelOf(m: Entry): KiroModel | undefined {
  if (typeof m.modelId !== "string" || m.modelId === "") return undefined;
  const schema = m.additionalModelRequestFieldsSchema;
  const caching = m.promptCaching;
  const maxInputTokens = count(m.tokenLimits?.maxInputTokens);
  const maxOutputTokens = count(m.tokenLimits?.maxOutputTokens);
  return {
    modelId: m.modelId,
    ...(typeof m.modelName === "string" ? { modelName: m.modelName } : {}),
    ...(maxInputTokens ? { maxInputTokens } : {}),
    ...(maxOutputTokens ? { maxOutputTokens } : {}),
    ...(schema && typeof schema === "object" ? { fieldsSchema: schema as JsonSchema } : {}),
    ...(caching?.supportsPromptCaching === true
      ? { caching: { maxCheckpoints: count(caching.maximumCacheCheckpointsPerRequest) ?? 4, minTokens: count(caching.minimumTokensPerCacheCheckpoint) ?? 1024 } }
      : {}),
  };
}
