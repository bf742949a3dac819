/**
 * The pool: which account takes the next request (least used, quota-aware), and failover inside one client
 * request — an account's failure moves the request to another before any byte has reached the client; once
 * every account was tried, a transient failure is retried on one already tried, up to 9 attempts in all.
 */
import { assertNever, GatewayError } from "../errors";
import { UpstreamError } from "../kiro/http";
import type { Logger } from "../log";
import { Account, RefreshFailure } from "./account";
import { classify } from "./policy";
import { RequestRate } from "./stats";
import { WaitingLine } from "./waiting-line";

/** Kiro's own client retries a 5xx up to 9 times; no client request makes more attempts than that. */
const MAX_ATTEMPTS = 9;
/** The pause before retrying accounts already tried: 100 ms, doubling with each round, at most 1 s. */
const FIRST_ROUND_PAUSE_MS = 100;
const MAX_ROUND_PAUSE_MS = 1_000;

/** Told of each attempt of one request and how it went ("ok", or why it moved on), e.g. for a request log. */
export interface AttemptObserver {
  attempted(account: string, outcome: string): void;
}

/** How a request may wait for an account to come back (queueWaitSecs, maxQueued). */
export interface WaitPolicy {
  /** The longest a request waits, in all; 0 refuses at once. */
  waitSecs: number;
  /** Requests waiting at most; beyond, refused at once. */
  maxQueued: number;
}

export interface SendOptions {
  observer?: AttemptObserver;
  /** Default: no wait, refused at once when no account can serve. */
  wait?: WaitPolicy;
  /** The account to try first while it can serve (session affinity, pool/affinity.ts). */
  prefer?: string;
}

const NO_WAIT: WaitPolicy = { waitSecs: 0, maxQueued: 0 };

/**
 * A reply that failed after it began but before anything of it reached the client (cut, Kiro's exception, a
 * stall, no closing events): a transient failure of the account, and another account may still answer.
 */
export class BrokenReply extends Error {
  override name = "BrokenReply";
  constructor(readonly error: GatewayError) {
    super(error.message);
  }
}

export class Pool {
  private readonly list: Account[] = [];
  /** Requests waiting for an account to come back. */
  private readonly line = new WaitingLine();
  /** Client requests over the last hour. */
  readonly rate = new RequestRate();
  /** Told after every request and every change of membership (the state file saves on it). */
  private readonly onChange: () => void = () => {};

  constructor(
    private readonly log: Logger,
    accounts: Account[] = [],
    { onChange = () => {} }: { onChange?: () => void } = {},
  ) {
    for (const a of accounts) this.add(a);
    // The accounts it starts with are no change.
    this.onChange = onChange;
  }

  get accounts(): readonly Account[] {
    return this.list;
  }

  get(name: string): Account | undefined {
    // A loop, not find() with a closure made per call (src/jit.ts says why).
    for (const account of this.list) if (account.name === name) return account;
    return undefined;
  }

  add(account: Account): void {
    if (this.get(account.name)) throw new Error(`an account named "${account.name}" already exists`);
    this.list.push(account);
    this.onChange();
    this.line.wake();
  }

  remove(name: string): Account | undefined {
    const i = this.list.findIndex((a) => a.name === name);
    if (i < 0) return undefined;
    const [removed] = this.list.splice(i, 1);
    removed!.retire();
    this.onChange();
    return removed;
  }

  /**
   * The least used routable account, skipping `tried`: lowest known quota use first (never-checked accounts
   * after checked ones), then fewest recent requests (Account.recentLoad); ties keep pool order.
   */
  select(tried: ReadonlySet<Account> = new Set(), now = Date.now()): Account | undefined {
    let best: Account | undefined;
    for (const a of this.list) {
      if (tried.has(a) || !a.routable(now)) continue;
      if (!best || better(a, best, now)) best = a;
    }
    return best;
  }

  /** The preferred account when it may take the request now; a resting one is passed over at once. */
  private preferred(name: string | undefined, tried: ReadonlySet<Account>): Account | undefined {
    const account = name === undefined ? undefined : this.get(name);
    return account && !tried.has(account) && account.routable() ? account : undefined;
  }

  /**
   * Runs `attempt` on an account with a fresh token, failing over per the policy, at most 9 times. `attempt`
   * resolves once Kiro's reply may reach the client (it throws BrokenReply for one that broke before); what it
   * returns is the caller's.
   */
  async send<T>(signal: AbortSignal, attempt: (account: Account, accessToken: string) => Promise<T>, options: SendOptions = {}): Promise<T> {
    this.rate.record();
    try {
      return await this.failover(signal, attempt, options);
    } finally {
      this.onChange();
    }
  }

  /** Requests waiting for an account to come back, and how long the first of them has waited. */
  get waiting(): { count: number; longestWaitMs: number } {
    return { count: this.line.length, longestWaitMs: this.line.longestWaitMs() };
  }

  /** Shutdown: the requests waiting for an account are answered with `error`, and none waits any more. */
  stopWaiting(error: GatewayError): void {
    this.line.close(error);
  }

