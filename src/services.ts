/**
 * The state of one running gateway, wired together once (design.md: no global singletons, so a test builds a
 * fresh one): configuration, logger, credential store, the pool of accounts, and upstream settings.
 */
import { dirname, join } from "node:path";
import { FailedAuthLimiter } from "./auth";
import { Account, type AccountDeps } from "./pool/account";
import type { Config } from "./config/schema";
import { ModelCatalog } from "./kiro/catalog";
import { authKind, type Credential } from "./kiro/credential";
import { listAvailableModels } from "./kiro/list-models";
import type { UpstreamSettings } from "./kiro/http";
import type { Logger } from "./log";
import { Pool } from "./pool/pool";
import { PoolStateFile } from "./pool/state-file";
import { CredentialStore, type LoadResult } from "./pool/store";

/** Beside the credentials; a dot-file, so never read as a credential. */
export const STATE_FILE = ".kiro-ts-state.json";

export interface Services {
  config: Config;
  log: Logger;
  store: CredentialStore;
  pool: Pool;
  upstream: UpstreamSettings;
  accountDeps: AccountDeps;
  /** Where new accounts are written: credentialsDir, or beside the single credentials file. */
  accountsDir: string;
  stateFile: PoolStateFile;
  authLimiter: FailedAuthLimiter;
  /** The models served and listed: built in, grown by what Kiro says it serves. */
  models: ModelCatalog;
  /** Reads the credential files again (credentialsDir, or the single file). */
  loadCredentials(): Promise<LoadResult>;
}

export function upstreamSettings(config: Config): UpstreamSettings {
  let proxyUrl = config.proxyUrl;
  if (proxyUrl && config.proxyUsername) {
    const u = new URL(proxyUrl);
    u.username = encodeURIComponent(config.proxyUsername);
    u.password = encodeURIComponent(config.proxyPassword ?? "");
    proxyUrl = u.toString();
  }
  return {
    region: config.region,
    kiroApiBaseUrl: config.kiroApiBaseUrl,
    kiroAuthBaseUrl: config.kiroAuthBaseUrl,
    oidcBaseUrl: config.oidcBaseUrl,
    ssoPortalBaseUrl: config.ssoPortalBaseUrl,
    kiroVersion: config.kiroVersion,
    systemVersion: config.systemVersion,
    nodeVersion: config.nodeVersion,
    ...(config.machineId ? { machineId: config.machineId } : {}),
    ...(proxyUrl ? { proxyUrl } : {}),
  };
}

export interface ServiceOptions {
  config: Config;
  log: Logger;
  /** The single credentials file, used when config.credentialsDir is not set. */
  credentialsFile: string;
  /** Where KIRO_API_KEY is read from (process.env by default). */
  env?: Record<string, string | undefined>;
}

/** kiro-rs reads a Kiro API key from this variable too, as one more account. */
const API_KEY_VARIABLE = "KIRO_API_KEY";

/** Loads the accounts and wires the services. A credential file that cannot be used is skipped with a warning naming it. */
export async function createServices({ config, log, credentialsFile, env = process.env }: ServiceOptions): Promise<Services> {
  const store = new CredentialStore();
  const upstream = upstreamSettings(config);
  log.secret(config.apiKey);
  log.secret(config.adminApiKey);
  log.secret(config.countTokensApiKey);
  const accountDeps: AccountDeps = {
    store,
    upstream,
    log,
    failureCooldownSecs: config.failureCooldownSecs,
    maxFailures: config.maxFailures,
  };
  const apiKey = env[API_KEY_VARIABLE]?.trim();
  const loadCredentials = async () => {
    const loaded = config.credentialsDir ? await store.loadDir(config.credentialsDir) : await store.loadFile(credentialsFile);
    if (apiKey) {
      if (loaded.credentials.some((c) => c.name === API_KEY_VARIABLE)) {
        loaded.skipped.push(`${API_KEY_VARIABLE}: a credential file is already named ${API_KEY_VARIABLE}`);
      } else {
        loaded.credentials.unshift({
          name: API_KEY_VARIABLE,
          source: { path: `$${API_KEY_VARIABLE}`, environment: API_KEY_VARIABLE },
          credential: { kiroApiKey: apiKey, authMethod: "api_key" },
        });
      }
    }
    for (const line of loaded.skipped) log.warn(`credential skipped: ${line}`);
    for (const path of loaded.exposed) log.warn(`credential file is readable by other users; run: chmod 600 ${path}`);
    return loaded;
  };
  const loaded = await loadCredentials();
  const pool = new Pool(
    log,
    loaded.credentials.map((c) => new Account(c.name, c.source, c.credential, accountDeps)),
  );
  const accountsDir = config.credentialsDir ?? dirname(credentialsFile);
  const stateFile = new PoolStateFile(join(accountsDir, STATE_FILE), pool, log);
  await stateFile.restore();
  pool.onChange = () => stateFile.touch();
  const models = new ModelCatalog(() => askForModels(pool, upstream), log);
  return { config, log, store, pool, upstream, accountDeps, accountsDir, stateFile, authLimiter: new FailedAuthLimiter(), models, loadCredentials };
}

/**
 * Kiro's model list as one routable account sees it: a paid account before a FREE one (which may not be offered
 * every model), a social one before an IdC one (the kind the call is known to serve).
 */
async function askForModels(pool: Pool, upstream: UpstreamSettings) {
  const rank = (a: Account) =>
    (/free/i.test(a.counters.lastCheck?.subscription ?? "") ? 2 : 0) + (authKind(a.credential) === "social" ? 0 : 1);
  const routable = pool.accounts.filter((a) => a.inPool && a.routable());
  const account = routable.sort((a, b) => rank(a) - rank(b))[0];
  if (!account) return undefined;
  const accessToken = await account.accessToken();
  return listAvailableModels(upstream, { ...account.credential, accessToken }, account.machineId);
}

/** What a new sign-in changes in a credential file: the refresh token, or the API key. */
const signInSecret = (c: Readonly<Credential>) => c.refreshToken ?? c.kiroApiKey;

export interface ReloadResult {
  added: string[];
  removed: string[];
  updated: string[];
}

/**
 * Re-reads the credential files (SIGHUP, POST /admin/reload): new files become accounts, accounts whose file is
 * gone leave the pool, a file replaced by hand replaces the credential. Requests in flight keep the account
 * they hold, so none is harmed.
 */
export async function reloadAccounts(s: Services): Promise<ReloadResult> {
  const loaded = await s.loadCredentials();
  const result: ReloadResult = { added: [], removed: [], updated: [] };
  const seen = new Set<string>();
  for (const c of loaded.credentials) {
    seen.add(c.name);
    const existing = s.pool.get(c.name);
    if (!existing) {
      s.pool.add(new Account(c.name, c.source, c.credential, s.accountDeps));
      result.added.push(c.name);
    } else if (signInSecret(c.credential) !== signInSecret(existing.credential)) {
      existing.replaceCredential(c.credential);
      result.updated.push(c.name);
    }
  }
  for (const a of [...s.pool.accounts]) {
    if (!seen.has(a.name)) {
      s.pool.remove(a.name);
      result.removed.push(a.name);
    }
  }
  // New accounts may be the first that can ask Kiro for its models (or ask through a better account).
  if (result.added.length > 0) void s.models.refresh();
  s.log.info("credentials reloaded", { added: result.added.join(",") || "-", removed: result.removed.join(",") || "-", updated: result.updated.join(",") || "-" });
  return result;
}
