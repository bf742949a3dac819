/**
 * One Kiro account: its credential, its health as a small state machine, its counters, and its token
 * lifecycle (refresh within 10 minutes of expiry, one refresh at a time, the new tokens on disk before use).
 *
 *   healthy ──429──▶ cooling(until) ──time──▶ healthy
 *      │  ──402──▶ disabled(quota, until reset date) ──time──▶ healthy
 *      │  ──invalid_grant / refused / suspended──▶ disabled (for good, until an admin reset)
 *      └──maxFailures in a row──▶ disabled(too many failures) ──admin reset, or self-healing when nothing else is left
 */
import { authKind, type ChatAccount, type Credential, expiryOf } from "../kiro/credential";
import { describeFailure, type UpstreamSettings } from "../kiro/http";
import { machineIdFor } from "../kiro/machine-id";
import { isInvalidGrant, refreshCredential } from "../kiro/refresh";
import type { UsageSummary } from "../kiro/usage";
import type { Logger } from "../log";
import { withFileLock } from "./file-lock";
import { CredentialConflict, type CredentialSource, type CredentialStore } from "./store";

export type DisableReason = "quota_exhausted" | "invalid_refresh_token" | "too_many_failures" | "refused" | "suspended" | "manual";

export type AccountState =
  | { kind: "healthy" }
  | { kind: "cooling"; reason: string; until: number }
  | { kind: "disabled"; why: DisableReason; reason: string; until?: number };

/**
 * What an account shares with other kiro-ts instances on the same accounts (cluster/): without it, an account is
 * this process's alone, as it always was.
 */
export interface AccountSharing {
  /** Runs `work` (a refresh and the publishing of its result) as the only refresh of the account in the cluster. */
  refreshTurn<T>(account: Account, work: () => Promise<T>): Promise<T>;
  /** The cluster's latest credential of the account, when another instance holds a newer one than `account`. */
  newerCredential(account: Account): Promise<Credential | undefined>;
  /** A refresh here rotated the account's tokens: the other instances take them. */
  refreshed(account: Account): Promise<void>;
  /** Its health or its quota result changed here. */
  stateChanged(account: Account): void;
}

/** An account's health and quota result as the instances share them; `at` orders changes made on different ones. */
export interface SharedAccountState {
  state: AccountState;
  at: number;
  lastCheck?: Counters["lastCheck"];
}

export interface AccountDeps {
  store: CredentialStore;
  upstream: UpstreamSettings;
  log: Logger;
  failureCooldownSecs: number;
  maxFailures: number;
  /** Told of each token refresh Kiro answered: renewed, refused (invalid_grant), or failed otherwise. */
  onRefresh?: (result: "ok" | "refused" | "failed") => void;
  /** The other instances, when there are (redisUrl). */
  sharing?: AccountSharing;
}

export interface Counters {
  requests: number;
  failures: number;
  /** Failures since the last success; maxFailures of them disable the account. */
  consecutiveFailures: number;
  lastUsedAt?: number;
  lastCheck?: UsageSummary & { checkedAt: number; error?: string };
}

const REFRESH_MARGIN_MS = 10 * 60_000;
/** The first rest after a 429 without Retry-After; each further one in a row doubles it, up to failureCooldownSecs. */
const FIRST_REST_MS = 5_000;
const UNUSABLE_MARGIN_MS = 5 * 60_000;
/** The longest wait between attempts to save a rotated credential. */
const SAVE_RETRY_MAX_MS = 60_000;
/**
 * How fast past requests stop counting toward an account's load. Lifetime counts would send every request to an
 * account added to a busy pool (or back from a long rest) until it had served as many as the others.
 */
const LOAD_HALF_LIFE_MS = 60_000;

