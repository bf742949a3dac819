/**
 * Requests waiting for an account to come back (queueWaitSecs): when no account can serve now but one recovers
 * soon, a request waits here instead of being refused, and those who came first try first. A client that leaves
 * leaves the line; at shutdown everyone still waiting is answered.
 */
import type { GatewayError } from "../errors";

interface Waiter {
  /** When the request began waiting; one that waits again keeps its place. */
  since: number;
  release(): void;
  refuse(error: unknown): void;
}

export class WaitingLine {
  /** Oldest first. */
  private readonly waiting: Waiter[] = [];
  private closedWith: GatewayError | undefined;

  get length(): number {
    return this.waiting.length;
  }

  /** How long the request waiting longest has waited (0 when none waits). */
  longestWaitMs(now = Date.now()): number {
    const oldest = this.waiting[0];
    return oldest ? Math.max(0, now - oldest.since) : 0;
  }

  /** Resolves at `until` (an account recovers) or at an earlier wake(); rejects when the signal aborts or the line closes. */
  wait(since: number, until: number, signal: AbortSignal): Promise<void> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const leave = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
      };
      const onAbort = () => {
        leave();
        reject(signal.reason);
      };
      const waiter: Waiter = {
        since,
        release: () => {
          leave();
          resolve();
        },
        refuse: (error) => {
          leave();
          reject(error);
        },
      };
      const after = this.waiting.findIndex((w) => w.since > since);
      this.waiting.splice(after < 0 ? this.waiting.length : after, 0, waiter);
      signal.addEventListener("abort", onAbort, { once: true });
      const timer = setTimeout(() => this.wake(), Math.max(0, until - Date.now()));
    });
  }

  /** An account may serve again: everyone waiting tries again, in the order they came. */
  wake(): void {
    for (const w of [...this.waiting]) w.release();
  }

  /** Shutdown: everyone waiting is answered with `error`, and nobody waits any more. */
  close(error: GatewayError): void {
    this.closedWith = error;
    for (const w of [...this.waiting]) w.refuse(error);
  }
}
