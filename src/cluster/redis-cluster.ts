/**
 * Several instances sharing one pool through Redis (redisUrl). What lives where:
 *
 *   {prefix}credential:{account}    the latest credential, JSON (newest refresh token wins: by its access token's expiry)
 *   {prefix}refresh-lock:{account}  one refresh at a time (refresh-lock.ts)
 *   {prefix}account:{account}       health and quota result, JSON with `at` (the newest change wins)
 *   {prefix}members / removed       hashes: accounts added or removed by an admin, and when
 *   {prefix}instances               sorted set: each instance's last heartbeat
 *   {prefix}key:…                   client-key counters (key-limits.ts)
 *   {prefix}events                  pub/sub channel: every change above as it happens, and each instance's load
 *
 * Every change is published the moment it is made; a resync every SYNC_MS catches what a lost message missed, and
 * on each (re)connection this instance republishes what it knows, so a Redis that came back empty fills again.
 * Each instance still keeps its own credential files: it writes what it adopts, and a file is what it starts from.
 */
import { hostname } from "node:os";
import { join } from "node:path";
import { authKind, type Credential, expiryOf } from "../kiro/credential";
import type { Logger } from "../log";
import { Account, type AccountDeps, type AccountSharing, type SharedAccountState } from "../pool/account";
import type { Pool } from "../pool/pool";
import type { CredentialStore } from "../pool/store";
import type { ClientKeys } from "../records/keys";
import type { Cluster, ClusterStatus } from "./cluster";
import { RedisKeyLimits } from "./key-limits";
import { RedisLink, RedisUnreachable } from "./redis-link";
import { withRefreshLock } from "./refresh-lock";

/** How often everything is read again, in case a published change was missed. */
const SYNC_MS = 2_000;
/** How often each instance tells the others its recent load (and that it is alive). */
const LOAD_MS = 1_000;
/** An instance not heard from for this long is gone: its load no longer counts. */
export const PEER_GONE_MS = 5_000;
/** Client keys are read again from the records this often (a missed "keys" message). */
const KEYS_SYNC_MS = 10_000;
/** Must match the decay of Account.recentLoad. */
const LOAD_HALF_LIFE_MS = 60_000;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$/;

/** Writes the credential unless Redis holds one that expires later; publishes it when written. */
const PUT_CREDENTIAL = `
local cur = redis.call("get", KEYS[1])
if ARGV[3] ~= "1" and cur then
  local ok, c = pcall(cjson.decode, cur)
  if ok and tonumber(c.expiresAt) and tonumber(c.expiresAt) > tonumber(ARGV[2]) then return 0 end
end
redis.call("set", KEYS[1], ARGV[1])
redis.call("publish", ARGV[4], ARGV[5])
return 1`;

/** Writes an account's state unless Redis holds a newer one; publishes it when written. */
const PUT_STATE = `
local cur = redis.call("get", KEYS[1])
if cur then
  local ok, c = pcall(cjson.decode, cur)
  if ok and tonumber(c.at) and tonumber(c.at) >= tonumber(ARGV[2]) then return 0 end
end
redis.call("set", KEYS[1], ARGV[1])
redis.call("publish", ARGV[3], ARGV[4])
return 1`;

export interface ClusterDeps {
  log: Logger;
  pool: () => Pool;
  store: CredentialStore;
  /** Where an account added on another instance gets its file here. */
  accountsDir: string;
  accountDeps: () => AccountDeps;
  keys: () => ClientKeys;
  /** Accounts were added (they may be the first that can ask Kiro for its models). */
  onAdded: () => void;
}

type Message =
  | { kind: "credential"; name: string; credential: Credential; replaced?: boolean }
  | { kind: "account"; name: string; shared: SharedAccountState }
  | { kind: "added"; name: string; credential: Credential; inPool: boolean }
  | { kind: "removed"; name: string; fileDeleted: boolean }
  | { kind: "keys" }
  | { kind: "load"; at: number; loads: Record<string, number> };

interface Peer {
  at: number;
  loads: Record<string, number>;
}

