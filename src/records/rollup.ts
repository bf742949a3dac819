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
  const sums = new Map<string, RollupRow>();
  const add = (r: RequestRow, dim: Dimension, grp: string, label: string, start: number) => {
    const id = `${dim}\u0000${start}\u0000${grp}`;
    let s = sums.get(id);
    if (!s) {
      s = { dim, grp, start, label, requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, credits: 0 };
      sums.set(id, s);
    }
    s.requests++;
    if (isError(r)) s.errors++;
    s.inputTokens += r.inputTokens;
    s.outputTokens += r.outputTokens;
    s.cacheReadTokens += r.cacheReadTokens;
    s.cacheWriteTokens += r.cacheWriteTokens;
    s.credits += r.credits;
  };
  for (const r of rows) {
    const start = r.at - (r.at % bucketMs);
    add(r, "key", r.keyId, r.keyName, start);
    add(r, "model", r.model ?? "", r.model ?? "", start);
    add(r, "account", r.account ?? "", r.account ?? "", start);
  }
  return [...sums.values()];
}
