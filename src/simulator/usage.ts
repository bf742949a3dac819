/**
 * The body of getUsageLimits (kiro-protocol.md §1.3), built from an account's live quota. The model list is the
 * catalog's (catalog.ts).
 */
import type { SimAccount } from "./accounts";

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

/** The user id Kiro knows the account by (as `d-…`), also named in its suspension and throttle messages. */
export function userIdOf(account: SimAccount): string {
  return `d-${Bun.hash(account.name).toString(16).padStart(16, "0")}`;
}