export class RefreshFailure extends Error {
  override name = "RefreshFailure";
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export class Account {
  private current: AccountState = { kind: "healthy" };
  /** When the state last changed here or was taken from another instance. */
  private stateAt = 0;
  readonly counters: Counters = { requests: 0, failures: 0, consecutiveFailures: 0 };
  readonly machineId: string;
  private refreshing: Promise<void> | undefined;
  /** The rotated credential fields the file does not hold yet (a write-back failed). */
  private unsaved: Partial<Credential> | undefined;
  private saveRetry: ReturnType<typeof setTimeout> | undefined;
  /** 429s since the last success. */
  private throttles = 0;
  /** Requests started, each weighing half as much every LOAD_HALF_LIFE_MS; as of loadAt. */
  private load = 0;
  private loadAt = 0;
  /** The other instances' recent load on this account, as of peerLoadAt. */
  private peerLoad = 0;
  private peerLoadAt = 0;
  /** The credential's expiry, parsed once per credential (every request asks). */
  private parsedExpiry: { cred: Credential; at: number | undefined } | undefined;
  /** The last caller() made, and the credential it copied. */
  private lastCaller: { from: Credential; caller: ChatAccount } | undefined;

  constructor(
    readonly name: string,
    readonly source: CredentialSource,
    private cred: Credential,
    private readonly deps: AccountDeps,
    /** Whether the pool routes traffic to it (the seed's "in_pool"). */
    readonly inPool = true,
  ) {
    this.machineId = machineIdFor(cred, deps.upstream.machineId);
    deps.log.secret(cred.accessToken);
    deps.log.secret(cred.refreshToken);
    deps.log.secret(cred.clientSecret);
    deps.log.secret(cred.kiroApiKey);
  }

  /** The account's API key, when it signs in with one (§1.10): its own bearer token, with nothing to refresh. */
  private get apiKey(): string | undefined {
    return authKind(this.cred) === "api_key" ? this.cred.kiroApiKey : undefined;
  }

  get state(): AccountState {
    return this.current;
  }

  /** A change of health made here: the other instances are told. */
  private setState(next: AccountState): void {
    this.current = next;
    this.stateAt = Date.now();
    this.deps.sharing?.stateChanged(this);
  }

  /** What the other instances need to know of its health and quota. */
  get shared(): SharedAccountState {
    return { state: this.current, at: this.stateAt, ...(this.counters.lastCheck ? { lastCheck: this.counters.lastCheck } : {}) };
  }

  /** Another instance's view, taken when it is newer than this one's (and not told back). */
  applyShared(remote: SharedAccountState): boolean {
    if (remote.at <= this.stateAt) return false;
    const wasHealthy = this.current.kind === "healthy";
    this.current = remote.state;
    this.stateAt = remote.at;
    if (remote.lastCheck) this.counters.lastCheck = remote.lastCheck;
    if (remote.state.kind === "healthy") {
      this.counters.consecutiveFailures = 0;
      if (!wasHealthy) this.throttles = 0;
    }
    return true;
  }

  /** The other instances' recent load, summed and as of `at`. */
  setPeerLoad(load: number, at: number): void {
    this.peerLoad = load;
    this.peerLoadAt = at;
  }

  /** Requests started here lately, the older weighing less (what this instance tells the others). */
  ownLoad(now = Date.now()): number {
    return this.load * 2 ** (-(now - this.loadAt) / LOAD_HALF_LIFE_MS);
  }

  /** False for an API key, which no refresh can renew. */
  get refreshable(): boolean {
    return this.apiKey === undefined;
  }

  get credential(): Readonly<Credential> {
    return this.cred;
  }

  /** When the account may serve again, if it is resting. */
  get availableAt(): number | undefined {
    return this.state.kind === "healthy" ? undefined : this.state.until;
  }

  /** Whether it may take a request now; a rest that is over ends here (recovery is lazy, no timer). */
  routable(now = Date.now()): boolean {
    if (!this.inPool) return false;
    if (this.state.kind !== "healthy" && this.state.until !== undefined && this.state.until <= now) {
      this.deps.log.info("account recovered", { account: this.name, after: this.state.kind });
      // Every instance sees the same rest end: nothing to tell.
      this.current = { kind: "healthy" };
    }
    return this.state.kind === "healthy";
  }

  /** The account as a Kiro call needs it, with `accessToken` from accessToken(). */
  caller(accessToken: string): ChatAccount {
    // The same one while the credential and token stay: each attempt asks, and a copy of the credential costs.
    const last = this.lastCaller;
    if (last && last.from === this.cred && last.caller.credential.accessToken === accessToken) return last.caller;
    const caller = { name: this.name, credential: { ...this.cred, accessToken }, machineId: this.machineId };
    this.lastCaller = { from: this.cred, caller };
    return caller;
  }

  private expiry(): number | undefined {
    if (this.parsedExpiry?.cred !== this.cred) this.parsedExpiry = { cred: this.cred, at: expiryOf(this.cred) };
    return this.parsedExpiry.at;
  }

  /** The access token when it needs no refresh: what accessToken() would give at once, without its promise. */
  freshToken(): string | undefined {
    if (this.apiKey !== undefined) return this.apiKey;
    return this.needsRefresh() ? undefined : this.cred.accessToken;
  }

  /** An access token valid for at least 5 more minutes, refreshing first when needed or when forced. */
  async accessToken(force = false, signal?: AbortSignal): Promise<string> {
    if (this.apiKey !== undefined) return this.apiKey;
    if (force || this.needsRefresh()) await this.refresh(force, signal);
    return this.cred.accessToken!;
  }

  needsRefresh(now = Date.now()): boolean {
    if (this.apiKey !== undefined) return false;
    const expiry = this.expiry();
    // While a rotated credential is not on disk, refresh only when the token must be replaced.
    const margin = this.credentialSaved ? REFRESH_MARGIN_MS : UNUSABLE_MARGIN_MS;
    return !this.cred.accessToken || expiry === undefined || expiry - now <= margin;
  }

  /**
   * Single-flight: concurrent callers share one refresh. A forced refresh that arrives while one is running
   * waits for it instead of starting a second, since that one's token is as new as a second would be.
   */
  refresh(force = false, signal?: AbortSignal): Promise<void> {
    if (this.apiKey !== undefined) return Promise.resolve();
    this.refreshing ??= this.doRefresh(force).finally(() => (this.refreshing = undefined));
    return signal ? raceAbort(this.refreshing, signal) : this.refreshing;
  }

  /**
   * Refresh and write-back under the file's lock, so that another kiro-ts on the same folder never refreshes this
   * account at the same time. The file is read first: a newer token written there by another process (or a new
   * sign-in) is adopted instead of refreshing an old one that Kiro may already have rotated away.
   */
  private doRefresh(force: boolean): Promise<void> {
    if (!force && !this.needsRefresh()) return Promise.resolve();
    // The token Kiro refused, as it was before waiting for a lock: what was adopted meanwhile needs no refresh.
    const refused = this.cred.accessToken;
    const work = () => (this.source.environment ? this.refreshNow(force, refused) : withFileLock(this.source.path, () => this.refreshNow(force, refused)));
    return this.deps.sharing ? this.deps.sharing.refreshTurn(this, work) : work();
  }

  private async refreshNow(force: boolean, refused: string | undefined): Promise<void> {
    await ((await this.adoptShared()) || this.adoptNewerFile());
    // Another access token than the one Kiro refused, or one fresh enough (taken from another instance or the
    // file, or by the refresh that held the lock before): no refresh needed.
    if (force ? this.cred.accessToken !== refused : !this.needsRefresh()) return;
    const log = this.deps.log;
    log.debug("refreshing token", { account: this.name, auth: authKind(this.cred), forced: force });
    let grant;
    try {
      grant = await refreshCredential(this.deps.upstream, this.cred, this.machineId);
    } catch (e) {
      // Refused: perhaps another process rotated the token and wrote the new one since we read the file.
      if (isInvalidGrant(e) && ((await this.adoptShared()) || (await this.adoptNewerFile()))) return this.refreshNow(force, refused);
      this.deps.onRefresh?.(isInvalidGrant(e) ? "refused" : "failed");
      if (isInvalidGrant(e)) {
        this.disable("invalid_refresh_token", "the refresh token was refused (invalid_grant): sign in again and replace the credential");
        throw new RefreshFailure("the refresh token was refused (invalid_grant)", true);
      }
      this.deps.log.warn("token refresh failed", { account: this.name, error: (e as Error).message });
      this.recordFailure(`token refresh failed: ${describeFailure(e)}`);
      throw new RefreshFailure(`token refresh failed: ${describeFailure(e)}`, false);
    }
    this.deps.onRefresh?.("ok");
    log.secret(grant.accessToken);
    log.secret(grant.refreshToken);
    const update: Partial<Credential> = { ...grant };
    // Keep the machine id stable after the refresh token rotates (it is derived from it).
    if (!this.cred.machineId) update.machineId = this.machineId;
    this.cred = { ...this.cred, ...update };
    log.info("token refreshed", { account: this.name, expiresAt: grant.expiresAt });
    // With the other instances before the refresh turn ends, so that the next one takes this token, not Kiro's.
    await this.deps.sharing?.refreshed(this).catch(() => {});
    // On disk before the token is used: a crash after this still has the rotated refresh token.
    await this.writeBack(update);
    const expiry = this.expiry();
    if (expiry !== undefined && expiry - Date.now() <= UNUSABLE_MARGIN_MS) {
      throw new RefreshFailure("the refreshed token expires within 5 minutes", false);
    }
  }

  /** Takes the credential another instance published after its refresh; true when it did. */
  private async adoptShared(): Promise<boolean> {
    const newer = await this.deps.sharing?.newerCredential(this).catch(() => undefined);
    if (!newer) return false;
    await this.adoptCredential(newer);
    return true;
  }

  /**
   * Another instance's credential for this account (it refreshed, or an admin replaced it): taken, and written to
   * this instance's own file, which stays the backup and the import source.
   */
  async adoptCredential(c: Credential): Promise<void> {
    if (c.refreshToken === this.cred.refreshToken && c.accessToken === this.cred.accessToken) return;
    this.deps.log.info("took the newer token another instance published", { account: this.name });
    this.take(c);
    if (!this.source.environment) await this.writeBack({ ...c });
  }

  /** Takes the file's credential when someone else wrote a newer one; true when it did. */
  private async adoptNewerFile(): Promise<boolean> {
    const onDisk = await this.deps.store.read(this.source).catch(() => undefined);
    if (!onDisk?.changed || !onDisk.credential.refreshToken || onDisk.credential.refreshToken === this.cred.refreshToken) return false;
    this.deps.log.info("took the newer token another process wrote to the credential file", { account: this.name, file: this.source.path });
    this.take(onDisk.credential);
    return true;
  }

  /**
   * Writes the rotated credential. A disk that is full or read-only keeps it in memory only: the write is retried
   * with backoff, the account says "credential not saved" until it succeeds, and no refresh is started early
   * meanwhile (each one would rotate the token again, and only memory would know it).
   */
  private async writeBack(update: Partial<Credential>, attempt = 1): Promise<void> {
    this.unsaved = { ...this.unsaved, ...update };
    try {
      await this.deps.store.save(this.source, this.unsaved);
      if (attempt > 1) this.deps.log.info("the refreshed credential is saved now", { account: this.name, file: this.source.path, attempts: attempt });
      this.unsaved = undefined;
      clearTimeout(this.saveRetry);
    } catch (e) {
      if (e instanceof CredentialConflict && (await this.adoptNewerFile())) return;
      if (attempt === 1 || attempt % 10 === 0) {
        this.deps.log.error("could not write the refreshed credential; retrying", { account: this.name, file: this.source.path, error: (e as Error).message });
      }
      clearTimeout(this.saveRetry);
      this.saveRetry = setTimeout(() => void this.writeBack({}, attempt + 1), Math.min(SAVE_RETRY_MAX_MS, 1000 * 2 ** Math.min(attempt - 1, 6)));
      this.saveRetry.unref?.();
    }
  }

  /** False while a rotated credential lives only in memory. */
  get credentialSaved(): boolean {
    return this.unsaved === undefined;
  }

  /** Stops retrying a write-back (the account leaves the pool, or the process stops). */
  retire(): void {
    clearTimeout(this.saveRetry);
  }

  /** Called when a request starts on this account (the seed counts attempts, failures included). */
  recordAttempt(now = Date.now()): void {
    this.counters.requests++;
    this.counters.lastUsedAt = now;
    this.load = this.recentLoad(now) + 1;
    this.loadAt = now;
  }

  /** Requests started lately on every instance, the older weighing less: what "least used" balances. */
  recentLoad(now = Date.now()): number {
    return this.ownLoad(now) + this.peerLoad * 2 ** (-(now - this.peerLoadAt) / LOAD_HALF_LIFE_MS);
  }

  recordSuccess(): void {
    this.counters.consecutiveFailures = 0;
    this.throttles = 0;
    if (this.state.kind === "cooling") this.setState({ kind: "healthy" });
  }

  /**
   * A failure of Kiro or the network while this account was in use: counted (the request has already moved on
   * to another account), but no rest — another account would meet the same Kiro. maxFailures in a row: disable
   * (healed when nothing else is left, or by an admin reset).
   */
  recordFailure(reason: string): void {
    this.counters.failures++;
    this.counters.consecutiveFailures++;
    if (this.counters.consecutiveFailures >= this.deps.maxFailures) {
      this.disable("too_many_failures", `${this.counters.consecutiveFailures} failures in a row; last: ${reason}`);
    }
  }

  /**
   * A 429: rest for Retry-After when Kiro gave one; else a short rest that doubles with each 429 in a row. Either
   * way at most failureCooldownSecs: a lone 429 is usually over in seconds, and a Retry-After of a day would bench
   * the account for a day (a used-up quota is no 429: policy.ts sends it to the quota rest).
   */
  throttle(reason: string, retryAfterSecs?: number, now = Date.now()): void {
    // 429s answered to requests that were already in flight when the rest began are one throttling, not several.
    if (this.state.kind === "cooling" && this.state.until > now && retryAfterSecs === undefined) return;
    this.throttles++;
    const restMs = retryAfterSecs !== undefined ? Math.min(retryAfterSecs * 1000, this.deps.failureCooldownSecs * 1000) : this.backoffMs(this.throttles);
    this.cool(now + restMs, reason);
  }

  /** 5 s, 10 s, 20 s … for the n-th 429 in a row, never more than failureCooldownSecs. */
  private backoffMs(n: number): number {
    return Math.min(this.deps.failureCooldownSecs * 1000, FIRST_REST_MS * 2 ** Math.max(0, n - 1));
  }

  cool(until: number, reason: string): void {
    if (this.state.kind === "disabled") return;
    this.setState({ kind: "cooling", reason, until });
    this.deps.log.warn("account cooling down", { account: this.name, reason, until: new Date(until).toISOString() });
  }

  disable(why: DisableReason, reason: string, until?: number): void {
    // The requests that were in flight come back with the same verdict: one disabling, said once.
    const s = this.state;
    if (s.kind === "disabled" && s.why === why && s.reason === reason && s.until === until) return;
    this.setState({ kind: "disabled", why, reason, ...(until !== undefined ? { until } : {}) });
    this.deps.log.warn("account disabled", { account: this.name, why, reason, ...(until ? { until: new Date(until).toISOString() } : {}) });
  }

  /**
   * The file was replaced by hand (a new sign-in): take the new credential, and a dead refresh token is no more.
   * A refresh under way finishes first, so its rotated token cannot overwrite the new one in memory afterwards.
   */
  async replaceCredential(c: Credential): Promise<void> {
    await this.refreshing?.catch(() => {});
    this.take(c);
  }

  private take(c: Credential): void {
    this.deps.log.secret(c.accessToken);
    this.deps.log.secret(c.refreshToken);
    this.deps.log.secret(c.clientSecret);
    this.deps.log.secret(c.kiroApiKey);
    this.cred = c;
    // What was not saved belongs to the credential just replaced.
    this.unsaved = undefined;
    clearTimeout(this.saveRetry);
    if (this.state.kind === "disabled" && this.state.why === "invalid_refresh_token") this.reset();
  }

  /** Admin reset, or self-healing: healthy, failure streak forgotten. */
  reset(): void {
    this.setState({ kind: "healthy" });
    this.counters.consecutiveFailures = 0;
  }

  recordCheck(summary: UsageSummary | undefined, error?: string, now = Date.now()): void {
    this.counters.lastCheck = { ...(summary ?? { currentUsage: 0, usageLimit: 0, usagePercent: 0 }), checkedAt: now, ...(error ? { error } : {}) };
    if (summary?.email && !this.cred.email) this.cred = { ...this.cred, email: summary.email };
    this.stateAt = now;
    this.deps.sharing?.stateChanged(this);
  }

  /**
   * A quota check's answer, which also keeps the quota state true: used up → resting until the reset date; quota
   * back (reset early, or raised) → a quota rest ends now.
   */
  applyUsage(usage: UsageSummary): void {
    this.recordCheck(usage);
    const exhausted = usage.usageLimit > 0 && usage.currentUsage >= usage.usageLimit;
    if (exhausted && this.state.kind !== "disabled") {
      this.exhaust(`quota used up (${usage.currentUsage}/${usage.usageLimit})`, usage.nextDateReset ? usage.nextDateReset * 1000 : undefined);
    } else if (!exhausted && this.state.kind === "disabled" && this.state.why === "quota_exhausted") {
      this.reset();
    }
  }

  /**
   * The monthly quota is used up: rest until `until` (Kiro's reset date), else the reset date known from the last
   * quota check, else the 1st of next month (UTC), when Kiro's quotas reset.
   */
  exhaust(reason: string, until?: number, now = Date.now()): void {
    const checked = this.counters.lastCheck?.nextDateReset;
    this.disable("quota_exhausted", reason, until ?? (checked && checked * 1000 > now ? checked * 1000 : nextMonthUtc(now)));
  }

  /**
   * What the state file remembered across a restart: the counters but not a failure streak, which was transient
   * trouble; and a lasting state (a dead refresh token, a refusal, a quota rest not yet over).
   */
  restore(counters: Counters, lasting?: { why: DisableReason; reason: string; until?: number }, now = Date.now()): void {
    Object.assign(this.counters, { ...counters, consecutiveFailures: 0 });
    if (lasting && (lasting.until === undefined || lasting.until > now)) this.disable(lasting.why, lasting.reason, lasting.until);
    // Remembered, not met now: whatever another instance saw since is newer.
    this.stateAt = 0;
  }

  /** Known quota use as a fraction, for quota-aware selection; undefined when never checked. */
  get usageRatio(): number | undefined {
    const c = this.counters.lastCheck;
    return c && !c.error && c.usageLimit > 0 ? c.currentUsage / c.usageLimit : undefined;
  }
}

/** The first day of next month, 00:00 UTC: when Kiro quotas reset if Kiro did not say. */
export function nextMonthUtc(now = Date.now()): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
