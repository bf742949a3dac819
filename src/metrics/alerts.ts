/**
 * alertWebhookUrl: a JSON POST when an account is disabled (suspended, refused, out of quota, failing), when an
 * account's known quota use passes 90 %, and when no account can serve — at most one per kind and account an
 * hour. The pool is looked at every 15 seconds, and at once after a request that failed for want of an account.
 * The body carries `text` too, so a Slack or Mattermost incoming webhook shows it as it is.
 */
import type { Logger } from "../log";
import type { Pool } from "../pool/pool";
import type { RequestRecord } from "../records/request-record";

const CHECK_EVERY_MS = 15_000;
const QUIET_MS = 3_600_000;
const QUOTA_ALERT_RATIO = 0.9;

export type AlertKind = "account_disabled" | "quota_high" | "no_account";

export interface Alert {
  kind: AlertKind;
  account?: string;
  message: string;
  text: string;
  at: string;
}

export class Alerts {
  private readonly sent = new Map<string, number>();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly url: string,
    private readonly pool: Pool,
    private readonly log: Logger,
    private readonly post: typeof fetch = fetch,
  ) {
    this.timer = setInterval(() => void this.check(), CHECK_EVERY_MS);
    this.timer.unref();
  }

  /** A finished request that no account could take makes the pool be looked at now. */
  observe(r: RequestRecord): void {
    if (r.errorType === "unavailable" || (r.errorType === "rate_limited" && r.attempts.length > 0)) void this.check();
  }

  async check(now = Date.now()): Promise<void> {
    const sending: Promise<void>[] = [];
    const inPool = this.pool.accounts.filter((a) => a.inPool);
    for (const a of inPool) {
      if (a.state.kind === "disabled" && (a.state.until === undefined || a.state.until > now)) {
        sending.push(this.send({ kind: "account_disabled", account: a.name, message: `account ${a.name} is disabled (${a.state.why.replaceAll("_", " ")}): ${a.state.reason}` }, now));
      }
      const ratio = a.usageRatio;
      if (ratio !== undefined && ratio >= QUOTA_ALERT_RATIO) {
        sending.push(this.send({ kind: "quota_high", account: a.name, message: `account ${a.name} has used ${Math.round(ratio * 100)} % of its quota` }, now));
      }
    }
    if (inPool.length > 0 && !this.pool.select(new Set(), now)) {
      sending.push(this.send({ kind: "no_account", message: `no Kiro account can serve: ${this.pool.noAccountError().message}` }, now));
    }
    await Promise.all(sending);
  }

  private async send(alert: Omit<Alert, "text" | "at">, now: number): Promise<void> {
    const id = `${alert.kind}\u0000${alert.account ?? ""}`;
    const last = this.sent.get(id);
    if (last !== undefined && now - last < QUIET_MS) return;
    this.sent.set(id, now);
    const body: Alert = { ...alert, text: `kiro-ts: ${alert.message}`, at: new Date(now).toISOString() };
    try {
      const res = await this.post(this.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      await res.body?.cancel();
      if (!res.ok) this.log.warn("the alert webhook refused an alert", { kind: alert.kind, status: res.status });
    } catch (e) {
      this.log.warn("could not send an alert", { kind: alert.kind, error: (e as Error).message });
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
