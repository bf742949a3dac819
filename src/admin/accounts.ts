/**
 * What the admin API does, apart from HTTP: views in the seed's shapes (model.ts), quota checks, adding, refreshing
 * and removing accounts with their files. A failure is a GatewayError whose kind is decided here, where it arises
 * (routes.ts renders it as the seed's HTTP 200 `{success:false}`); never the edge's kinds — authentication,
 * rate_limited, request_too_large — which keep an HTTP status, and a 401 would sign the UI out.
 */
import { join } from "node:path";
import { type ErrorKind, GatewayError, invalidRequest } from "../errors";
import { authKind, type Credential, endpointProblem, isAwsRegion } from "../kiro/credential";
import { describeFailure } from "../kiro/http";
import { importFromSsoToken } from "../kiro/sso";
import { getUsageLimits } from "../kiro/usage";
import { Account } from "../pool/account";
import type { Services } from "../services";
import type {
  AccountInfo,
  AddAccountRequest,
  BatchCheckSummary,
  CheckResult,
  CredentialsExport,
  ImportSsoRequest,
  ImportSsoResult,
  PoolStatus,
  RefreshResult,
  ServerConfig,
} from "./model";

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function accountInfo(a: Account): AccountInfo {
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
    state: state.kind === "disabled" && state.why === "suspended" ? "suspended" : state.kind,
    state_reason: state.kind === "healthy" ? undefined : state.reason,
    available_at: iso(a.availableAt),
    expires_at: typeof c.expiresAt === "string" ? c.expiresAt : undefined,
    last_used_at: iso(a.counters.lastUsedAt),
    credential_saved: a.credentialSaved ? undefined : false,
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

export function poolStatus(s: Services): PoolStatus {
  const accounts = s.pool.accounts.map(accountInfo);
  const count = (state: string) => accounts.filter((a) => a.state === state).length;
  return {
    total_accounts: accounts.length,
    healthy_accounts: count("healthy"),
    cooling_accounts: count("cooling"),
    disabled_accounts: count("disabled"),
    suspended_accounts: count("suspended"),
    total_requests: accounts.reduce((n, a) => n + a.request_count, 0),
    requests_per_minute: s.pool.rate.lastHour(),
    waiting_requests: s.pool.waiting.count,
    longest_wait_secs: Math.round(s.pool.waiting.longestWaitMs / 100) / 10,
    accounts,
    cluster: s.cluster.status(),
  };
}

export function findAccount(s: Services, name: string): Account {
  const a = s.pool.get(name);
  if (!a) throw new GatewayError("not_found", `account not found: ${name}`);
  return a;
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
    const error = describeFailure(e);
    a.recordCheck(undefined, error);
    return { name: a.name, healthy: false, currentUsage: 0, usageLimit: 0, usagePercent: 0, error };
  }
}

const BATCH_CONCURRENCY = 4;

/** Checks `names`, a few at a time, reporting each result as it finishes; a name of no account fails its check. */
export async function batchCheck(s: Services, names: string[], onResult: (r: CheckResult) => void = () => {}): Promise<BatchCheckSummary> {
  const results = await bounded(names, BATCH_CONCURRENCY, async (name): Promise<CheckResult> => {
    const a = s.pool.get(name);
    return a ? checkAccount(s, a) : { name, healthy: false, currentUsage: 0, usageLimit: 0, usagePercent: 0, error: "account not found" };
  }, onResult);
  return { results, success_count: results.filter((r) => !r.error).length, failed_count: results.filter((r) => r.error).length };
}

