/**
 * Counters that matter survive a restart: requests, failures, last use, last quota check, and a quota rest with
 * its reset date. Kept in one small JSON file beside the credentials (a dot-file, so it is never taken for a
 * credential). Losing it loses nothing important: every account starts healthy with zero counters.
 */
import { open, rename } from "node:fs/promises";
import type { Logger } from "../log";
import type { Counters } from "./account";
import type { Pool } from "./pool";

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
    private readonly pool: Pool,
    private readonly log: Logger,
  ) {}

  /** Restores what the file remembers about the pool's accounts; a missing or broken file is not an error. */
  async restore(): Promise<void> {
    let saved: SavedState;
    try {
      saved = JSON.parse(await Bun.file(this.path).text());
    } catch {
      return;
    }
    for (const a of this.pool.accounts) {
      const s = saved.accounts?.[a.name];
      if (!s) continue;
      Object.assign(a.counters, s.counters);
      if (s.quotaRestUntil && s.quotaRestUntil > Date.now()) a.disable("quota_exhausted", s.quotaReason ?? "monthly quota used up", s.quotaRestUntil);
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
    for (const a of this.pool.accounts) {
      const rest = a.state.kind === "disabled" && a.state.why === "quota_exhausted" ? a.state : undefined;
      state.accounts[a.name] = {
        counters: a.counters,
        ...(rest?.until ? { quotaRestUntil: rest.until, quotaReason: rest.reason } : {}),
      };
    }
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      const file = await open(tmp, "w", 0o600);
      try {
        await file.writeFile(JSON.stringify(state));
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tmp, this.path);
    } catch (e) {
      this.log.warn("could not save pool counters", { file: this.path, error: (e as Error).message });
    }
  }
}
