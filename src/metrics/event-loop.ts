/**
 * Event-loop delay: a timer that should fire every 500 ms notes how late it fires. A loop blocked by synchronous
 * work (a huge body parsed, a slow database write) shows here first.
 */
const TICK_MS = 500;
/** The delay reported is the largest of the last this many ticks (10 s). */
const WINDOW = 20;

export class EventLoopDelay {
  private readonly recent: number[] = [];
  private readonly timer: ReturnType<typeof setInterval>;
  private last = performance.now();

  constructor() {
    this.timer = setInterval(() => {
      const now = performance.now();
      this.recent.push(Math.max(0, now - this.last - TICK_MS));
      if (this.recent.length > WINDOW) this.recent.shift();
      this.last = now;
    }, TICK_MS);
    this.timer.unref();
  }

  /** Seconds: the worst delay of the last ten seconds. */
  get seconds(): number {
    return this.recent.length ? Math.max(...this.recent) / 1000 : 0;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