/** Runs `work` over `items` with at most `limit` at once, reporting each result as it finishes. */
async function bounded<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>, onResult: (r: R) => void): Promise<R[]> {
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

/** Adds the account an add request describes: authMethod defaults as kiro-rs reads a file; empty fields are left out. */
export function addAccount(s: Services, { name, addToPool, ...fields }: AddAccountRequest): Promise<Account> {
  const authMethod = fields.authMethod ?? (fields.kiroApiKey && !fields.refreshToken ? "api_key" : "social");
  const credential: Credential = { ...fields, authMethod };
  for (const k of Object.keys(credential)) if (credential[k] === undefined || credential[k] === "") delete credential[k];
  return createAccount(s, name, credential, addToPool ?? true);
}

/**
 * Writes `{accountsDir}/{name}.json` and, when `addToPool`, puts the account in the pool with a working token.
 * Refuses a duplicate name or refresh token; a credential whose token cannot be refreshed is not kept.
 */
async function createAccount(s: Services, name: string, credential: Credential, addToPool: boolean): Promise<Account> {
  if (!NAME.test(name)) throw invalidRequest(`account name "${name}" must be letters, digits and . _ @ + - (it becomes a file name)`);
  const apiKey = authKind(credential) === "api_key";
  if (apiKey && !credential.kiroApiKey) throw invalidRequest("kiroApiKey is required for an API-key account");
  if (!apiKey && !credential.refreshToken) throw invalidRequest("refreshToken is required (or kiroApiKey, for an API-key account)");
  if (s.pool.get(name)) throw invalidRequest(`an account named "${name}" already exists`);
  const endpoints = endpointProblem(credential);
  if (endpoints) throw invalidRequest(endpoints);
  const secret = apiKey ? "kiroApiKey" : "refreshToken";
  if (s.pool.accounts.some((a) => a.credential[secret] === credential[secret])) {
    throw invalidRequest(`an account with this ${apiKey ? "API key" : "refresh token"} already exists`);
  }
  const path = join(s.accountsDir, `${name}.json`);
  await failsAs("invalid_request", s.store.create(path, credential));
  const account = new Account(name, { path }, credential, s.accountDeps, addToPool);
  if (addToPool) {
    try {
      // A refresh proves a refresh token; an API key, which has none, is proven by asking for its quota.
      const accessToken = await account.accessToken();
      if (apiKey) await getUsageLimits(s.upstream, account.caller(accessToken));
    } catch (e) {
      await s.store.remove(path);
      throw invalidRequest(`the credential does not work, so it was not added: ${describeFailure(e)}`);
    }
  }
  s.pool.add(account);
  s.cluster.accountAdded(account);
  return account;
}

/** Signs in with an `x-amz-sso_authn` cookie (kiro/sso.ts), keeps the IdC account it yields, and checks its quota. */
export async function importSso(s: Services, { name, ssoToken, region, addToPool }: ImportSsoRequest): Promise<ImportSsoResult> {
  if (s.pool.get(name)) throw invalidRequest(`an account named "${name}" already exists`);
  if (region !== undefined && !isAwsRegion(region)) throw invalidRequest(`region ${JSON.stringify(region)} is not an AWS region (such as us-east-1)`);
  const tokens = await failsAs("upstream", importFromSsoToken(s.upstream, ssoToken, region ?? "us-east-1"));
  const a = await createAccount(s, name, { ...tokens, authMethod: "IdC", provider: "BuilderId" }, addToPool ?? true);
  const check = await checkAccount(s, a);
  return {
    account: accountInfo(a),
    ...(a.credential.email ? { email: a.credential.email } : {}),
    ...(check.subscription ? { subscription: check.subscription } : {}),
    currentUsage: check.currentUsage,
    usageLimit: check.usageLimit,
  };
}

/** A forced refresh; a cooling account it succeeds for is healthy again. */
export async function refreshAccount(s: Services, name: string): Promise<RefreshResult> {
  const a = findAccount(s, name);
  if (!a.refreshable) throw invalidRequest(`account ${a.name} signs in with an API key: there is no token to refresh`);
  await failsAs("upstream", a.refresh(true), (message) => `token refresh failed: ${message}`);
  if (a.state.kind === "cooling") a.reset();
  return { success: true, message: "token refreshed" };
}

/** Takes an account out of the pool (a name of none is no error) and, when asked, deletes its own file. */
export async function removeAccount(s: Services, name: string, deleteFile: boolean): Promise<void> {
  const removed = s.pool.remove(name);
  // Only a file of its own is deleted: an array file holds other accounts, and KIRO_API_KEY is no file.
  if (removed && deleteFile && removed.source.index === undefined && !removed.source.environment) await s.store.remove(removed.source.path);
  if (removed) s.cluster.accountRemoved(name, deleteFile);
  s.log.info("account removed", { account: name, fileDeleted: !!(removed && deleteFile) });
}

/** The credentials of `names` (all, when none are named), secrets included: the export is logged, by name only. */
export function exportCredentials(s: Services, names: string[] | undefined): CredentialsExport[] {
  const wanted = names?.length ? new Set(names) : undefined;
  const accounts = s.pool.accounts.filter((a) => !wanted || wanted.has(a.name));
  s.log.warn("credentials exported", { accounts: accounts.map((a) => a.name).join(",") });
  return accounts.map(credentialsExport);
}

/** The configuration in force, without secrets. */
export function serverConfig({ config: c }: Services): ServerConfig {
  return {
    host: c.host,
    port: c.port,
    region: c.region,
    kiroVersion: c.kiroVersion,
    ...(c.credentialsDir ? { credentialsDir: c.credentialsDir } : {}),
    failureCooldownSecs: c.failureCooldownSecs,
    maxFailures: c.maxFailures,
  };
}

/** A step below the admin API (a file write, a Kiro call) whose failure is the action's answer, of `kind`. */
async function failsAs<T>(kind: ErrorKind, step: Promise<T>, words = (message: string) => message): Promise<T> {
  try {
    return await step;
  } catch (e) {
    throw new GatewayError(kind, words(describeFailure(e)));
  }
}

function credentialsExport(a: Account): CredentialsExport {
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
