/**
 * The state of one running gateway, wired together once (design.md: no global singletons, so a test builds a
 * fresh one): configuration, logger, credential store, the pool of accounts, and upstream settings.
 */
import { dirname, join } from "node:path";
import { type Cluster, LocalCluster } from "./cluster/cluster";
import type { Config } from "./config/schema";
import { FailedAuthLimiter } from "./http/auth";
import { ModelCatalog } from "./kiro/catalog";
import { KiroChat } from "./kiro/chat";
import { environmentNamesProxy, type UpstreamSettings } from "./kiro/http";
import type { Logger } from "./log";
import { Account, type AccountDeps } from "./pool/account";
import { SessionAffinity } from "./pool/affinity";
import { askEveryAccount } from "./pool/catalogs";
import { Pool } from "./pool/pool";
import { AccountReloader, API_KEY_VARIABLE, loadCredentials, type SourceSettings } from "./pool/reload";
import { PoolStateFile } from "./pool/state-file";
import { CredentialStore } from "./pool/store";
import { Records } from "./records/records";
import { Alerts } from "./metrics/alerts";
import { GatewayMetrics } from "./metrics/metrics";

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
  /** Opens Kiro replies for every front. */
  chat: KiroChat;
  /** Re-reads the credentials (SIGHUP, POST /admin/reload). */
  reloader: AccountReloader;
  /** Client keys, usage and the request log. */
  records: Records;
  /** What /metrics reports. */
  metrics: GatewayMetrics;
  /** alertWebhookUrl's sender, when one is configured. */
  alerts?: Alerts;
  /** Which account served each conversation last (Kiro's prompt cache is per account). */
  sessions: SessionAffinity;
  /** The other instances on the same accounts (redisUrl), or none. */
  cluster: Cluster;
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
    kiroRuntimeBaseUrl: config.kiroRuntimeBaseUrl,
    kiroManagementBaseUrl: config.kiroManagementBaseUrl,
    kiroEndpoint: config.kiroEndpoint,
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
  /** Where KIRO_API_KEY and REDIS_URL are read from (process.env by default). */
  env?: Record<string, string | undefined>;
}

/** Loads the accounts and wires the services. A credential file that cannot be used is skipped with a warning naming it. */
export async function createServices({ config, log, credentialsFile, env = process.env }: ServiceOptions): Promise<Services> {
  const store = new CredentialStore();
  const upstream = upstreamSettings(config);
  log.secret(config.apiKey);
  log.secret(config.adminApiKey);
  log.secret(config.countTokensApiKey);
  const records = await Records.open(config, log);
  const metrics = new GatewayMetrics(() => pool.accounts, records.keys);
  records.recorder.listen((r) => metrics.observe(r));
  const accountsDir = config.credentialsDir ?? dirname(credentialsFile);
  const redisUrl = config.redisUrl ?? (env.REDIS_URL?.trim() || undefined);
  // Loaded only with Redis: its client costs start-up time and memory that a single instance never uses.
  const cluster: Cluster = redisUrl
    ? new (await import("./cluster/redis-cluster")).RedisCluster(redisUrl, config.redisKeyPrefix, {
        log,
        pool: () => pool,
        store,
        accountsDir,
        accountDeps: () => accountDeps,
        keys: () => records.keys,
        onAdded: () => void models.refresh(),
      })
    : new LocalCluster();
  const keyLimits = cluster.keyLimits;
  if (keyLimits) records.recorder.listen((r) => keyLimits.finished(r));
  records.keys.onChange(() => cluster.keysChanged());
  const accountDeps: AccountDeps = {
    store,
    upstream,
    log,
    failureCooldownSecs: config.failureCooldownSecs,
    maxFailures: config.maxFailures,
    onRefresh: (result) => metrics.refreshed(result),
    ...(cluster.sharing ? { sharing: cluster.sharing } : {}),
  };
  const sources: SourceSettings = {
    store,
    log,
    credentialsFile,
    ...(config.credentialsDir ? { credentialsDir: config.credentialsDir } : {}),
    ...(env[API_KEY_VARIABLE]?.trim() ? { apiKey: env[API_KEY_VARIABLE]!.trim() } : {}),
  };
  const loaded = await loadCredentials(sources);
  const stateFile = new PoolStateFile(join(accountsDir, STATE_FILE), log, () => pool.accounts);
  const pool = new Pool(
    log,
    loaded.credentials.map((c) => new Account(c.name, c.source, c.credential, accountDeps)),
    { onChange: () => stateFile.touch() },
  );
  await stateFile.restore();
  await cluster.join();
  const models = new ModelCatalog(() => askEveryAccount(pool, upstream), log);
  // fetch reads the proxy variables from the process's own environment, whatever `env` says.
  const chat = new KiroChat(upstream, { firstEventMs: config.firstEventTimeoutSecs * 1000, idleMs: config.streamIdleTimeoutSecs * 1000 }, log, environmentNamesProxy(process.env));
  const alerts = config.alertWebhookUrl ? new Alerts(config.alertWebhookUrl, pool, log) : undefined;
  if (alerts) records.recorder.listen((r) => alerts.observe(r));
  const reloader = new AccountReloader(pool, sources, accountDeps, (result) => {
    if (result.added.length > 0) void models.refresh();
    // What the files here say now, the other instances take too.
    for (const name of result.added) cluster.accountAdded(pool.get(name)!);
    for (const name of result.removed) cluster.accountRemoved(name, false);
    for (const name of result.updated) cluster.credentialReplaced(pool.get(name)!);
  });
  return { config, log, store, pool, upstream, accountDeps, accountsDir, stateFile, authLimiter: new FailedAuthLimiter(), models, chat, reloader, records, metrics, ...(alerts ? { alerts } : {}), sessions: new SessionAffinity(), cluster };
}
