/**
 * Bodies of the two read-only Kiro endpoints: getUsageLimits (kiro-protocol.md §1.3), built from an account's
 * live quota, and ListAvailableModels (§1.4).
 */
import type { SimAccount } from "./accounts";
import { KNOWN_MODEL_IDS } from "./validate";

export function usageLimitsBody(account: SimAccount, includeUser: boolean): Record<string, unknown> {
  const daysUntilReset = Math.max(0, Math.ceil((account.nextDateReset * 1000 - Date.now()) / 86_400_000));
  return {
    limits: [],
    nextDateReset: account.nextDateReset,
    daysUntilReset,
    usageBreakdownList: [
      {
        resourceType: "CREDIT",
        displayName: "Credit",
        displayNamePlural: "Credits",
        currentUsage: Math.floor(account.currentUsage),
        currentUsageWithPrecision: account.currentUsage,
        usageLimit: Math.floor(account.usageLimit),
        usageLimitWithPrecision: account.usageLimit,
        currentOverages: 0,
        currentOveragesWithPrecision: 0,
        overageCap: 0,
        overageCapWithPrecision: 0,
        overageRate: 0,
        overageCharges: 0,
        nextDateReset: account.nextDateReset,
      },
    ],
    subscriptionInfo: { subscriptionTitle: account.subscriptionTitle },
    overageConfiguration: { overageStatus: "DISABLED" },
    ...(includeUser ? { userInfo: { email: account.email, userId: userIdOf(account) } } : {}),
  };
}

/** Context windows as kiro.rs counts them (§3.3): 1M for sonnet-4.6 and opus-4.6, else 200k. */
export function contextWindowOf(modelId: string): number {
  return modelId === "claude-sonnet-4.6" || modelId === "claude-opus-4.6" ? 1_000_000 : 200_000;
}

export function modelsBody(ids: readonly string[] = KNOWN_MODEL_IDS): Record<string, unknown> {
  const models = ids.map((modelId) => ({
    modelId,
    modelName: displayName(modelId),
    description: `${displayName(modelId)} (simulated)`,
    rateMultiplier: rateOf(modelId),
    rateUnit: "credit",
    tokenLimits: { maxInputTokens: contextWindowOf(modelId), maxOutputTokens: 64_000 },
    supportedInputTypes: modelId.startsWith("claude") || modelId === "auto" ? ["TEXT", "IMAGE"] : ["TEXT"],
    supportsPromptCache: modelId.startsWith("claude"),
  }));
  return { models, defaultModel: models[0] };
}

function displayName(modelId: string): string {
  if (modelId === "auto") return "Auto";
  return modelId
    .split("-")
    .map((part) => (part[0] ?? "").toUpperCase() + part.slice(1))
    .join(" ");
}

function rateOf(modelId: string): number {
  if (modelId.includes("opus")) return 2.2;
  if (modelId.includes("sonnet")) return 1.3;
  if (modelId.includes("haiku")) return 0.4;
  return 1;
}

function userIdOf(account: SimAccount): string {
  return `d-${Bun.hash(account.name).toString(16).padStart(16, "0")}`;
}
