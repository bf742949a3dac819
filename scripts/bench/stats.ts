/** Percentiles and the few summaries the benchmark reports. */

/** The p-th percentile (0..100) by nearest rank; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface Spread {
  p50: number;
  p99: number;
}

export const spread = (samples: readonly number[]): Spread => ({ p50: percentile(samples, 50), p99: percentile(samples, 99) });

export const median = (samples: readonly number[]) => percentile(samples, 50);

/** Rounds for the JSON report: three significant decimals are plenty for milliseconds and megabytes. */
export function round(value: number, decimals = 3): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/**
 * The round (or drain) whose `total` is the median (the lower of the middle two for an even count): the report shows
 * its split by thread beside the median, so that the parts add up to the figure they stand beside.
 */
export function middleRound<T>(rounds: readonly T[], total: (r: T) => number): T {
  const sorted = [...rounds].sort((a, b) => total(a) - total(b));
  const middle = sorted[Math.floor((sorted.length - 1) / 2)];
  if (middle === undefined) throw new Error("no rounds to take the middle of");
  return middle;
}
