/**
 * getUsageLimits (kiro-protocol.md §1.3): an account's quota, subscription and email — on the management host
 * (awsJson, kiro-protocol-2026.md §1.6) or as the legacy REST GET on q.*, to which `auto` falls back.
 */
import { endpointOf, managementCall, profileArnOf, usesManagement } from "./control-plane";
import type { ChatAccount } from "./credential";
import { runtimeGet, type UpstreamSettings } from "./http";

export interface UsageSummary {
  subscription?: string;
  currentUsage: number;
  usageLimit: number;
  usagePercent: number;
  /** Unix seconds. */
  nextDateReset?: number;
  email?: string;
}

interface Breakdown {
  resourceType?: string;
  currentUsageWithPrecision?: number;
  currentUsage?: number;
  usageLimitWithPrecision?: number;
  usageLimit?: number;
  nextDateReset?: number;
  freeTrialInfo?: { freeTrialStatus?: string; currentUsageWithPrecision?: number; currentUsage?: number; usageLimitWithPrecision?: number; usageLimit?: number };
  bonuses?: Array<{ status?: string; currentUsage?: number; usageLimit?: number }>;
}

interface UsageAnswer {
  nextDateReset?: number;
  usageBreakdownList?: Breakdown[];
  subscriptionInfo?: { subscriptionTitle?: string };
  userInfo?: { email?: string };
}

export async function getUsageLimits(
  s: UpstreamSettings,
  account: ChatAccount,
  signal?: AbortSignal,
): Promise<UsageSummary> {
  const params = new URLSearchParams({ origin: "AI_EDITOR", resourceType: "AGENTIC_REQUEST", isEmailRequired: "true" });
  const legacy = () => runtimeGet<UsageAnswer>(s, account, "getUsageLimits", params, signal);
  if (!usesManagement(s, account.credential)) return summarise(await legacy());
  try {
    const profileArn = await profileArnOf(s, account, signal);
    const body = { origin: "AI_EDITOR", resourceType: "AGENTIC_REQUEST", isEmailRequired: true, ...(profileArn ? { profileArn } : {}) };
    return summarise(await managementCall<UsageAnswer>(s, account, "AmazonCodeWhispererService.GetUsageLimits", body, signal));
  } catch (e) {
    if (endpointOf(s, account.credential) !== "auto" || signal?.aborted) throw e;
    return summarise(await legacy());
  }
}

const n = (...vs: Array<number | undefined>) => vs.find((v) => typeof v === "number" && Number.isFinite(v)) ?? 0;

/** KRS arithmetic: base + active free trial + active bonuses. */
export function summarise(a: UsageAnswer): UsageSummary {
  const list = a.usageBreakdownList ?? [];
  const b = list.find((x) => x.resourceType === "CREDIT") ?? list[0];
  let used = 0;
  let limit = 0;
  if (b) {
    used = n(b.currentUsageWithPrecision, b.currentUsage);
    limit = n(b.usageLimitWithPrecision, b.usageLimit);
    const trial = b.freeTrialInfo;
    if (trial?.freeTrialStatus === "ACTIVE") {
      used += n(trial.currentUsageWithPrecision, trial.currentUsage);
      limit += n(trial.usageLimitWithPrecision, trial.usageLimit);
    }
    for (const bonus of b.bonuses ?? []) {
      if (bonus.status !== "ACTIVE") continue;
      used += n(bonus.currentUsage);
      limit += n(bonus.usageLimit);
    }
  }
  const reset = a.nextDateReset ?? b?.nextDateReset;
  return {
    ...(a.subscriptionInfo?.subscriptionTitle ? { subscription: a.subscriptionInfo.subscriptionTitle } : {}),
    currentUsage: used,
    usageLimit: limit,
    usagePercent: limit > 0 ? Math.min(100, (used / limit) * 100) : 0,
    ...(typeof reset === "number" ? { nextDateReset: reset > 1e12 ? Math.floor(reset / 1000) : reset } : {}),
    ...(a.userInfo?.email ? { email: a.userInfo.email } : {}),
  };
}
