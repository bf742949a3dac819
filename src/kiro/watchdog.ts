/**
 * Bounds how long Kiro may stay silent: first until the reply's first event (a stall before or right after the
 * headers), then between chunks; and how long one reply attempt may take in all. When it fires, the upstream call
 * is aborted with an UpstreamError as the reason, so the failure is classified like any other "no answer"
 * (status 0): another account tries, or the stream ends with an error event. A reply never hangs.
 *
 * One timer serves all three bounds: an AbortSignal.timeout of its own for the whole attempt cost a small request
 * ~5 µs more of the gateway's CPU. A chunk only notes when it came; the timer, when it fires, measures the silence
 * and sleeps again for what is left of it, so a long reply does not re-arm a timer per chunk. The client's signal
 * is followed by a listener: AbortSignal.any costs ~1 µs more.
 */
import { UpstreamError } from "./http";

export class Watchdog {
  private readonly controller = new AbortController();
  private readonly deadline: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When the timer fires (performance.now()). */
  private due = 0;
  /** Whether the timer is set for the attempt's deadline rather than for a silence. */
  private atDeadline = false;
  private idleMs = 0;
  /** When data last arrived (performance.now()), once the reply flows. */
  private lastData = 0;
  private readonly follow = () => this.controller.abort(this.client.reason);

  constructor(
    private readonly firstEventMs: number,
    private readonly totalMs: number,
    /** The client's signal: its abort aborts this attempt too. */
    private readonly client: AbortSignal,
  ) {
    this.deadline = performance.now() + totalMs;
    // Never removed: once the attempt is over its abort changes nothing, and removing it cost as much as adding it.
    if (client.aborted) this.follow();
    else client.addEventListener("abort", this.follow);
    this.arm(firstEventMs);
  }

  /** Aborted when the watchdog fires or the client's signal aborts. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The first event arrived: from now on only silence between chunks counts. */
  streaming(idleMs: number): void {
    this.idleMs = idleMs;
    this.lastData = performance.now();
    // A timer due no later than the silence would end can stay: when it fires, it measures the silence.
    if (this.due > this.lastData + idleMs) this.arm(idleMs);
  }

  /** Data arrived: the silence starts over. */
  kick(): void {
    if (this.idleMs > 0) this.lastData = performance.now();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    const now = performance.now();
    const left = this.deadline - now;
    this.atDeadline = left <= ms;
    const wait = this.atDeadline ? Math.max(0, left) : ms;
    this.due = now + wait;
    this.timer = setTimeout(this.fire, wait);
  }

  private readonly fire = (): void => {
    let why: string;
    if (this.atDeadline) why = `no answer within ${this.totalMs / 1000} s`;
    else if (this.idleMs === 0) why = `Kiro sent no event within ${this.firstEventMs / 1000} s`;
    else {
      // A chunk came since the timer was set: sleep for what is left of the silence.
      const quiet = performance.now() - this.lastData;
      if (quiet < this.idleMs) return this.arm(this.idleMs - quiet);
      why = `Kiro sent nothing for ${this.idleMs / 1000} s`;
    }
    this.controller.abort(new UpstreamError("generateAssistantResponse", 0, why));
  };
}
