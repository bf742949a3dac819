import type { AccountInfo, CheckAccountResponse } from "../api/types";

export interface Quota {
  used: number;
  limit: number;
  remaining: number;
  /** 0–100. */
  percent: number;
  subscription?: string;
  /** Unix seconds (or ms, see resetDateMs). */
  nextResetDate?: number;
}

export interface QuotaTotals extends Quota {
  /** Accounts whose quota is known. */
  checked: number;
  total: number;
}

export function percentOf(used: number, limit: number): number {
  return limit > 0 ? Math.min(100, (used / limit) * 100) : 0;
}

function quota(used: number, limit: number, subscription?: string, nextResetDate?: number): Quota {
  return { used, limit, remaining: Math.max(0, limit - used), percent: percentOf(used, limit), subscription, nextResetDate };
}

/**
 * What is known of an account's quota: the server's own record first, else the last check this browser ran
 * (kept in the seed's `kiro-check-results`). A failed check, or a limit of 0, tells nothing about the quota.
 */
export function quotaOf(account: AccountInfo, checked?: CheckAccountResponse): Quota | undefined {
  if (account.usage && account.usage.usageLimit > 0) {
    const u = account.usage;
    return quota(u.currentUsage, u.usageLimit, u.subscription, u.nextResetDate);
  }
  if (checked && !checked.error && checked.usageLimit > 0) {
    return quota(checked.currentUsage, checked.usageLimit, checked.subscription, checked.nextResetDate);
  }
  return undefined;
}

export function quotaTotals(accounts: readonly AccountInfo[], checks: Readonly<Record<string, CheckAccountResponse>>): QuotaTotals {
  let used = 0;
  let limit = 0;
  let checked = 0;
  for (const account of accounts) {
    const q = quotaOf(account, checks[account.name]);
    if (!q) continue;
    used += q.used;
    limit += q.limit;
    checked += 1;
  }
  return { ...quota(used, limit), checked, total: accounts.length };
}

export type UsageTone = "ok" | "warn" | "high";

export function usageTone(percent: number): UsageTone {
  if (percent >= 90) return "high";
  if (percent >= 70) return "warn";
  return "ok";
}
