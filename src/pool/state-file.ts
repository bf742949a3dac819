/**
 * Counters that matter survive a restart: requests, failures, last use, last quota check, and a quota rest with
 * its reset date. Kept in one small JSON file beside the credentials (a dot-file, so it is never taken for a
 * credential). Losing it loses nothing important: every account starts healthy with zero counters.
 */
import type { Logger } from "../log";
import type { Account, Counters } from "./account";
import { writeAtomic } from "./files";

interface SavedAccount {
  counters: Counters;
  quotaRestUntil?: number;
  quotaReason?: string;
}

interface SavedState {
  version: 1;
  accounts: Record<string, SavedAccount>;
}

/** Saves at most every 10 s while requests flow. */
const SAVE_EVERY_MS = 10_000;

export class PoolStateFile {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly path: string,
    private readonly log: Logger,
    /** The pool's accounts, as they are when the file is read or written. */
    private readonly accounts: () => readonly Account[],
  ) {}

  /** Restores what the file remembers about the pool's accounts; a missing or broken file is not an error. */
  async restore(): Promise<void> {
    let saved: SavedState;
    try {
      saved = JSON.parse(await Bun.file(this.path).text());
    } catch {
      return;
    }
    for (const a of this.accounts()) {
      const s = saved.accounts?.[a.name];
      if (!s) continue;
      a.restore(s.counters, s.quotaRestUntil ? { until: s.quotaRestUntil, reason: s.quotaReason } : undefined);
    }
  }

  /** Asks for a save soon; many calls within the interval make one write. */
  touch(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.save();
    }, SAVE_EVERY_MS);
    this.timer.unref?.();
  }

  /** Writes the file now, off the event loop's critical path (async I/O, fsync before the rename). */
  async save(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const state: SavedState = { version: 1, accounts: {} };
    for (const a of this.accounts()) {
      const rest = a.quotaRest;
      state.accounts[a.name] = {
        counters: a.counters,
        ...(rest ? { quotaRestUntil: rest.until, quotaReason: rest.reason } : {}),
      };
    }
    try {
      await writeAtomic(this.path, JSON.stringify(state));
    } catch (e) {
      this.log.warn("could not save pool counters", { file: this.path, error: (e as Error).message });
    }
  }
}
