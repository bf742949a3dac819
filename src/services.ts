/**
 * The state of one running gateway, wired together once (design.md: no global singletons, so a test builds a
 * fresh one): configuration, logger, credential store, the pool of accounts, and upstream settings.
 */
import { dirname, join } from "node:path";
import { FailedAuthLimiter } from "./auth";
import { Account, type AccountDeps } from "./pool/account";
import type { Config } from "./config/schema";
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
}

/** Loads the accounts and wires the services. A credential file that cannot be used is skipped with a warning naming it. */
export async function createServices({ config, log, credentialsFile }: ServiceOptions): Promise<Services> {
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
  const loaded: LoadResult = config.credentialsDir ? await store.loadDir(config.credentialsDir) : await store.loadFile(credentialsFile);
  for (const line of loaded.skipped) log.warn(`credential skipped: ${line}`);
  for (const path of loaded.exposed) log.warn(`credential file is readable by other users; run: chmod 600 ${path}`);
  const pool = new Pool(
    log,
    loaded.credentials.map((c) => new Account(c.name, c.source, c.credential, accountDeps)),
  );
  const accountsDir = config.credentialsDir ?? dirname(credentialsFile);
  const stateFile = new PoolStateFile(join(accountsDir, STATE_FILE), pool, log);
  await stateFile.restore();
  pool.onChange = () => stateFile.touch();
  return { config, log, store, pool, upstream, accountDeps, accountsDir, stateFile, authLimiter: new FailedAuthLimiter() };
}
