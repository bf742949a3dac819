/** ListAvailableModels (kiro-protocol.md §1.4): the models Kiro serves an account, page by page. */
import type { ChatAccount } from "./credential";
import { runtimeGet, type UpstreamSettings } from "./http";
import type { KiroModel } from "./models";

interface ModelsAnswer {
  models?: Array<{ modelId?: unknown; modelName?: unknown; tokenLimits?: { maxInputTokens?: unknown } }>;
  nextToken?: unknown;
}

/** More pages than Kiro has ever sent; a nextToken that never ends must not loop forever. */
const MAX_PAGES = 10;

export async function listAvailableModels(
  s: UpstreamSettings,
  account: ChatAccount,
  signal?: AbortSignal,
): Promise<KiroModel[]> {
  const models: KiroModel[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const params = new URLSearchParams({ origin: "AI_EDITOR" });
    if (nextToken) params.set("nextToken", nextToken);
    const answer = await runtimeGet<ModelsAnswer>(s, account, "ListAvailableModels", params, signal);
    for (const m of answer.models ?? []) {
      if (typeof m.modelId !== "string" || m.modelId === "") continue;
      const limit = m.tokenLimits?.maxInputTokens;
      models.push({
        modelId: m.modelId,
        ...(typeof m.modelName === "string" ? { modelName: m.modelName } : {}),
        ...(typeof limit === "number" && Number.isFinite(limit) ? { maxInputTokens: limit } : {}),
      });
    }
    if (typeof answer.nextToken !== "string" || answer.nextToken === "") break;
    nextToken = answer.nextToken;
  }
  return models;
}