export class RedisCluster implements Cluster, AccountSharing {
  readonly instance = `${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 4)}`;
  readonly sharing: AccountSharing = this;
  readonly keyLimits: RedisKeyLimits;
  private readonly link: RedisLink;
  private readonly startedAt = Date.now();
  /** Accounts whose state changed here and is not published yet. */
  private readonly unpublished = new Set<string>();
  private readonly peers = new Map<string, Peer>();
  /** When each account was added here by another instance's word. */
  private readonly addedAt = new Map<string, number>();
  private readonly timers: Array<ReturnType<typeof setInterval>> = [];
  private lastKeySync = 0;

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly deps: ClusterDeps,
  ) {
    this.link = new RedisLink(url, `${prefix}events`, deps.log, (text) => this.heard(text), () => this.converge());
    this.keyLimits = new RedisKeyLimits(this.link, prefix, this.instance);
  }

  status(): ClusterStatus {
    const since = this.link.unreachableSince;
    return {
      mode: "redis",
      instance: this.instance,
      redis: this.link.connected ? "connected" : "unreachable",
      ...(since !== undefined ? { unreachableSince: new Date(since).toISOString() } : {}),
      peers: this.livePeers().length,
    };
  }

  async join(): Promise<void> {
    await this.link.open();
    const every = (ms: number, work: () => Promise<void>) => {
      const t = setInterval(() => void work().catch((e) => this.quiet(e)), ms);
      t.unref?.();
      this.timers.push(t);
    };
    every(LOAD_MS, () => this.tellLoad());
    every(SYNC_MS, () => this.resync());
  }

  async leave(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.link.call((r) => r.send("ZREM", [this.key("instances"), this.instance])).catch(() => {});
    await this.link.close();
  }

  // ── AccountSharing: what each Account asks ──

  refreshTurn<T>(account: Account, work: () => Promise<T>): Promise<T> {
    return withRefreshLock(this.link, this.key("refresh-lock", account.name), work);
  }

  async newerCredential(account: Account): Promise<Credential | undefined> {
    const text = await this.link.call((r) => r.get(this.key("credential", account.name)));
    if (!text) return undefined;
    const { credential } = JSON.parse(text) as { credential: Credential };
    return isNewer(credential, account.credential) ? credential : undefined;
  }

  async refreshed(account: Account): Promise<void> {
    await this.putCredential(account.name, account.credential, true);
  }

  stateChanged(account: Account): void {
    if (this.unpublished.size === 0) queueMicrotask(() => void this.publishStates());
    this.unpublished.add(account.name);
  }

  // ── Admin changes made here ──

  accountAdded(account: Account): void {
    const name = account.name;
    void (async () => {
      await this.link.call((r) => r.hset(this.key("members"), name, String(Date.now())));
      await this.link.call((r) => r.hdel(this.key("removed"), name));
      await this.putCredential(name, account.credential, true, false);
      await this.link.publish(this.message({ kind: "added", name, credential: account.credential, inPool: account.inPool }));
    })().catch((e) => this.quiet(e));
  }

  accountRemoved(name: string, fileDeleted: boolean): void {
    void (async () => {
      await this.link.call((r) => r.hdel(this.key("members"), name));
      await this.link.call((r) => r.hset(this.key("removed"), name, String(Date.now())));
      await this.link.call((r) => r.del(this.key("credential", name), this.key("account", name)));
      await this.link.publish(this.message({ kind: "removed", name, fileDeleted }));
    })().catch((e) => this.quiet(e));
  }

  credentialReplaced(account: Account): void {
    this.putCredential(account.name, account.credential, true, true).catch((e) => this.quiet(e));
  }

  keysChanged(): void {
    this.link.publish(this.message({ kind: "keys" })).catch((e) => this.quiet(e));
  }

  // ── Publishing ──

  private key(...parts: string[]): string {
    return this.prefix + parts.join(":");
  }

  private message(m: Message): Message & { from: string } {
    return { ...m, from: this.instance };
  }

  private async putCredential(name: string, credential: Credential, force: boolean, replaced?: boolean): Promise<boolean> {
    const expiresAt = expiryOf(credential) ?? 0;
    const message = this.message({ kind: "credential", name, credential, ...(replaced ? { replaced } : {}) });
    const written = await this.link.script(PUT_CREDENTIAL, [this.key("credential", name)], [
      JSON.stringify({ credential, expiresAt }),
      expiresAt,
      force ? "1" : "0",
      this.link.channel,
      JSON.stringify(message),
    ]);
    return written === 1;
  }

  private async publishStates(): Promise<void> {
    const names = [...this.unpublished];
    this.unpublished.clear();
    if (!this.link.connected) return;
    const pool = this.deps.pool();
    await Promise.all(
      names.map((name) => {
        const account = pool.get(name);
        return account ? this.putState(account).catch((e) => this.quiet(e)) : undefined;
      }),
    );
  }

  private putState(account: Account): Promise<unknown> {
    const shared = account.shared;
    return this.link.script(PUT_STATE, [this.key("account", account.name)], [
      JSON.stringify(shared),
      shared.at,
      this.link.channel,
      JSON.stringify(this.message({ kind: "account", name: account.name, shared })),
    ]);
  }

  private async tellLoad(): Promise<void> {
    if (!this.link.connected) return;
    const now = Date.now();
    const loads: Record<string, number> = {};
    for (const a of this.deps.pool().accounts) {
      const load = a.ownLoad(now);
      if (load >= 0.01) loads[a.name] = Math.round(load * 100) / 100;
    }
    await this.link.call((r) => r.send("ZADD", [this.key("instances"), String(now), this.instance]));
    await this.link.publish(this.message({ kind: "load", at: now, loads }));
    this.sumPeerLoads(now);
  }

  // ── Hearing the others ──

  private heard(text: string): void {
    let m: Message & { from: string };
    try {
      m = JSON.parse(text);
    } catch {
      return;
    }
    if (m.from === this.instance) return;
    this.apply(m).catch((e) => this.deps.log.warn("could not apply another instance's change", { kind: m.kind, error: (e as Error).message }));
  }

  private async apply(m: Message & { from: string }): Promise<void> {
    const pool = this.deps.pool();
    switch (m.kind) {
      case "credential": {
        const account = pool.get(m.name);
        if (account && (m.replaced || isNewer(m.credential, account.credential))) await account.adoptCredential(m.credential);
        return;
      }
      case "account":
        pool.get(m.name)?.applyShared(m.shared);
        return;
      case "added":
        return this.addHere(m.name, m.credential, m.inPool);
      case "removed":
        return this.removeHere(m.name, m.fileDeleted);
      case "keys":
        return this.deps.keys().reload();
      case "load":
        this.peers.set(m.from, { at: m.at, loads: m.loads });
        this.sumPeerLoads(Date.now());
        return;
    }
  }

  private livePeers(now = Date.now()): Peer[] {
    for (const [name, p] of this.peers) if (now - p.at > PEER_GONE_MS) this.peers.delete(name);
    return [...this.peers.values()];
  }

  private sumPeerLoads(now: number): void {
    const peers = this.livePeers(now);
    for (const a of this.deps.pool().accounts) {
      let sum = 0;
      for (const p of peers) sum += (p.loads[a.name] ?? 0) * 2 ** (-(now - p.at) / LOAD_HALF_LIFE_MS);
      a.setPeerLoad(sum, now);
    }
  }

  /** An account another instance's admin added: a file of its own here too, and into the pool. */
  private async addHere(name: string, credential: Credential, inPool: boolean): Promise<void> {
    const pool = this.deps.pool();
    const existing = pool.get(name);
    if (existing) {
      if (isNewer(credential, existing.credential)) await existing.adoptCredential(credential);
      return;
    }
    if (!NAME.test(name)) return;
    const path = join(this.deps.accountsDir, `${name}.json`);
    await this.deps.store.create(path, credential).catch(() => this.deps.store.save({ path }, credential));
    if (pool.get(name)) return;
    pool.add(new Account(name, { path }, credential, this.deps.accountDeps(), inPool));
    this.addedAt.set(name, Date.now());
    this.deps.log.info("account added by another instance", { account: name });
    this.deps.onAdded();
  }

  private async removeHere(name: string, fileDeleted: boolean): Promise<void> {
    const removed = this.deps.pool().remove(name);
    if (!removed) return;
    this.addedAt.delete(name);
    if (fileDeleted && removed.source.index === undefined && !removed.source.environment) await this.deps.store.remove(removed.source.path);
    this.deps.log.info("account removed by another instance", { account: name, fileDeleted });
  }

  // ── Converging ──

  /**
   * On the first connection and after each loss: the newer of each credential and state wins, whichever side holds
   * it, and what Redis does not know (it may have come back empty) is published again.
   */
  private async converge(): Promise<void> {
    const pool = this.deps.pool();
    await this.link.call((r) => r.send("ZADD", [this.key("instances"), String(Date.now()), this.instance]));
    for (const account of [...pool.accounts]) {
      if (account.source.environment) continue;
      const newer = await this.newerCredential(account);
      if (newer) await account.adoptCredential(newer);
      else await this.putCredential(account.name, account.credential, false);
      await this.link.call((r) => r.hsetnx(this.key("members"), account.name, String(this.startedAt)));
    }
    await this.readStates();
    for (const account of pool.accounts) await this.putState(account);
    await this.syncMembers();
    await this.deps.keys().reload();
    this.lastKeySync = Date.now();
  }

  private async resync(): Promise<void> {
    if (!this.link.connected) return;
    const pool = this.deps.pool();
    const shared = pool.accounts.filter((a) => !a.source.environment);
    if (shared.length > 0 && !(await this.link.call((r) => r.exists(this.key("members"))))) {
      this.deps.log.info("Redis holds none of the pool's state (restarted empty?): publishing this instance's again");
      return this.converge();
    }
    await this.readStates();
    await this.syncMembers();
    if (Date.now() - this.lastKeySync >= KEYS_SYNC_MS) {
      this.lastKeySync = Date.now();
      await this.deps.keys().reload();
    }
  }

  private async readStates(): Promise<void> {
    const accounts = this.deps.pool().accounts;
    if (accounts.length === 0) return;
    const texts = (await this.link.call((r) => r.send("MGET", accounts.map((a) => this.key("account", a.name))))) as Array<string | null>;
    accounts.forEach((a, i) => {
      const text = texts[i];
      if (text) a.applyShared(JSON.parse(text) as SharedAccountState);
    });
  }

  private async syncMembers(): Promise<void> {
    const [members, removed] = await Promise.all([
      this.link.call((r) => r.hgetall(this.key("members"))),
      this.link.call((r) => r.hgetall(this.key("removed"))),
    ]);
    const pool = this.deps.pool();
    for (const name of Object.keys(members ?? {})) {
      if (pool.get(name)) continue;
      const text = await this.link.call((r) => r.get(this.key("credential", name)));
      if (text) await this.addHere(name, (JSON.parse(text) as { credential: Credential }).credential, true);
    }
    for (const [name, at] of Object.entries(removed ?? {})) {
      if (pool.get(name) && Number(at) > (this.addedAt.get(name) ?? this.startedAt) && !(members && name in members)) await this.removeHere(name, false);
    }
  }

  /** Redis away is said once by the link; anything else is worth a line. */
  private quiet(e: unknown): void {
    if (!(e instanceof RedisUnreachable)) this.deps.log.warn("cluster sync failed", { error: (e as Error).message });
  }
}

/** The secret that says which sign-in a credential is: its refresh token, or its API key. */
const secretOf = (c: Credential) => (authKind(c) === "api_key" ? c.kiroApiKey : c.refreshToken);

/** Another sign-in or rotation than `mine`, at least as new (by its access token's expiry). */
function isNewer(theirs: Credential, mine: Readonly<Credential>): boolean {
  return secretOf(theirs) !== secretOf(mine as Credential) && (expiryOf(theirs) ?? 0) >= (expiryOf(mine as Credential) ?? 0);
}
