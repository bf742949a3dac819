/**
 * What the admin API does to accounts, apart from HTTP: views in the seed's shapes (snake_case AccountInfo,
 * camelCase check results and exports), quota checks, adding and removing accounts with their files.
 */
import { join } from "node:path";
import { authKind, type Credential } from "../kiro/credential";
import { getUsageLimits } from "../kiro/usage";
import { Account } from "../pool/account";
import type { Services } from "../services";

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function accountInfo(a: Account) {
  const c = a.credential;
  const check = a.counters.lastCheck;
  const state = a.state;
  return omitUndefined({
    name: a.name,
    healthy: a.routable(),
    request_count: a.counters.requests,
    failure_count: a.counters.failures,
    in_pool: a.inPool,
    profile_arn: c.profileArn,
    auth_method: c.authMethod,
    provider: c.provider,
    email: c.email,
    region: c.region,
    state: state.kind,
    state_reason: state.kind === "healthy" ? undefined : state.reason,
    available_at: iso(a.availableAt),
    expires_at: typeof c.expiresAt === "string" ? c.expiresAt : undefined,
    last_used_at: iso(a.counters.lastUsedAt),
    usage: check
      ? omitUndefined({
          subscription: check.subscription,
          currentUsage: check.currentUsage,
          usageLimit: check.usageLimit,
          usagePercent: check.usagePercent,
          nextResetDate: check.nextDateReset,
          checkedAt: new Date(check.checkedAt).toISOString(),
          error: check.error,
        })
      : undefined,
  });
}

export function poolStatus(s: Services) {
  const accounts = s.pool.accounts.map(accountInfo);
  const count = (state: string) => accounts.filter((a) => a.state === state).length;
  return {
    total_accounts: accounts.length,
    healthy_accounts: count("healthy"),
    cooling_accounts: count("cooling"),
    disabled_accounts: count("disabled"),
    total_requests: accounts.reduce((n, a) => n + a.request_count, 0),
    requests_per_minute: s.pool.rate.lastHour(),
    accounts,
  };
}

export interface CheckResult {
  name: string;
  healthy: boolean;
  subscription?: string;
  currentUsage: number;
  usageLimit: number;
  usagePercent: number;
  nextResetDate?: number;
  error?: string;
}

/**
 * Fresh token + getUsageLimits. Also keeps the account's quota state true: used up → resting until the reset
 * date; quota back (reset early, or raised) → a quota rest ends now.
 */
export async function checkAccount(s: Services, a: Account): Promise<CheckResult> {
  try {
    const accessToken = await a.accessToken();
    const usage = await getUsageLimits(s.upstream, a.caller(accessToken));
    a.applyUsage(usage);
    return omitUndefined({
      name: a.name,
      healthy: a.routable(),
      subscription: usage.subscription,
      currentUsage: usage.currentUsage,
      usageLimit: usage.usageLimit,
      usagePercent: usage.usagePercent,
      nextResetDate: usage.nextDateReset,
    });
  } catch (e) {
    const error = (e as Error).message;
    a.recordCheck(undefined, error);
    return { name: a.name, healthy: false, currentUsage: 0, usageLimit: 0, usagePercent: 0, error };
  }
}

/** Runs `work` over `items` with at most `limit` at once, reporting each result as it finishes. */
export async function bounded<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>, onResult: (r: R) => void): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      const r = await work(item);
      results.push(r);
      onResult(r);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$/;

/**
 * Writes `{accountsDir}/{name}.json` and, when `addToPool`, puts the account in the pool with a working token.
 * Refuses a duplicate name or refresh token; a credential whose token cannot be refreshed is not kept.
 */
export async function addAccount(s: Services, name: string, credential: Credential, addToPool: boolean): Promise<Account> {
  if (!NAME.test(name)) throw new Error(`account name "${name}" must be letters, digits and . _ @ + - (it becomes a file name)`);
  const apiKey = authKind(credential) === "api_key";
  if (apiKey && !credential.kiroApiKey) throw new Error("kiroApiKey is required for an API-key account");
  if (!apiKey && !credential.refreshToken) throw new Error("refreshToken is required (or kiroApiKey, for an API-key account)");
  if (s.pool.get(name)) throw new Error(`an account named "${name}" already exists`);
  const secret = apiKey ? "kiroApiKey" : "refreshToken";
  if (s.pool.accounts.some((a) => a.credential[secret] === credential[secret])) {
    throw new Error(`an account with this ${apiKey ? "API key" : "refresh token"} already exists`);
  }
  const path = join(s.accountsDir, `${name}.json`);
  await s.store.create(path, credential);
  const account = new Account(name, { path }, credential, s.accountDeps, addToPool);
  if (addToPool) {
    try {
      // A refresh proves a refresh token; an API key, which has none, is proven by asking for its quota.
      const accessToken = await account.accessToken();
      if (apiKey) await getUsageLimits(s.upstream, account.caller(accessToken));
    } catch (e) {
      await s.store.remove(path);
      throw new Error(`the credential does not work, so it was not added: ${(e as Error).message}`);
    }
  }
  s.pool.add(account);
  return account;
}

export function credentialsExport(a: Account) {
  const c = a.credential;
  return omitUndefined({
    name: a.name,
    healthy: a.routable(),
    requestCount: a.counters.requests,
    failureCount: a.counters.failures,
    inPool: a.inPool,
    profileArn: c.profileArn,
    authMethod: c.authMethod,
    provider: c.provider,
    region: c.region,
    accessToken: c.accessToken,
    refreshToken: c.refreshToken,
    csrfToken: typeof c.csrfToken === "string" ? c.csrfToken : undefined,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    kiroApiKey: c.kiroApiKey,
    expiresAt: c.expiresAt,
  });
}

function omitUndefined<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o as { [K in keyof T]: Exclude<T[K], undefined> };
}
