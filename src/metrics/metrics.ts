/**
 * What /metrics reports: counters fed by each finished request record and by token refreshes, and gauges read
 * from the pool, the client keys and the process when scraped.
 */
import type { Account } from "../pool/account";
import type { ClientKeys } from "../records/keys";
import type { RequestRecord } from "../records/request-record";
import { EventLoopDelay } from "./event-loop";
import { Counter, Gauge, Histogram, type Metric } from "./prometheus";

/** Seconds: from a fast cached reply to a long agentic answer. */
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const FIRST_BYTE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];
/** Every state an account can be in; each is reported, at 0 when empty, so the series sum to the pool's size. */
const ACCOUNT_STATES = ["healthy", "cooling", "disabled", "suspended", "standby"] as const;

export type RefreshResult = "ok" | "refused" | "failed";

export class GatewayMetrics {
  private readonly requests = new Counter("kiro_ts_requests_total", "Client requests by route, HTTP status and model asked", ["route", "status", "model"]);
  private readonly duration = new Histogram("kiro_ts_request_duration_seconds", "Client request duration, to the end of the reply", DURATION_BUCKETS);
  private readonly firstByte = new Histogram("kiro_ts_time_to_first_byte_seconds", "Time until Kiro's reply began", FIRST_BYTE_BUCKETS);
  private readonly attempts = new Counter("kiro_ts_upstream_attempts_total", "Kiro attempts by outcome (ok, or why the request moved on)", ["outcome"]);
  private readonly tokens = new Counter("kiro_ts_tokens_total", "Tokens by kind", ["kind"]);
  private readonly credits = new Counter("kiro_ts_credits_total", "Kiro credits, as metered by Kiro");
  private readonly refreshes = new Counter("kiro_ts_refreshes_total", "Token refreshes by result", ["result"]);
  private readonly loop = new EventLoopDelay();
  private readonly all: Metric[];

  constructor(accounts: () => readonly Account[], keys: ClientKeys) {
    const states = new Gauge("kiro_ts_accounts", "Accounts by state (standby: kept out of the pool)", ["state"], () => {
      const now = Date.now();
      const counts = new Map<string, number>(ACCOUNT_STATES.map((s) => [s, 0]));
      for (const a of accounts()) counts.set(stateOf(a, now), (counts.get(stateOf(a, now)) ?? 0) + 1);
      return [...counts].map(([state, n]) => [[state], n]);
    });
    const inFlight = new Gauge("kiro_ts_in_flight", "Client requests being answered", [], () => [[[], keys.all.reduce((n, k) => n + k.inFlight, 0)]]);
    const memory = new Gauge("kiro_ts_resident_memory_bytes", "Resident memory of the process", [], () => [[[], process.memoryUsage.rss()]]);
    const delay = new Gauge("kiro_ts_event_loop_delay_seconds", "Worst event-loop delay of the last 10 seconds", [], () => [[[], this.loop.seconds]]);
    this.all = [this.requests, this.duration, this.firstByte, this.attempts, this.tokens, this.credits, this.refreshes, states, inFlight, memory, delay];
  }

  /** A finished request. */
  observe(r: RequestRecord): void {
    this.requests.inc([r.route, String(r.status), r.model ?? ""]);
    this.duration.observe(r.durationMs / 1000);
    if (r.firstByteMs !== undefined) this.firstByte.observe(r.firstByteMs / 1000);
    for (const a of r.attempts) this.attempts.inc([a.outcome]);
    const u = r.usage;
    if (u.input_tokens) this.tokens.inc(["input"], u.input_tokens);
    if (u.output_tokens) this.tokens.inc(["output"], u.output_tokens);
    if (u.cache_read_input_tokens) this.tokens.inc(["cache_read"], u.cache_read_input_tokens);
    if (u.cache_creation_input_tokens) this.tokens.inc(["cache_write"], u.cache_creation_input_tokens);
    if (r.credits) this.credits.inc([], r.credits);
  }

  refreshed(result: RefreshResult): void {
    this.refreshes.inc([result]);
  }

  render(): string {
    return this.all.map((m) => m.render()).join("");
  }

  stop(): void {
    this.loop.stop();
  }
}

/** An account's state as of `now` (a rest that is over is health, as the pool will find on its next pick). */
function stateOf(a: Account, now: number): (typeof ACCOUNT_STATES)[number] {
  if (!a.inPool) return "standby";
  const s = a.state;
  if (s.kind !== "healthy" && s.until !== undefined && s.until <= now) return "healthy";
  return s.kind === "disabled" && s.why === "suspended" ? "suspended" : s.kind;
}