  private async failover<T>(
    signal: AbortSignal,
    attempt: (account: Account, accessToken: string) => Promise<T>,
    { observer, wait = NO_WAIT, prefer }: SendOptions,
  ): Promise<T> {
    /** Accounts tried in this round; after a forced refresh the same account may go again, not counted as tried. */
    const tried = new Set<Account>();
    /** Accounts that failed this request in a way that another try would not mend (a refused credential). */
    const spent = new Set<Account>();
    const forced = new Set<Account>();
    let last: GatewayError | undefined;
    let rounds = 0;
    let waitingSince: number | undefined;
    const newRound = () => {
      tried.clear();
      for (const a of spent) tried.add(a);
    };

    /**
     * One not tried in this round; else, when a transient failure left tried accounts routable, another round
     * after a pause; else, when an account comes back within the wait allowed, the first one back.
     */
    const nextAccount = async (): Promise<Account | undefined> => {
      for (;;) {
        const account = this.preferred(prefer, tried) ?? this.select(tried) ?? this.selfHeal(tried);
        if (account) return account;
        if (this.select(spent)) {
          await sleep(Math.min(MAX_ROUND_PAUSE_MS, FIRST_ROUND_PAUSE_MS * 2 ** rounds++), signal);
          newRound();
          continue;
        }
        const back = this.soonestBack();
        waitingSince ??= Date.now();
        if (back === undefined || back > waitingSince + wait.waitSecs * 1000) return undefined;
        if (this.line.length >= wait.maxQueued) throw this.lineFull(back, wait.maxQueued);
        await this.line.wait(waitingSince, back, signal);
        newRound();
      }
    };

    for (let n = 0; n < MAX_ATTEMPTS; n++) {
      signal.throwIfAborted();
      // An account free now is taken without the wait's promise.
      const account = this.preferred(prefer, tried) ?? this.select(tried) ?? (await nextAccount());
      if (!account) break;
      account.recordAttempt();
      const log = this.log.child({ account: account.name });
      log.debug("attempt", { attempt: n + 1, of: MAX_ATTEMPTS });
      try {
        const token = account.freshToken() ?? (await account.accessToken(false, signal));
        const result = await attempt(account, token);
        account.recordSuccess();
        observer?.attempted(account.name, "ok");
        log.debug("upstream answered");
        return result;
      } catch (e) {
        if (signal.aborted) throw e;
        tried.add(account);
        if (e instanceof RefreshFailure) {
          log.warn("account unusable", { error: e.message });
          observer?.attempted(account.name, "unusable");
          spent.add(account);
          last = new GatewayError("unavailable", e.message);
          continue;
        }
        if (e instanceof BrokenReply) {
          log.warn("the reply broke before it was answered", { error: e.message });
          observer?.attempted(account.name, "broken");
          account.recordFailure(e.message);
          last = e.error;
          continue;
        }
        if (!(e instanceof UpstreamError)) throw e;
        const verdict = classify(e, account.counters.lastCheck?.subscription);
        log.warn("upstream failure", { status: e.status, verdict: verdict.kind, error: e.message });
        observer?.attempted(account.name, verdict.kind);
        switch (verdict.kind) {
          case "client":
            throw verdict.error;
          case "refresh":
            if (!account.refreshable) {
              // An API key that Kiro refuses stays refused: a failure toward maxFailures, and on to the next account.
              account.recordFailure("Kiro refused the API key");
              spent.add(account);
              last = new GatewayError("upstream", "Kiro refused an account's API key (an administrator must replace it); no other account could serve", { upstreamStatus: e.status });
              break;
            }
            if (!forced.has(account)) {
              forced.add(account);
              try {
                await account.refresh(true, signal);
                n--; // the retry after a forced refresh is part of the same attempt
                tried.delete(account);
                continue;
              } catch (r) {
                if (signal.aborted) throw r;
              }
            } else {
              account.recordFailure("access token refused after a fresh refresh");
            }
            spent.add(account);
            last = new GatewayError("upstream", "Kiro refused the access token of an account even after a fresh refresh; no other account could serve", { upstreamStatus: e.status });
            break;
          case "quota": {
            account.exhaust(`monthly quota used up (${e.reason ?? e.answer})`, resetDate(e));
            last = new GatewayError("rate_limited", "the monthly quota of every usable account is used up", {
              retryAfterSecs: Math.ceil(((account.availableAt ?? Date.now()) - Date.now()) / 1000),
            });
            break;
          }
          case "throttled": {
            account.throttle(`throttled by Kiro (HTTP 429${e.upstreamMessage ? `: ${e.upstreamMessage}` : ""})`, verdict.retryAfterSecs);
            last = new GatewayError("rate_limited", "Kiro is throttling: too many requests for the accounts that could serve", {
              retryAfterSecs: Math.max(1, Math.ceil(((account.availableAt ?? Date.now()) - Date.now()) / 1000)),
              upstreamStatus: 429,
            });
            break;
          }
          case "account":
            account.disable(verdict.why, verdict.reason);
            last = new GatewayError("upstream", `Kiro refused an account (${e.answer}); no other account could serve`, { upstreamStatus: e.status });
            break;
          case "transient":
            account.recordFailure(e.message);
            last =
              e.status === 0
                ? new GatewayError("upstream", `could not reach Kiro: ${e.body}`)
                : new GatewayError("overloaded", `Kiro is unavailable: ${e.brief}`, { upstreamStatus: e.status });
            break;
          default:
            assertNever(verdict);
        }
      }
    }
    throw last && last.kind !== "unavailable" ? last : this.noAccountError(last);
  }

