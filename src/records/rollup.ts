/**
 * Hourly rollups: a batch of request rows summed per hour for each key, each model and each account (three
 * separate sums, so their number grows with keys + models + accounts, not their product), added to the stored sums
 * in the same transaction as the rows. Usage questions then read hours instead of requests.
 */
import type { RequestRow, UsageSums } from "./types";

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export type Dimension = "key" | "model" | "account";

export interface RollupRow extends UsageSums {
  dim: Dimension;
  /** A key's id, a model, an account name; "" when the request had none. */
  grp: string;
  /** The bucket's first millisecond. */
  start: number;
  /** What to call the group: a key's name, else the group itself. */
  label: string;
}

/** A request counts as an error when it was refused or failed, whatever its HTTP status (a stream that broke is 200). */
export const isError = (r: RequestRow) => r.status >= 400 || r.errorType !== undefined;

/** The batch's sums per dimension, value and bucket of `bucketMs` (an hour or a UTC day). */
export function rollup(rows: readonly RequestRow[], bucketMs: number): RollupRow[] {
  const sums = new Sums();
  for (const r of rows) {
    const start = r.at - (r.at % bucketMs);
    const errors = isError(r) ? 1 : 0;
    sums.add(r, "key", r.keyId, r.keyName, start, 1, errors);
    sums.add(r, "model", r.model ?? "", r.model ?? "", start, 1, errors);
    sums.add(r, "account", r.account ?? "", r.account ?? "", start, 1, errors);
  }
  return sums.rows();
}

/** The same sums in buckets of `bucketMs` (a UTC day), from finer ones: a batch's hours are far fewer than its rows. */
export function coarser(fine: readonly RollupRow[], bucketMs: number): RollupRow[] {
  const sums = new Sums();
  for (const f of fine) sums.add(f, f.dim, f.grp, f.label, f.start - (f.start % bucketMs), f.requests, f.errors);
  return sums.rows();
}

class Sums {
  private readonly byId = new Map<string, RollupRow>();
  /** Each dimension's last sums: a batch's rows mostly share their neighbours' key, model, account and hour. */
  private readonly last: Partial<Record<Dimension, RollupRow>> = {};

  add(u: UsageTotals, dim: Dimension, grp: string, label: string, start: number, requests: number, errors: number): void {
    let s = this.last[dim];
    if (s === undefined || s.grp !== grp || s.start !== start) {
      // The id is made only here: three strings a row cost ~0.6 µs of a recorded request.
      const id = `${dim}\u0000${start}\u0000${grp}`;
      s = this.byId.get(id);
      if (!s) {
        s = { dim, grp, start, label, requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, credits: 0 };
        this.byId.set(id, s);
      }
      this.last[dim] = s;
    }
    s.requests += requests;
    s.errors += errors;
    s.inputTokens += u.inputTokens;
    s.outputTokens += u.outputTokens;
    s.cacheReadTokens += u.cacheReadTokens;
    s.cacheWriteTokens += u.cacheWriteTokens;
    s.credits += u.credits;
  }

  rows(): RollupRow[] {
    return [...this.byId.values()];
  }
}

type UsageTotals = Pick<UsageSums, "inputTokens" | "outputTokens" | "cacheReadTokens" | "cacheWriteTokens" | "credits">;
