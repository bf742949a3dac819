/**
 * Hourly rollups: a batch of request rows summed per hour, key, model and account, added to the stored sums in
 * the same transaction as the rows. Usage questions then read a few thousand hours instead of a million requests.
 */
import type { RequestRow, UsageSums } from "./types";

export const HOUR_MS = 3_600_000;

export interface RollupRow extends UsageSums {
  hour: number;
  keyId: string;
  keyName: string;
  model: string;
  account: string;
}

/** A request counts as an error when it was refused or failed, whatever its HTTP status (a stream that broke is 200). */
export const isError = (r: RequestRow) => r.status >= 400 || r.errorType !== undefined;

export function rollup(rows: readonly RequestRow[]): RollupRow[] {
  const sums = new Map<string, RollupRow>();
  for (const r of rows) {
    const hour = r.at - (r.at % HOUR_MS);
    const model = r.model ?? "";
    const account = r.account ?? "";
    const id = `${hour}\u0000${r.keyId}\u0000${model}\u0000${account}`;
    let s = sums.get(id);
    if (!s) {
      s = { hour, keyId: r.keyId, keyName: r.keyName, model, account, requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, credits: 0 };
      sums.set(id, s);
    }
    s.requests++;
    if (isError(r)) s.errors++;
    s.inputTokens += r.inputTokens;
    s.outputTokens += r.outputTokens;
    s.cacheReadTokens += r.cacheReadTokens;
    s.cacheWriteTokens += r.cacheWriteTokens;
    s.credits += r.credits;
  }
  return [...sums.values()];
}