  /**
   * Why no request could be served now, or undefined when one could (GET /ready): an account routable now, or one
   * that self-healing would try.
   */
  unreadiness(): GatewayError | undefined {
    if (this.select() || this.list.some(isStreaky)) return undefined;
    return this.noAccountError();
  }

  /** KRS self-healing: when nothing is routable, accounts disabled only for a failure streak get another chance. */
  private selfHeal(tried: ReadonlySet<Account>): Account | undefined {
    const streaky = this.list.filter((a) => !tried.has(a) && isStreaky(a));
    if (streaky.length === 0) return undefined;
    this.log.warn("no account available: re-enabling accounts disabled for repeated failures", { count: streaky.length });
    for (const a of streaky) a.reset();
    return this.select(tried);
  }

  /** When the first resting account recovers, if one will by itself. */
  private soonestBack(now = Date.now()): number | undefined {
    let soonest: number | undefined;
    for (const a of this.list) {
      const at = a.inPool ? a.availableAt : undefined;
      if (at !== undefined && at > now && (soonest === undefined || at < soonest)) soonest = at;
    }
    return soonest;
  }

  private lineFull(back: number, maxQueued: number): GatewayError {
    return new GatewayError(
      "rate_limited",
      `no Kiro account can serve now, and ${maxQueued} requests already wait for one (maxQueued); the first recovers at ${new Date(back).toISOString()}`,
      { retryAfterSecs: Math.max(1, Math.ceil((back - Date.now()) / 1000)) },
    );
  }

  /** 429 when accounts will come back by themselves (cooling, quota), 503 when none will, naming the soonest. */
  noAccountError(cause?: GatewayError): GatewayError {
    const now = Date.now();
    const inPool = this.list.filter((a) => a.inPool);
    if (inPool.length === 0) return new GatewayError("unavailable", "no Kiro account is configured in the pool");
    const resting = inPool.map((a) => a.availableAt).filter((t): t is number => t !== undefined && t > now);
    const soonest = resting.length ? Math.min(...resting) : undefined;
    const selfRecovering = inPool.every((a) => a.state.kind === "cooling" || (a.state.kind === "disabled" && a.state.until !== undefined));
    const states = summarise(inPool);
    if (soonest !== undefined && selfRecovering) {
      return new GatewayError("rate_limited", `no Kiro account can serve now (${states}); the first recovers at ${new Date(soonest).toISOString()}`, {
        retryAfterSecs: Math.max(1, Math.ceil((soonest - now) / 1000)),
      });
    }
    const when = soonest !== undefined ? `; the first recovers at ${new Date(soonest).toISOString()}` : "; an administrator must reset or replace them";
    return new GatewayError("unavailable", `no Kiro account can serve (${states})${when}${cause ? `. Last error: ${cause.message}` : ""}`, {
      ...(soonest !== undefined ? { retryAfterSecs: Math.max(1, Math.ceil((soonest - now) / 1000)) } : {}),
    });
  }
}

/** Disabled only for a failure streak: self-healing may give it another chance. */
function isStreaky(a: Account): boolean {
  return a.inPool && a.state.kind === "disabled" && a.state.why === "too_many_failures";
}

/**
 * Known quota use in steps of 5 %: accounts about as used as each other share the traffic by recent load, or the
 * one checked at a slightly lower use would take every request until the next quota check.
 */
const usageBand = (ratio: number) => Math.floor(ratio * 20);

function better(a: Account, b: Account, now: number): boolean {
  const ra = a.usageRatio;
  const rb = b.usageRatio;
  if (ra !== undefined && rb !== undefined && usageBand(ra) !== usageBand(rb)) return ra < rb;
  if ((ra === undefined) !== (rb === undefined)) return ra !== undefined;
  return a.recentLoad(now) < b.recentLoad(now);
}

function summarise(accounts: Account[]): string {
  const counts = new Map<string, number>();
  for (const a of accounts) {
    const label = a.state.kind === "disabled" ? `disabled: ${a.state.why.replaceAll("_", " ")}` : a.state.kind;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return [...counts].map(([label, n]) => `${n} ${label}`).join(", ");
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    };
    const onAbort = () => {
      done();
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      done();
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Kiro's reset date from a quota error body, when it names one (unix seconds or ms). */
function resetDate(e: UpstreamError): number | undefined {
  const m = /"nextDateReset"\s*:\s*(\d+(?:\.\d+)?)/.exec(e.body);
  if (!m) return undefined;
  const v = Number(m[1]);
  return v < 1e12 ? v * 1000 : v;
}
