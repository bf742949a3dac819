/**
 * Quota without a click: every account's quota is checked in the background, each about every quotaCheckMinutes,
 * one account at a time and spread over the interval (never all at once), so that the dashboard and quota-aware
 * selection stay current without "Check all".
 */
import type { Logger } from "../log";
import type { Account } from "./account";
import type { Pool } from "./pool";

/** The first check after start, so that the dashboard fills soon without holding up the start. */
const FIRST_CHECK_MS = 1_000;
/**
 * While some account was never checked, one check a second: quota-aware selection prefers checked accounts, so
 * until every one is checked, the checked ones would take all the traffic.
 */
const FIRST_ROUND_SPACING_MS = 1_000;

export class QuotaChecks {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly pool: Pool,
    /** Asks Kiro for the account's quota and records the answer on the account. */
    private readonly check: (account: Account) => Promise<unknown>,
    private readonly everyMs: number,
    private readonly log: Logger,
    private readonly firstAfterMs = Math.min(FIRST_CHECK_MS, everyMs),
  ) {}

  start(): void {
    this.schedule(this.firstAfterMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** The account checked longest ago (never-checked ones first), if its check is due. */
  due(now = Date.now()): Account | undefined {
    let oldest: Account | undefined;
    for (const a of this.pool.accounts) {
      if (!checkable(a) || now - checkedAt(a) < this.everyMs) continue;
      if (!oldest || checkedAt(a) < checkedAt(oldest)) oldest = a;
    }
    return oldest;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    const account = this.due();
    if (account) {
      try {
        await this.check(account);
      } catch (e) {
        this.log.warn("background quota check failed", { account: account.name, error: (e as Error).message });
      }
    }
    // Then one check per share of the interval: every account about once an interval, one at a time.
    const unchecked = this.pool.accounts.some((a) => checkable(a) && checkedAt(a) === 0);
    this.schedule(Math.min(this.everyMs, unchecked ? FIRST_ROUND_SPACING_MS : this.everyMs / Math.max(1, this.pool.accounts.length)));
  }
}

const checkedAt = (a: Account) => a.counters.lastCheck?.checkedAt ?? 0;

/** A dead refresh token, a refused or a suspended account would only be refused again. */
function checkable(a: Account): boolean {
  return !(a.state.kind === "disabled" && (a.state.why === "invalid_refresh_token" || a.state.why === "refused" || a.state.why === "suspended"));
}
