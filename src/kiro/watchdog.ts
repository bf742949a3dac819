/**
 * Bounds how long Kiro may stay silent: first until the reply's first event (a stall before or right after the
 * headers), then between chunks; and how long one reply attempt may take in all. When it fires, the upstream call
 * is aborted with an UpstreamError as the reason, so the failure is classified like any other "no answer"
 * (status 0): another account tries, or the stream ends with an error event. A reply never hangs.
 *
 * One timer serves all three bounds: an AbortSignal.timeout of its own for the whole attempt cost a small request
 * ~5 µs more of the gateway's CPU.
 */
import { UpstreamError } from "./http";

export class Watchdog {
  private readonly controller = new AbortController();
  private readonly deadline: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private idleMs = 0;

  constructor(
    firstEventMs: number,
    private readonly totalMs: number,
  ) {
    this.deadline = Date.now() + totalMs;
    this.arm(firstEventMs, `Kiro sent no event within ${firstEventMs / 1000} s`);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The first event arrived: from now on only silence between chunks counts. */
  streaming(idleMs: number): void {
    this.idleMs = idleMs;
    this.kick();
  }

  /** Data arrived: the silence starts over. */
  kick(): void {
    if (this.idleMs > 0) this.arm(this.idleMs, `Kiro sent nothing for ${this.idleMs / 1000} s`);
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private arm(ms: number, why: string): void {
    clearTimeout(this.timer);
    const left = this.deadline - Date.now();
    const [wait, reason] = left <= ms ? [Math.max(0, left), `no answer within ${this.totalMs / 1000} s`] : [ms, why];
    this.timer = setTimeout(() => this.controller.abort(new UpstreamError("generateAssistantResponse", 0, reason)), wait);
  }
}
