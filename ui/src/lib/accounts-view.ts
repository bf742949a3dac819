import type { AccountInfo, AccountState, CheckAccountResponse } from "../api/types";
import type { AccountsMeta } from "../state/accounts-meta";
import { parseTime } from "./format";
import { quotaOf } from "./quota";

export const ANY = "all";
/** The group filter's value for accounts that belong to no group. */
export const NO_GROUP = "none";

export interface AccountFilters {
  search: string;
  state: AccountState | typeof ANY;
  provider: string;
  authMethod: string;
  groupId: string;
  tagId: string;
}

export const noFilters = (): AccountFilters => ({ search: "", state: ANY, provider: ANY, authMethod: ANY, groupId: ANY, tagId: ANY });

export type SortKey = "name" | "state" | "requests" | "failures" | "usage" | "expiry" | "provider";
export type SortDirection = "asc" | "desc";

export interface AccountSort {
  key: SortKey;
  direction: SortDirection;
}

/** What the table needs beyond the server's record. */
export interface AccountContext {
  meta: AccountsMeta;
  checks: Readonly<Record<string, CheckAccountResponse>>;
}

function searchText(account: AccountInfo, meta: AccountsMeta): string {
  const notes = meta.metaByName[account.name]?.notes ?? "";
  return [account.name, account.email, account.provider, account.region, account.auth_method, account.state_reason, notes]
    .filter(Boolean)
    .join("\n")
    .toLowerCase();
}

export function filterAccounts(accounts: readonly AccountInfo[], filters: AccountFilters, context: AccountContext): AccountInfo[] {
  const words = filters.search.toLowerCase().split(/\s+/).filter(Boolean);
  return accounts.filter((account) => {
    if (filters.state !== ANY && account.state !== filters.state) return false;
    if (filters.provider !== ANY && (account.provider ?? "") !== filters.provider) return false;
    if (filters.authMethod !== ANY && (account.auth_method ?? "") !== filters.authMethod) return false;
    const meta = context.meta.metaByName[account.name];
    if (filters.groupId === NO_GROUP && meta?.groupId) return false;
    if (filters.groupId !== NO_GROUP && filters.groupId !== ANY && meta?.groupId !== filters.groupId) return false;
    if (filters.tagId !== ANY && !meta?.tagIds.includes(filters.tagId)) return false;
    if (words.length > 0) {
      const text = searchText(account, context.meta);
      if (!words.every((word) => text.includes(word))) return false;
    }
    return true;
  });
}

const STATE_ORDER: Record<AccountState, number> = { healthy: 0, cooling: 1, disabled: 2, suspended: 3 };

/** Every state the server reports, in the order the filter offers them. */
export const ACCOUNT_STATES = Object.keys(STATE_ORDER) as AccountState[];
export const isAccountState = (value: string): value is AccountState => Object.hasOwn(STATE_ORDER, value);

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/** Sorts a copy; ties (and accounts missing the sorted value, which go last) fall back to the name. */
export function sortAccounts(accounts: readonly AccountInfo[], sort: AccountSort, context: AccountContext): AccountInfo[] {
  const valueOf = (account: AccountInfo): number | string | undefined => {
    switch (sort.key) {
      case "name":
        return account.name;
      case "state":
        return STATE_ORDER[account.state];
      case "requests":
        return account.request_count;
      case "failures":
        return account.failure_count;
      case "usage":
        return quotaOf(account, context.checks[account.name])?.percent;
      case "expiry":
        return parseTime(account.expires_at);
      case "provider":
        return account.provider;
    }
  };
  const sign = sort.direction === "asc" ? 1 : -1;
  const keyed = accounts.map((account) => ({ account, value: valueOf(account) }));
  keyed.sort((a, b) => {
    if (a.value === undefined || b.value === undefined) {
      if (a.value !== b.value) return a.value === undefined ? 1 : -1;
    } else if (a.value !== b.value) {
      const order = typeof a.value === "number" && typeof b.value === "number" ? a.value - b.value : collator.compare(String(a.value), String(b.value));
      if (order !== 0) return sign * order;
    }
    return collator.compare(a.account.name, b.account.name);
  });
  return keyed.map((entry) => entry.account);
}

/** The distinct non-empty values of a field, for a filter's options. */
export function distinctValues(accounts: readonly AccountInfo[], field: "provider" | "auth_method"): string[] {
  const values = new Set<string>();
  for (const account of accounts) {
    const value = account[field];
    if (value) values.add(value);
  }
  return [...values].sort(collator.compare);
}
