/**
 * What is worth remembering across a restart, in one small JSON file beside the credentials (a dot-file, so it is
 * never taken for a credential): each account's counters (requests, failures, last use, last quota check) and its
 * lasting state — a refresh token Kiro refused, an account Kiro refused (suspended), a quota rest until its reset
 * date. Transient trouble is not carried over: a failure streak, a throttling rest, a self-healable disable. A dead
 * token or a refusal is remembered only for the credential it was met with, so a credential replaced while the
 * gateway was stopped starts healthy. Losing the file loses nothing important: every account starts healthy.
 */
import type { Logger } from "../log";
import type { Account, Counters, DisableReason } from "./account";
import { writeAtomic } from "./files";

interface LastingState {
  why: DisableReason;
  reason: string;
  until?: number;
  /** Which credential it was met with (a digest of its refresh token or API key). */
  credential?: string;
}

interface SavedAccount {
  counters: Counters;
  lasting?: LastingState;
  /** Version 1 files kept only a quota rest, thus. */
  quotaRestUntil?: number;
  quotaReason?: string;
}

interface SavedState {
  version: 1 | 2;
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
      if (!s?.counters) continue;
      const lasting = s.lasting ?? versionOneQuotaRest(s);
      // A quota belongs to the account, whatever its credential; a dead token or a refusal to the credential.
      const stillTrue = lasting && (lasting.why === "quota_exhausted" || lasting.credential === credentialDigest(a));
      a.restore(s.counters, stillTrue ? lasting : undefined);
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
    const state: SavedState = { version: 2, accounts: {} };
    for (const a of this.accounts()) {
      const lasting = lastingState(a);
      state.accounts[a.name] = { counters: a.counters, ...(lasting ? { lasting } : {}) };
    }
    try {
      await writeAtomic(this.path, JSON.stringify(state));
    } catch (e) {
      this.log.warn("could not save pool counters", { file: this.path, error: (e as Error).message });
    }
  }
}

/** The reasons an account stays out of the pool until someone acts, or until its quota resets. */
const LASTING: ReadonlySet<DisableReason> = new Set(["invalid_refresh_token", "refused", "suspended", "quota_exhausted"]);

function lastingState(a: Account): LastingState | undefined {
  const s = a.state;
  if (s.kind !== "disabled" || !LASTING.has(s.why) || (s.why === "quota_exhausted" && s.until === undefined)) return undefined;
  return { why: s.why, reason: s.reason, ...(s.until !== undefined ? { until: s.until } : {}), credential: credentialDigest(a) };
}

function versionOneQuotaRest(s: SavedAccount): LastingState | undefined {
  return s.quotaRestUntil ? { why: "quota_exhausted", reason: s.quotaReason ?? "monthly quota used up", until: s.quotaRestUntil } : undefined;
}

function credentialDigest(a: Account): string {
  const c = a.credential;
  // Bun's hasher, not node:crypto's: loading that module costs every start ~2 ms.
  return new Bun.CryptoHasher("sha256")
    .update(c.refreshToken ?? c.kiroApiKey ?? "")
    .digest("hex")
    .slice(0, 16);
}
